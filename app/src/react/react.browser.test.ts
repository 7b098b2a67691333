/** The React wrappers in Chromium: props reach the element, callbacks fire, ref methods work. */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, startHarness, type Harness } from '../elements/testing/browser';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.stop();
});

type Fixture = {
  seen: string[];
  client: { placed: unknown[] };
  refs: Record<
    'video' | 'voice',
    { call(): void; hangUp(): Promise<void>; snapshot: { state: string } | null; element: HTMLElement | null } | null
  >;
  push(p: unknown): void;
  signOut(): void;
};
const fixture = <T>(page: Page, fn: (f: Fixture) => T | Promise<T>) =>
  page.evaluate(`(${fn.toString()})(window.reactFixture)`) as Promise<T>;

describe('React wrappers', () => {
  it('render the elements with typed props, call back on state changes and expose ref methods', async () => {
    const page = await harness.browser.newPage();
    await page.goto(`${harness.origin}/src/react/testing/fixture.html`);
    await page.waitForFunction(() => !!document.querySelector('#video')?.shadowRoot?.querySelector('[part~="call-button"]'));
    expect(await page.locator('#video [part~="call-button"]').innerText()).toBe('Video call Ana');
    expect(await page.locator('#video [part~="title"]').innerText()).toContain('Ticket T-1042');

    await fixture(page, (f) => f.refs.video!.call());
    expect(await fixture(page, (f) => f.client.placed)).toEqual([
      { callee: 'ana', kind: 'video', context: { recordType: 'ticket', recordId: 'T-1042', label: 'Ticket T-1042' } },
    ]);
    await fixture(page, (f) => f.push({ state: 'connected', connectedAt: Date.now() }));
    expect(await fixture(page, (f) => f.refs.video!.snapshot!.state)).toBe('connected');
    // The messages prop overrides the element's words.
    expect(await page.locator('#video [part~="hang-up-button"]').innerText()).toBe('End call');
    await fixture(page, (f) => f.refs.video!.hangUp());
    expect(await fixture(page, (f) => f.seen)).toEqual([
      'video state requesting-media',
      'video state connected',
      'video state ended',
      'video ended hung-up: Call ended',
    ]);

    // A prop change re-renders the element.
    await page.evaluate(() => (window as unknown as { relabel(l: string): void }).relabel('Ticket T-2000'));
    await page.waitForFunction(() => document.querySelector('#video')?.getAttribute('record-label') === 'Ticket T-2000');
    expect(await page.locator('#video [part~="title"]').innerText()).toContain('Ticket T-2000');

    expect(await page.locator('#voice [part~="call-button"]').innerText()).toBe('Call Ana');
    expect(await axeViolations(page)).toEqual([]);

    // VoiceCall reports a call it cannot place through onError.
    await fixture(page, (f) => {
      f.signOut();
      f.refs.voice!.call();
    });
    expect(await fixture(page, (f) => f.seen.filter((line) => line.startsWith('voice')))).toEqual(['voice error unauthenticated']);
    await page.close();
  });
});

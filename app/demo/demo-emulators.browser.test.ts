/**
 * The demo page as `npm start` serves it: Auth + Functions emulators (real sign-in with
 * fixed demo uids, TURN credentials from the `iceServers` callable) and BroadcastChannel
 * signaling because the Firestore emulator cannot run here. Two tabs call and connect.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulators } from '../../scripts/emulators.mjs';
import { startHarness, type Harness } from '../src/elements/testing/browser';

let harness: Harness;
let emulators: { authUrl: string; functionsUrl: string; stop(): Promise<void> } | undefined;

beforeAll(async () => {
  // Started first and stopped last: the emulators take 25-75 s to start on a busy machine.
  emulators = await startEmulators({ turnSecret: 'demo-browser-test-secret-5d2e', turnHosts: ['127.0.0.1'], readyTimeoutMs: 400_000 });
  harness = await startHarness();
}, 450_000);
afterAll(async () => {
  await harness?.stop();
  await emulators?.stop();
}, 60_000);

/** Waits until the element's call reaches `state` (each side sees its own ICE complete, a moment apart). */
function waitForState(page: Page, selector: string, state: string): Promise<unknown> {
  return page.waitForFunction(
    ({ sel, want }) =>
      (document.querySelector(sel) as (HTMLElement & { snapshot: { state: string } | null }) | null)?.snapshot?.state === want,
    { sel: selector, want: state },
    { timeout: 30_000 },
  );
}

describe('demo CRM page on the Auth and Functions emulators', () => {
  it('signs in two demo users and connects a call with TURN credentials from the callable', async () => {
    const query = `authEmulator=${new URL(emulators!.authUrl).host}&functionsEmulator=${new URL(emulators!.functionsUrl).host}&firestoreEmulator=127.0.0.1:1`;
    const context = await harness.browser.newContext();
    const pages: Page[] = [];
    for (const who of ['ana', 'ben']) {
      const page = await context.newPage();
      await page.goto(`${harness.origin}/demo/?${query}`);
      await page.waitForSelector('html[data-ready]');
      await page.click(`#sign-in-${who}`);
      await page.waitForSelector(`html[data-signed-in="${who}"]`, { timeout: 30_000 });
      pages.push(page);
    }
    const [ana, ben] = pages as [Page, Page];
    expect(await ana.locator('#mode').innerText()).toContain('Auth + Functions emulators; signaling over BroadcastChannel');
    expect(await ana.locator('#who').innerText()).toBe('Signed in as Ana Weber');

    await ana.locator('#deal video-call [part~="call-button"]').click();
    await waitForState(ben, '#incoming', 'ringing');
    await ben.locator('#incoming [part~="accept-button"]').click();
    await waitForState(ana, '#deal video-call', 'connected');
    await waitForState(ben, '#incoming', 'connected');
    // The callable answered: the page never fell back to "direct connections only".
    expect(await ana.locator('#mode').innerText()).not.toContain('TURN credentials unavailable');
    expect(await ben.locator('#mode').innerText()).not.toContain('TURN credentials unavailable');

    await ben.locator('#incoming [part~="hang-up-button"]').click();
    await waitForState(ana, '#deal video-call', 'ended');
    await context.close();
  });
});

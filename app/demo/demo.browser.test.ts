/**
 * The demo CRM page in Chromium with real WebRTC between two signed-in users:
 * no emulators (auth=local), signaling relayed between the pages.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, axeViolations, startHarness, type Harness } from '../src/elements/testing/browser';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.stop();
});

async function signIn(context: BrowserContext, who: 'ana' | 'ben', query = ''): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${harness.origin}/demo/?auth=local&as=${who}${query}`);
  await page.waitForSelector(`html[data-signed-in="${who}"]`);
  return page;
}

/** State of an element as its snapshot reports it ('idle' before any call). */
function stateOf(page: Page, selector: string): Promise<string> {
  return page.evaluate(
    (sel) => (document.querySelector(sel) as (HTMLElement & { snapshot: { state: string } | null }) | null)?.snapshot?.state ?? 'idle',
    selector,
  );
}

async function waitForState(page: Page, selector: string, state: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ({ sel, want }) =>
      (document.querySelector(sel) as (HTMLElement & { snapshot: { state: string } | null }) | null)?.snapshot?.state === want,
    { sel: selector, want: state },
    { timeout },
  );
}

function statusOf(page: Page, selector: string): Promise<string> {
  return page.evaluate(
    (sel) =>
      document.querySelector(sel)?.shadowRoot?.querySelector<HTMLElement>('[part~="status"]')?.innerText.replace(/\s+/g, ' ').trim() ?? '',
    selector,
  );
}

function callLog(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('#call-log li')].map((li) => li.textContent ?? ''));
}

/** Clicks a part inside an element's shadow root. */
async function press(page: Page, selector: string, part: string): Promise<void> {
  await page.locator(`${selector} [part~="${part}"]`).click();
}

describe('demo CRM page', () => {
  it('two tabs call each other about a ticket over BroadcastChannel and reach connected', async () => {
    const context = await harness.browser.newContext({ viewport: { width: 900, height: 1300 } });
    const ana = await signIn(context, 'ana');
    const ben = await signIn(context, 'ben');
    expect(await callLog(ana)).toEqual(['No calls yet.']);

    await press(ana, '#ticket video-call', 'call-button');
    await waitForState(ben, '#incoming', 'ringing');
    expect(await statusOf(ben, '#incoming')).toBe('Ana Weber is calling Ringing');
    expect(await ben.locator('#incoming [part~="title"]').innerText()).toContain('Ticket T-1042');
    await ben.screenshot({ path: join(artifactsDir, 'demo-ben-ringing.png') });
    await press(ben, '#incoming', 'accept-button');

    await waitForState(ana, '#ticket video-call', 'connected');
    await waitForState(ben, '#incoming', 'connected');
    expect(await statusOf(ana, '#ticket video-call')).toMatch(/^Connected 00:\d\d$/);
    expect(await statusOf(ben, '#incoming')).toMatch(/^Connected 00:\d\d$/);
    // The ticket's call log knows the call on both sides.
    await ana.waitForFunction(() =>
      document.querySelector('#call-log li')?.textContent?.includes('Ana Weber → Ben Okafor · video · accepted'),
    );
    await ben.bringToFront();
    await ben.waitForTimeout(1000); // let the fake camera frames paint for the screenshot
    await ben.screenshot({ path: join(artifactsDir, 'demo-ben-connected.png'), fullPage: true });
    await ana.bringToFront();
    await ana.screenshot({ path: join(artifactsDir, 'demo-ana-connected.png'), fullPage: true });

    await press(ana, '#ticket video-call', 'hang-up-button');
    await waitForState(ben, '#incoming', 'ended');
    expect(await stateOf(ana, '#ticket video-call')).toBe('ended');
    await ben.waitForFunction(() => /video · ended \(hung-up\), \d+ s$/.test(document.querySelector('#call-log li')?.textContent ?? ''));
    await context.close();
  });

  it('two isolated browser contexts call by voice through a relayed memory store', async () => {
    const contexts = await Promise.all([harness.browser.newContext(), harness.browser.newContext()]);
    const pages: Page[] = [];
    // Each page's writes are handed to the other page, as Firestore would.
    for (const [i, context] of contexts.entries()) {
      await context.exposeFunction('firecallRelayOut', (message: unknown) =>
        pages[1 - i]?.evaluate((m) => window.firecallRelayIn?.(m as never), message).catch(() => undefined),
      );
    }
    pages.push(await signIn(contexts[0]!, 'ana', '&signaling=harness'), await signIn(contexts[1]!, 'ben', '&signaling=harness'));
    const [ana, ben] = pages as [Page, Page];

    await press(ben, '#contacts voice-call[callee="ana"]', 'call-button');
    await waitForState(ana, '#incoming', 'ringing');
    expect(await ana.locator('#incoming [part~="title"]').innerText()).toContain('Voice call from Ben Okafor');
    await press(ana, '#incoming', 'accept-button');
    await waitForState(ben, '#contacts voice-call[callee="ana"]', 'connected');
    await waitForState(ana, '#incoming', 'connected');
    expect(await statusOf(ben, '#contacts voice-call[callee="ana"]')).toMatch(/^Connected 00:\d\d$/);
    await ben.screenshot({ path: join(artifactsDir, 'demo-voice-connected.png') });
    await press(ana, '#incoming', 'hang-up-button');
    await waitForState(ben, '#contacts voice-call[callee="ana"]', 'ended');
    await Promise.all(contexts.map((c) => c.close()));
  });

  it('passes axe-core and follows the language picker', async () => {
    const context = await harness.browser.newContext();
    const ana = await signIn(context, 'ana');
    expect(await axeViolations(ana)).toEqual([]);
    await ana.selectOption('#lang', 'de');
    expect(await statusOf(ana, '#deal video-call')).toBe('Bereit, Ben Okafor anzurufen');
    expect(await ana.locator('#deal video-call [part~="call-button"]').innerText()).toBe('Videoanruf an Ben Okafor');
    await context.close();
  });
});

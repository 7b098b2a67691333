/**
 * The elements in Chromium on a scripted engine (testing/fixture.html):
 * words per state, keyboard use, events, German, reduced motion, axe-core.
 * Screenshots of every state land in .artifacts/elements/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../call/types';
import { artifactsDir, axeViolations, startHarness, type Harness } from './testing/browser';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => {
  await harness?.stop();
});

const start = new Date('2026-03-02T10:00:00Z');

async function openFixture(options: { lang?: string; reducedMotion?: boolean } = {}): Promise<Page> {
  const context = await harness.browser.newContext({
    reducedMotion: options.reducedMotion ? 'reduce' : 'no-preference',
    viewport: { width: 760, height: 1100 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.clock.install({ time: start });
  await page.goto(`${harness.origin}/src/elements/testing/fixture.html${options.lang ? `?lang=${options.lang}` : ''}`);
  await page.waitForSelector('html[data-ready]');
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

/** The element's visible text, one line per block. */
function text(page: Page, id: string): Promise<string> {
  return page.evaluate((sel) => {
    const base = document.querySelector(sel)?.shadowRoot?.querySelector<HTMLElement>('[part~="base"]');
    return base?.innerText.replace(/[ \t]+/g, ' ') ?? '';
  }, `#${id}`);
}

function status(page: Page, id: string): Promise<string> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel)?.shadowRoot?.querySelector<HTMLElement>('[part~="status"]');
    return el?.innerText.replace(/\s+/g, ' ').trim() ?? '';
  }, `#${id}`);
}

function liveRegion(page: Page, id: string): Promise<string> {
  return page.evaluate(
    (sel) => document.querySelector(sel)?.shadowRoot?.querySelector('[role="status"]')?.textContent?.trim() ?? '',
    `#${id}`,
  );
}

async function push(page: Page, partial: Partial<CallSnapshot> & { connectedAgoMs?: number }): Promise<void> {
  await page.evaluate(({ connectedAgoMs, ...rest }) => {
    const fixture = (window as unknown as { firecallFixture: { push(p: unknown): void } }).firecallFixture;
    fixture.push({ ...rest, ...(connectedAgoMs !== undefined ? { connectedAt: Date.now() - connectedAgoMs } : {}) });
  }, partial);
}

async function shoot(page: Page, id: string, name: string): Promise<void> {
  await page.locator(`#${id}`).screenshot({ path: join(artifactsDir, `${name}.png`), animations: 'disabled' });
}

/** Presses Tab until the focused element inside `id`'s shadow root has `part` (at most 15 presses). */
async function tabTo(page: Page, id: string, part: string): Promise<void> {
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press('Tab');
    const found = await page.evaluate(
      ({ sel, p }) =>
        document.activeElement === document.querySelector(sel) &&
        !!document.querySelector(sel)?.shadowRoot?.activeElement?.getAttribute('part')?.split(' ').includes(p),
      { sel: `#${id}`, p: part },
    );
    if (found) return;
  }
  throw new Error(`Tab never reached ${part} in #${id}`);
}

async function focusOutline(page: Page, id: string): Promise<string> {
  return page.evaluate((sel) => {
    const focused = document.querySelector(sel)?.shadowRoot?.activeElement as HTMLElement | null;
    return focused ? getComputedStyle(focused).outlineStyle : 'no focus';
  }, `#${id}`);
}

const outgoingStates: Array<{ name: string; push: Partial<CallSnapshot> & { connectedAgoMs?: number }; video: string; voice: string }> = [
  { name: 'requesting-media', push: { state: 'requesting-media' }, video: 'Getting your camera', voice: 'Getting your microphone' },
  { name: 'ringing', push: { state: 'ringing' }, video: 'Calling Ana Ringing', voice: 'Calling Ana Ringing' },
  { name: 'connecting', push: { state: 'connecting', phase: 'checking' }, video: 'Connecting', voice: 'Connecting' },
  {
    name: 'connecting-relay',
    push: { state: 'connecting', phase: 'relaying' },
    video: 'Connecting through relay',
    voice: 'Connecting through relay',
  },
  {
    name: 'connected',
    push: { state: 'connected', phase: null, quality: 'good', connectedAgoMs: 12_000 },
    video: 'Connected 00:12',
    voice: 'Connected 00:12',
  },
  { name: 'reconnecting', push: { state: 'reconnecting', quality: 'poor' }, video: 'Reconnecting', voice: 'Reconnecting' },
  {
    name: 'failed',
    push: { state: 'failed', reason: 'no-route', message: 'engine text' },
    video: 'Call failed: no network path to Ana, not even through the relay. Try another network, or ask IT to allow TURN on port 443.',
    voice: 'Call failed: no network path to Ana, not even through the relay. Try another network, or ask IT to allow TURN on port 443.',
  },
];

describe.each(['video', 'voice'] as const)('<%s-call>', (kind) => {
  it('says what the call is doing in every state, and keeps a screenshot of each', async () => {
    const page = await openFixture();
    expect(await status(page, kind)).toBe('Ready to call Ana');
    await shoot(page, kind, `${kind}-call-idle`);
    await page.evaluate((k) => document.querySelector<HTMLElement & { call(): void }>(`#${k}`)!.call(), kind);
    const placed = await page.evaluate(
      () => (window as unknown as { firecallFixture: { client: { placed: unknown[] } } }).firecallFixture.client.placed,
    );
    expect(placed).toEqual([
      kind === 'video'
        ? { callee: 'ana', kind: 'video', context: { recordType: 'ticket', recordId: 'T-1042', label: 'Ticket T-1042' } }
        : { callee: 'ana', kind: 'voice' },
    ]);
    for (const step of outgoingStates) {
      await push(page, step.push);
      expect(await status(page, kind), step.name).toBe(step[kind]);
      await shoot(page, kind, `${kind}-call-${step.name}`);
    }
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.context().close();
  });

  it('shows the ICE steps while connecting and the quality once connected', async () => {
    const page = await openFixture();
    await page.evaluate((k) => document.querySelector<HTMLElement & { call(): void }>(`#${k}`)!.call(), kind);
    await push(page, { state: 'connecting', phase: 'signaling' });
    const steps = () =>
      page.evaluate(
        (k) =>
          [...document.querySelector(`#${k}`)!.shadowRoot!.querySelectorAll('[part~="progress"] li')].map(
            (li) => `${li.textContent!.trim()}${li.getAttribute('aria-current') ? ' (now)' : ''}`,
          ),
        kind,
      );
    expect(await steps()).toEqual(['Reaching Ana (now)', 'Finding a network path']);
    await push(page, { phase: 'relaying' });
    expect(await steps()).toEqual(['Reaching Ana', 'Finding a network path', 'Using the relay server (now)']);
    await push(page, { state: 'connected', phase: null, quality: 'fair', connectedAgoMs: 0 });
    const quality = await page.evaluate(
      (k) => document.querySelector(`#${k}`)!.shadowRoot!.querySelector('[part~="quality"]')?.getAttribute('aria-label'),
      kind,
    );
    expect(quality).toBe('Connection quality: fair');
    // The timer runs on the page clock.
    expect(await status(page, kind)).toBe('Connected 00:00');
    await page.clock.runFor(65_000);
    expect(await status(page, kind)).toBe('Connected 01:05');
    // The live region announced the state, not the ticking timer.
    expect(await liveRegion(page, kind)).toBe('Connected to Ana');
    // Whose picture is stuck, shown and announced; its end announced as such, not as a new connection.
    await push(page, { peerVideoPaused: true });
    expect(await status(page, kind)).toBe("Connected 01:05 Ana's video is paused: the network is too slow");
    expect(await liveRegion(page, kind)).toBe("Ana's video is paused: the network is too slow");
    await push(page, { peerVideoPaused: false });
    expect(await liveRegion(page, kind)).toBe('Video is back');
    // Reconnecting: no bars, whatever the last sample said.
    const level = () =>
      page.evaluate(
        (k) => document.querySelector(`#${k}`)!.shadowRoot!.querySelector('[part~="quality"]')?.getAttribute('data-level'),
        kind,
      );
    await push(page, { state: 'reconnecting' });
    expect(await level()).toBe('lost');
    await push(page, { state: 'connected' });
    expect(await level()).toBe('fair');
    // The details panel says how the call travels, and what support needs after a failure.
    await push(page, {
      path: { local: 'relay', remote: 'host', protocol: 'udp', relayProtocol: 'tls', relayPort: 443 },
      timings: { 'requesting-media': 140, 'connecting:checking': 820 },
    });
    await page.locator(`#${kind} [part~="stats-toggle"]`).click();
    const details = await page.locator(`#${kind} [part~="stats"]`).innerText();
    expect(details).toMatch(/Network path\s+through relay \(tls :443\)/);
    expect(details).toContain('requesting-media 140 ms');
    await push(page, { state: 'failed', reason: 'no-route', detail: 'ICE failed after 3 restarts' });
    expect(await page.locator(`#${kind} [part~="stats"]`).innerText()).toMatch(/For support\s+ICE failed after 3 restarts/);
    await page.context().close();
  });

  it('is operated with the keyboard, with a visible focus ring', async () => {
    const page = await openFixture();
    await tabTo(page, kind, 'call-button');
    expect(await focusOutline(page, kind)).toBe('solid');
    await page.keyboard.press('Enter');
    await push(page, { state: 'connected', connectedAgoMs: 3000, quality: 'good' });
    await tabTo(page, kind, 'mute-button');
    await page.keyboard.press('Space');
    expect(await focusOutline(page, kind)).toBe('solid');
    const pressed = await page.evaluate(
      (k) => document.querySelector(`#${k}`)!.shadowRoot!.querySelector('[part~="mute-button"]')!.getAttribute('aria-pressed'),
      kind,
    );
    expect(pressed).toBe('true');
    if (kind === 'video') {
      await tabTo(page, kind, 'camera-button');
      await page.keyboard.press('Enter');
      await tabTo(page, kind, 'share-button');
      await page.keyboard.press('Enter');
    }
    await tabTo(page, kind, 'devices-button');
    await page.keyboard.press('Enter');
    await tabTo(page, kind, 'stats-toggle');
    await page.keyboard.press('Enter');
    expect(await text(page, kind)).toContain('Network path');
    await shoot(page, kind, `${kind}-call-connected-details`);
    expect(await axeViolations(page)).toEqual([]);
    await tabTo(page, kind, 'hang-up-button');
    await page.keyboard.press('Enter');
    const requests = await page.evaluate(() =>
      (window as unknown as { firecallFixture: { requests(): string[] } }).firecallFixture.requests(),
    );
    expect(requests).toEqual(kind === 'video' ? ['mute:true', 'camera-off:true', 'share:start', 'hangUp'] : ['mute:true', 'hangUp']);
    expect(await status(page, kind)).toBe('Call ended');
    await shoot(page, kind, `${kind}-call-ended`);
    await page.context().close();
  });

  it('fires firecall- events that bubble out of the shadow root with typed detail', async () => {
    const page = await openFixture();
    await page.evaluate((k) => document.querySelector<HTMLElement & { call(): void }>(`#${k}`)!.call(), kind);
    await push(page, { state: 'connecting', phase: 'checking', timings: { 'requesting-media': 120 } });
    await push(page, { state: 'failed', reason: 'turn-unreachable', timings: { 'requesting-media': 120, 'connecting:checking': 900 } });
    const events = await page.evaluate(() => (window as unknown as { firecallFixture: { events: unknown[] } }).firecallFixture.events);
    expect(events).toEqual([
      {
        type: 'firecall-state',
        target: kind,
        bubbles: true,
        composed: true,
        detail: expect.objectContaining({ state: 'requesting-media', phase: null }),
      },
      {
        type: 'firecall-state',
        target: kind,
        bubbles: true,
        composed: true,
        detail: expect.objectContaining({ state: 'connecting', phase: 'checking', timings: { 'requesting-media': 120 } }),
      },
      {
        type: 'firecall-state',
        target: kind,
        bubbles: true,
        composed: true,
        detail: expect.objectContaining({ state: 'failed', reason: 'turn-unreachable' }),
      },
      {
        type: 'firecall-ended',
        target: kind,
        bubbles: true,
        composed: true,
        detail: {
          callId: 'call-1',
          state: 'failed',
          reason: 'turn-unreachable',
          message: 'Call failed: the relay server cannot be reached. A firewall may block it; try another network or ask IT.',
          timings: { 'requesting-media': 120, 'connecting:checking': 900 },
          duration: 0,
        },
      },
    ]);
    await page.context().close();
  });
});

describe('<incoming-call>', () => {
  it('rings, is accepted with the keyboard, and runs the call', async () => {
    const page = await openFixture();
    expect(await text(page, 'incoming')).toBe('');
    await page.evaluate(() => (window as unknown as { firecallFixture: { ring(from: string): void } }).firecallFixture.ring('ana'));
    expect(await status(page, 'incoming')).toBe('ana is calling Ringing');
    await page.evaluate(() => {
      document.querySelector<HTMLElement & { names: Record<string, string> }>('#incoming')!.names = { ana: 'Ana Weber' };
    });
    expect(await status(page, 'incoming')).toBe('Ana Weber is calling Ringing');
    expect(await text(page, 'incoming')).toContain('Video call from Ana Weber · Ticket T-1042');
    await shoot(page, 'incoming', 'incoming-call-ringing');
    expect(await axeViolations(page)).toEqual([]);
    await tabTo(page, 'incoming', 'accept-button');
    expect(await focusOutline(page, 'incoming')).toBe('solid');
    await page.keyboard.press('Enter');
    expect(await status(page, 'incoming')).toBe('Connecting');
    await push(page, { state: 'connected', connectedAgoMs: 12_000, quality: 'good' });
    expect(await status(page, 'incoming')).toBe('Connected 00:12');
    await shoot(page, 'incoming', 'incoming-call-connected');
    await push(page, { state: 'ended', reason: 'peer-left' });
    expect(await status(page, 'incoming')).toBe('Call ended: Ana Weber left the call.');
    await shoot(page, 'incoming', 'incoming-call-ended');
    await tabTo(page, 'incoming', 'dismiss-button');
    await page.keyboard.press('Enter');
    expect(await text(page, 'incoming')).toBe('');
    const events = await page.evaluate(
      () => (window as unknown as { firecallFixture: { events: Array<{ type: string; detail: unknown }> } }).firecallFixture.events,
    );
    expect(events.find((e) => e.type === 'firecall-incoming')?.detail).toEqual({
      callId: 'in-1',
      from: 'ana',
      kind: 'video',
      context: { recordType: 'ticket', recordId: 'T-1042', label: 'Ticket T-1042' },
    });
    await page.context().close();
  });

  it('declines with the keyboard', async () => {
    const page = await openFixture();
    await page.evaluate(() =>
      (window as unknown as { firecallFixture: { ring(from: string, kind: string): void } }).firecallFixture.ring('ana', 'voice'),
    );
    expect(await text(page, 'incoming')).toContain('Voice call from ana');
    await tabTo(page, 'incoming', 'decline-button');
    await page.keyboard.press('Space');
    const requests = await page.evaluate(() =>
      (window as unknown as { firecallFixture: { requests(): string[] } }).firecallFixture.requests(),
    );
    expect(requests).toEqual(['decline']);
    // The decliner is told what they did, not that the caller declined.
    expect(await status(page, 'incoming')).toBe("You declined ana's call");
    await page.context().close();
  });
});

describe('<incoming-call> when calls cannot reach the user', () => {
  it('says so while the call service is unreachable, and stops once calls can ring again', async () => {
    const page = await openFixture();
    const unreachable = (failing: boolean) =>
      page.evaluate(
        (f) => (window as unknown as { firecallFixture: { incomingUnreachable(f: boolean): void } }).firecallFixture.incomingUnreachable(f),
        failing,
      );
    const notice = () =>
      page.evaluate(
        () => document.querySelector('#incoming')?.shadowRoot?.querySelector<HTMLElement>('[part~="unreachable"]')?.innerText ?? '',
      );
    expect(await notice()).toBe('');
    await unreachable(true);
    expect(await notice()).toBe('Calls cannot reach you right now: the call service is unreachable. Trying again…');
    await shoot(page, 'incoming', 'incoming-call-unreachable');
    expect(await axeViolations(page)).toEqual([]);
    await unreachable(false);
    expect(await notice()).toBe('');
    await page.context().close();
  });
});

describe('reachability and busy, in the words of each side', () => {
  const unanswered = [
    {
      lang: 'en',
      reaching: 'Calling Ana',
      ringing: 'Calling Ana Ringing',
      unavailable: "Ana isn't online right now",
      busy: 'Ana is on another call',
      missed: 'Missed call from ana',
    },
    {
      lang: 'de',
      reaching: 'Ana wird angerufen',
      ringing: 'Ana wird angerufen Es klingelt',
      unavailable: 'Ana ist gerade nicht online',
      busy: 'Ana ist in einem anderen Gespräch',
      missed: 'Verpasster Anruf von ana',
    },
  ] as const;

  it.each(unanswered)('$lang: "Calling" until the callee has the call, then "Ringing"; offline and busy said plainly', async (words) => {
    const page = await openFixture({ lang: words.lang });
    await page.evaluate(() => document.querySelector<HTMLElement & { call(): void }>('#video')!.call());
    await push(page, { state: 'ringing', reachingPeer: true });
    expect(await status(page, 'video')).toBe(words.reaching);
    await push(page, { reachingPeer: false });
    expect(await status(page, 'video')).toBe(words.ringing);
    await push(page, { state: 'ended', reason: 'unavailable', reachingPeer: false });
    expect(await status(page, 'video')).toBe(words.unavailable);
    await shoot(page, 'video', `video-call-unavailable-${words.lang}`);
    expect(await axeViolations(page)).toEqual([]);
    await page.evaluate(() => document.querySelector<HTMLElement & { call(): void }>('#voice')!.call());
    await push(page, { state: 'ended', reason: 'busy' });
    expect(await status(page, 'voice')).toBe(words.busy);
    await shoot(page, 'voice', `voice-call-busy-${words.lang}`);
    await page.evaluate(() =>
      (window as unknown as { firecallFixture: { ring(from: string, kind: string): void } }).firecallFixture.ring('ana', 'voice'),
    );
    await push(page, { state: 'ended', reason: 'cancelled' });
    expect(await status(page, 'incoming')).toBe(words.missed);
    await shoot(page, 'incoming', `incoming-call-missed-${words.lang}`);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });
});

describe('page language and preferences', () => {
  it('speaks German on a lang="de" page', async () => {
    const page = await openFixture({ lang: 'de' });
    expect(await text(page, 'video')).toContain('Videoanruf an Ana');
    await page.evaluate(() => document.querySelector<HTMLElement & { call(): void }>('#video')!.call());
    expect(await status(page, 'video')).toBe('Kamera wird eingeschaltet');
    await push(page, { state: 'connecting', phase: 'relaying' });
    expect(await status(page, 'video')).toBe('Verbindung über Relay-Server');
    await push(page, { state: 'connected', connectedAgoMs: 12_000, quality: 'good' });
    expect(await status(page, 'video')).toBe('Verbunden 00:12');
    expect(await text(page, 'video')).toContain('Auflegen');
    await shoot(page, 'video', 'video-call-connected-de');
    await push(page, { state: 'failed', reason: 'media-denied' });
    expect(await status(page, 'video')).toBe(
      'Anruf fehlgeschlagen: Sie haben Kamera oder Mikrofon blockiert. Erlauben Sie den Zugriff in der Adressleiste und rufen Sie erneut an.',
    );
    await shoot(page, 'video', 'video-call-failed-de');
    expect(await axeViolations(page)).toEqual([]);
    // Switching the page language re-renders at once.
    await page.evaluate(() => {
      document.documentElement.lang = 'en';
    });
    expect(await status(page, 'video')).toMatch(/^Call failed: you blocked the camera/);
    await page.context().close();
  });

  it('lets the host override any message', async () => {
    const page = await openFixture();
    await page.evaluate(() => {
      document.querySelector<HTMLElement & { messages: Record<string, string> }>('#voice')!.messages = {
        callVoice: 'Ring {name} now',
        hangUp: 'End',
      };
    });
    expect(await text(page, 'voice')).toContain('Ring Ana now');
    await page.context().close();
  });

  it('stops the progress animation when the user prefers reduced motion', async () => {
    const animation = async (reducedMotion: boolean) => {
      const page = await openFixture({ reducedMotion });
      await page.evaluate(() => document.querySelector<HTMLElement & { call(): void }>('#video')!.call());
      const name = await page.evaluate(
        () => getComputedStyle(document.querySelector('#video')!.shadowRoot!.querySelector('[part~="progress-bar"] span')!).animationName,
      );
      await page.context().close();
      return name;
    };
    expect(await animation(false)).toBe('firecall-slide');
    expect(await animation(true)).toBe('none');
  });

  it('asks to sign in when no one is signed in', async () => {
    const page = await openFixture();
    await page.evaluate(() => (window as unknown as { firecallFixture: { signOut(): void } }).firecallFixture.signOut());
    expect(await status(page, 'video')).toBe('Sign in to make calls');
    const disabled = await page.evaluate(
      () => document.querySelector('#video')!.shadowRoot!.querySelector<HTMLButtonElement>('[part~="call-button"]')!.disabled,
    );
    expect(disabled).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });
});

/**
 * The controller against Chromium's real RTCRtpSender (a loopback call in one
 * page): the parameters it sets are accepted, and the encoder does what they
 * say. (@roamhq/wrtc cannot serve here: its setParameters rejects every call,
 * even an unchanged getParameters().)
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../../../scripts/chromium.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FLAGS = [
  ...chromiumArgs,
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

interface PageState {
  rung?: string | null;
  videoPausedForBandwidth?: boolean;
  peerVideoPaused?: boolean;
  level?: string | null;
  samples?: number;
  errors: string[];
}
type Params = {
  video: { encodings: RTCRtpEncodingParameters[]; degradationPreference: string | null };
  audio: { encodings: RTCRtpEncodingParameters[]; fmtp: string | null };
};
type Media = { sentHeight: number | null; framesSent: number; receivedHeight: number | null };

let browser: Browser | undefined;
let page: Page;

/** The test page's API, as the page puts it on window. */
type QualityPageWindow = { qualityPage?: Record<string, (...args: unknown[]) => unknown> & { close(): unknown } };

const call = <T>(fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(([name, rest]) => (window as unknown as QualityPageWindow).qualityPage![name as string]!(...(rest as unknown[])), [
    fn,
    args,
  ] as const) as Promise<T>;

/** Poll the page until `check` holds; the value seen last is in the failure message. */
async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  return value;
}

beforeAll(async () => {
  const script = (
    await build({
      entryPoints: [fileURLToPath(new URL('./browser-page.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      write: false,
      logLevel: 'silent',
    })
  ).outputFiles[0]!.text;
  browser = await chromium.launch({ executablePath: chromiumPath, args: FLAGS, timeout: 30_000 });
  page = await browser.newPage();
  await page.route('http://localhost/**', (route) =>
    route.request().url().endsWith('/page.js')
      ? route.fulfill({ contentType: 'text/javascript', body: script })
      : route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><script src="/page.js"></script>' }),
  );
  await page.goto('http://localhost/');
  await page.waitForSelector('html[data-ready]', { state: 'attached' });
  await call('connect');
});

afterAll(async () => {
  await page?.evaluate(() => (window as unknown as QualityPageWindow).qualityPage?.close()).catch(() => undefined);
  await browser?.close();
});

describe('quality controller in Chromium', () => {
  it('has its parameters accepted: top rung, balanced degradation, audio first, Opus FEC and DTX', async () => {
    await call('start');
    const p = await until(
      'top rung applied',
      () => call<Params>('parameters'),
      (p) => p.video.encodings[0]?.maxBitrate === 1_500_000,
    );
    expect(p.video.encodings[0]).toMatchObject({ active: true, maxBitrate: 1_500_000, maxFramerate: 30, scaleResolutionDownBy: 1 });
    expect(p.video.degradationPreference).toBe('balanced');
    expect(p.audio.encodings[0]).toMatchObject({ priority: 'high' });
    // Not 'high': that marks audio DSCP EF, which starved video behind voice QoS (controller.ts AUDIO_FIRST).
    expect(p.audio.encodings[0]!.networkPriority ?? 'low').toBe('low');
    expect(p.audio.fmtp).toMatch(/useinbandfec=1/);
    expect(p.audio.fmtp).toMatch(/usedtx=1/);
    expect((await call<PageState>('state')).errors).toEqual([]);
  });

  it('scales the real encoder to the rung: a 480p camera sent and received at 180p', async () => {
    await call('start', { cameraLadder: [{ name: '180p', height: 180, maxBitrate: 200_000, maxFramerate: 15 }] });
    const p = await until(
      '180p rung applied',
      () => call<Params>('parameters'),
      (p) => p.video.encodings[0]?.maxBitrate === 200_000,
    );
    expect(p.video.encodings[0]!.scaleResolutionDownBy).toBeCloseTo(480 / 180, 2);
    const m = await until(
      '180p frames',
      () => call<Media>('media'),
      (m) => m.sentHeight === 180 && m.receivedHeight === 180,
    );
    expect(m).toMatchObject({ sentHeight: 180, receivedHeight: 180 });
    expect((await call<PageState>('state')).errors).toEqual([]);
  });

  it('pauses the encoder when the network cannot carry video, and says so', async () => {
    // A pause threshold no link meets, any loss counting as congestion, no
    // warm-up: paused on the first sample.
    await call('start', { pauseVideoBelowBps: 1e12, lossClean: 0, warmUpMs: 0, resumeVideoAfterMs: 600_000 });
    await until(
      'video paused',
      () => call<PageState>('state'),
      (s) => s.videoPausedForBandwidth === true,
    );
    const p = await until(
      'encoding inactive',
      () => call<Params>('parameters'),
      (p) => p.video.encodings[0]?.active === false,
    );
    expect(p.video.encodings[0]!.active).toBe(false);
    // Let frames in flight drain, then the frame counter must stand still.
    await new Promise((r) => setTimeout(r, 1_000));
    const before = await call<Media>('media');
    await new Promise((r) => setTimeout(r, 1_500));
    const after = await call<Media>('media');
    expect(after.framesSent).toBe(before.framesSent);
    // The person watching is told too: their picture is stuck on its last frame.
    await until(
      "callee told the caller's video is paused",
      () => call<PageState>('calleeState'),
      (s) => s.peerVideoPaused === true,
    );
    expect((await call<PageState>('state')).errors).toEqual([]);
  });

  it('resumes and shares the screen at full resolution, giving up frame rate (senders found on the pc)', async () => {
    await call('start', {}, false);
    await until(
      'video resumed',
      () => call<Params>('parameters'),
      (p) => p.video.encodings[0]?.active === true,
    );
    await until(
      'callee sees video again',
      () => call<PageState>('calleeState'),
      (s) => s.peerVideoPaused === false,
    );
    await call('shareScreen', true);
    const p = await until(
      'screen rung applied',
      () => call<Params>('parameters'),
      (p) => p.video.degradationPreference === 'maintain-resolution',
    );
    expect(p.video.encodings[0]).toMatchObject({ active: true, maxFramerate: 15, scaleResolutionDownBy: 1 });
    const m = await until(
      'full-resolution frames',
      () => call<Media>('media'),
      (m) => m.sentHeight === 480 && m.receivedHeight === 480,
    );
    expect(m.sentHeight).toBe(480);
    expect((await call<PageState>('state')).errors).toEqual([]);
  });

  it('does not call a camera switched off a paused video: Chromium still sends its black frames', async () => {
    await call('shareScreen', false);
    await call('cameraOn', false);
    const before = (await call<PageState>('calleeState')).samples!;
    const seen: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 500));
      seen.push((await call<PageState>('calleeState')).peerVideoPaused === true);
    }
    await call('cameraOn', true);
    expect(seen).not.toContain(true);
    // The callee kept looking all along (a stopped watcher would say nothing either).
    expect((await call<PageState>('calleeState')).samples! - before).toBeGreaterThanOrEqual(5);
  });
});

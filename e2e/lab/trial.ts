/**
 * One call across a lab network: two fresh browsers, the caller clicks "call",
 * the callee accepts on ring, and the lab watches what a user would notice
 * (first remote frame, media on both sides, the path, states, recovery).
 *
 * `variant` picks the page: 'firecall' (the engine with the harness) or
 * 'baseline' (the plain WebRTC floor). Both are observed by the same probe.
 */
import { BROWSER_NAMES, launchLabPeer, type BrowserName, type LabPage, type LabPeer } from './browser';
import { pageAssets } from './bundle';
import { computeGrant } from './credentials';
import { delay, waitFor, withTimeout } from './processes';
import { relayMessages, type RelayStats } from './relay';
import type { Lab } from './topology';
import type { TurnService } from './turn';
import type { ObservedPath, MediaCounters } from './pages/probe';
import type { BaselineTimings } from './pages/baseline';
import type { FirecallOutcome } from './pages/firecall';
import { FirecallDriver, type Identity } from './firecall-driver';

export type Variant = 'firecall' | 'baseline';

/** Which browser each side runs (both Chromium unless told). */
export interface BrowserPair {
  caller: BrowserName;
  callee: BrowserName;
}

export const CHROMIUM_PAIR: BrowserPair = { caller: 'chromium', callee: 'chromium' };

/** `chromium-firefox,firefox-chromium` -> the pairs (caller-callee), or a clear error naming the bad one. */
export function parseBrowserPairs(text: string): BrowserPair[] {
  return text.split(',').map((item) => {
    const [caller, callee, ...rest] = item.trim().split('-');
    const known = (name: string | undefined): name is BrowserName => BROWSER_NAMES.includes(name as BrowserName);
    if (!known(caller) || !known(callee) || rest.length > 0)
      throw new Error(`--browsers takes CALLER-CALLEE pairs of ${BROWSER_NAMES.join(' or ')}, e.g. chromium-firefox; got "${item}".`);
    return { caller, callee };
  });
}

/** ' chromium->firefox' for a mixed or Firefox pair, '' for the Chromium pair every older row is. */
export function pairLabel(pair: BrowserPair): string {
  return pair.caller === 'chromium' && pair.callee === 'chromium' ? '' : ` ${pair.caller}->${pair.callee}`;
}

export interface TrialOptions {
  variant: Variant;
  browsers?: BrowserPair;
  signalingLatencyMs?: number;
  /** How long to wait for the first remote frame before calling the trial failed. */
  setupTimeoutMs?: number;
  /** Upper bound for the whole trial, browsers included. */
  trialTimeoutMs?: number;
  /** link-flap: how long the caller's link stays cut. */
  cutMs?: number;
  /** squeeze: the caller's link rate before/after and during the squeeze, and how long it lasts. */
  squeeze?: { highKbit: number; lowKbit: number; holdMs: number };
  /** firecall only: a voice call is "up" when audio is heard both ways (no frames to present). */
  kind?: 'video' | 'voice';
  /**
   * Idle time between the pages being ready and the click (default 1 s). A CRM user's page
   * is open long before the call; right after launch two fresh Chromiums still fill both cores.
   */
  settleMs?: number;
  /** Who calls whom; defaults to two users with credentials the lab computes itself. */
  identities?: { caller: Identity; callee: Identity };
  /** Runs once media flows both ways (the outage bench breaks the call here); inside the trial's time bound. */
  duringCall?: (call: ConnectedCall) => Promise<void>;
}

/** A call with media both ways, as `duringCall` gets it: the pages, and each variant's signaling. */
export interface ConnectedCall {
  caller: LabPage;
  callee: LabPage;
  /** firecall: the harness of the pages' stores; null on the baseline page. */
  driver: FirecallDriver | null;
  /** baseline: its message relay; null on the firecall page. */
  relay: RelayStats | null;
}

export interface TrialResult {
  scenario: string;
  variant: Variant;
  browsers: BrowserPair;
  connected: boolean;
  /** Click -> first remote frame presented on the caller (ms); voice: click -> remote audio heard on the caller. */
  setupMs: number | null;
  /** Click -> the call reported failure (ms). */
  failedAfterMs: number | null;
  failReason: string | null;
  path: { caller: ObservedPath | null; callee: ObservedPath | null };
  media: { caller: MediaCounters | null; callee: MediaCounters | null };
  /** Milliseconds from click to each milestone (baseline) or per state/phase (firecall). */
  phasesMs: Record<string, number>;
  /** Caller's observed states, e.g. ['requesting-media', 'ringing', 'connecting:signaling', ...]. */
  states: string[];
  /** The same with when each began, in ms after the click. */
  timeline: Array<{ state: string; atMs: number; reason: string | null }>;
  /** link-flap: link restored -> first remote frame on the caller (ms). */
  recoveryMs?: number | null;
  /** link-flap: the caller showed 'reconnecting' while the link was cut. */
  sawReconnecting?: boolean;
  /**
   * link-flap: after media is back, until 8 s after the link returned, how long the caller
   * sent a smaller picture than before the cut (ms), and the smallest; null without video.
   */
  softer?: { ms: number; lowestHeight: number } | null;
  /** squeeze: remote frames per second the callee presented before, during and after the squeeze. */
  squeeze?: { fpsBefore: number; fpsDuring: number; fpsAfter: number };
  /** The caller's call state when the trial ended (firecall), e.g. 'connected'. */
  finalState?: string | null;
  signalingWrites: number;
  /** firecall: how the caller's call ended before media, e.g. 'failed:no-route'. */
  endState?: string | null;
  error: string | null;
}

const PAGES = {
  baseline: new URL('./pages/baseline.ts', import.meta.url),
  firecall: new URL('./pages/firecall.ts', import.meta.url),
};

export async function runTrial(lab: Lab, turn: TurnService, options: TrialOptions): Promise<TrialResult> {
  const latency = options.signalingLatencyMs ?? 150;
  const setupTimeout = options.setupTimeoutMs ?? 20_000;
  const settle = options.settleMs ?? 1_000;
  const identities = options.identities ?? {
    caller: { uid: 'lab-caller', grant: async () => computeGrant(turn, 'lab-caller') },
    callee: { uid: 'lab-callee', grant: async () => computeGrant(turn, 'lab-callee') },
  };
  const result: TrialResult = {
    scenario: lab.scenario.name,
    variant: options.variant,
    browsers: options.browsers ?? CHROMIUM_PAIR,
    connected: false,
    setupMs: null,
    failedAfterMs: null,
    failReason: null,
    path: { caller: null, callee: null },
    media: { caller: null, callee: null },
    phasesMs: {},
    states: [],
    timeline: [],
    signalingWrites: 0,
    error: null,
  };
  const assets = await pageAssets(PAGES[options.variant]);
  const peers: LabPeer[] = [];
  let driver: FirecallDriver | null = null;
  const body = async () => {
    const [caller, callee] = await Promise.all([
      launchLabPeer(lab, 'caller', assets, result.browsers.caller),
      launchLabPeer(lab, 'callee', assets, result.browsers.callee),
    ]);
    peers.push(caller, callee);
    let click: number;
    let heardAt: number | null = null;
    let relay: RelayStats | null = null;
    if (options.variant === 'baseline') {
      const [callerGrant, calleeGrant] = await Promise.all([identities.caller.grant(), identities.callee.grant()]);
      relay = await relayMessages(caller.page, callee.page, latency);
      await callee.page.evaluate((servers) => window.baseline.answerOnRing(servers), calleeGrant.iceServers);
      await delay(settle);
      click = await caller.page.evaluate((servers) => {
        window.baseline.call(servers);
        return window.baseline.timings!.click;
      }, callerGrant.iceServers);
      await waitForOutcome(caller.page, setupTimeout, () => caller.page.evaluate(() => window.baseline.timings?.failed ?? null));
      const timings = await caller.page.evaluate(() => window.baseline.timings);
      result.phasesMs = baselinePhases(timings);
      if (timings?.failed) {
        result.failedAfterMs = timings.failed - timings.click;
        result.failReason = 'ice-failed';
      }
      result.error = await caller.page.evaluate(() => window.baseline.error);
      result.signalingWrites = relay.messages;
    } else {
      const d = (driver = await FirecallDriver.start(caller.page, callee.page, { latencyMs: latency, ...identities }));
      await delay(settle);
      click = await d.call(options.kind);
      if (options.kind === 'voice') {
        // Voice: up once the caller hears the callee (audio energy of the remote track > 0).
        await waitFor(async () => (await mediaOf(caller.page)).audioEnergy > 0 || failedAt(await d.outcome()) !== null, setupTimeout);
        if ((await mediaOf(caller.page)).audioEnergy > 0) heardAt = Date.now();
      } else await waitForOutcome(caller.page, setupTimeout, async () => failedAt(await d.outcome()));
      const outcome = await d.outcome();
      result.phasesMs = outcome.timings;
      result.states = outcome.marks.map((m) => m.state);
      result.timeline = timelineOf(outcome, click);
      result.endState = outcome.state === 'ended' || outcome.state === 'failed' ? `${outcome.state}:${outcome.reason}` : null;
      const failed = failedAt(outcome);
      if (failed !== null) {
        result.failedAfterMs = failed - click;
        result.failReason = outcome.reason;
      }
      result.error = outcome.error;
      result.signalingWrites = await d.writes();
    }

    const firstFrame = options.kind === 'voice' ? heardAt : await firstFrameAfter(caller.page, click);
    if (firstFrame !== null) {
      result.connected = true;
      result.setupMs = firstFrame - click;
      // Media both ways: the callee must see (voice: hear) the caller too.
      if (options.kind === 'voice') await waitFor(async () => (await mediaOf(callee.page)).audioEnergy > 0, 10_000);
      else await waitFor(async () => (await frameCount(callee.page)) > 0, 10_000);
      result.path = { caller: await pathOf(caller.page), callee: await pathOf(callee.page) };
      if (lab.scenario.name === 'link-flap') {
        const flap = await linkFlap(lab, caller.page, options.cutMs ?? 5_000, driver);
        result.recoveryMs = flap.recoveryMs;
        result.sawReconnecting = flap.sawReconnecting;
        result.softer = flap.softer;
        if (driver) {
          const outcome = await driver.outcome();
          result.states = outcome.marks.map((m) => m.state);
          result.timeline = timelineOf(outcome, click);
        }
      }
      if (lab.scenario.name === 'squeeze') {
        result.squeeze = await squeeze(lab, callee.page, options.squeeze ?? DEFAULT_SQUEEZE);
      }
      await options.duringCall?.({ caller: caller.page, callee: callee.page, driver, relay });
      result.media = { caller: await mediaOf(caller.page), callee: await mediaOf(callee.page) };
      if (driver) result.finalState = (await driver.outcome()).state;
    }
  };
  try {
    // A hung page must not hang the run: closing the browsers ends whatever still waits on them.
    await withTimeout(body(), options.trialTimeoutMs ?? 90_000, `${lab.scenario.name} ${options.variant} trial`);
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    const started = driver as FirecallDriver | null; // assigned inside body()
    await withTimeout(started?.stop() ?? Promise.resolve(), 5_000, 'hanging up').catch(() => undefined);
    await Promise.all(peers.map((p) => p.close()));
  }
  return result;
}

/** Resolves when the caller presents a remote frame or the call reports failure, or after `timeoutMs`. */
async function waitForOutcome(page: LabPage, timeoutMs: number, failedAt: () => Promise<number | null>): Promise<void> {
  await waitFor(async () => (await frameCount(page)) > 0 || (await failedAt()) !== null, timeoutMs);
}

function frameCount(page: LabPage): Promise<number> {
  return withTimeout(
    page.evaluate(() => window.probe.frameTimes.length),
    5_000,
    'reading frame count',
  );
}

async function firstFrameAfter(page: LabPage, since: number): Promise<number | null> {
  return page.evaluate((t) => window.probe.frameTimes.find((f) => f >= t) ?? null, since);
}

function pathOf(page: LabPage): Promise<ObservedPath | null> {
  return withTimeout(
    page.evaluate(() => window.probe.path()),
    5_000,
    'reading the selected path',
  );
}

function mediaOf(page: LabPage): Promise<MediaCounters> {
  return withTimeout(
    page.evaluate(() => window.probe.media()),
    5_000,
    'reading media counters',
  );
}

function baselinePhases(t: BaselineTimings | null): Record<string, number> {
  if (!t) return {};
  const out: Record<string, number> = {};
  for (const key of ['media', 'offerSent', 'answerReceived', 'iceConnected', 'connected', 'failed'] as const) {
    const at = t[key];
    if (at !== undefined) out[key] = Math.round(at - t.click);
  }
  return out;
}

async function linkFlap(
  lab: Lab,
  caller: LabPage,
  cutMs: number,
  driver: FirecallDriver | null,
): Promise<{ recoveryMs: number | null; sawReconnecting: boolean; softer: TrialResult['softer'] }> {
  await delay(1_500); // a settled call first
  const heightBefore = await caller.evaluate(() => window.probe.sentHeight());
  await lab.setLinkCut('caller', true);
  await delay(cutMs);
  await lab.setLinkCut('caller', false);
  const restoredAt = Date.now();
  const back = await waitFor(async () => caller.evaluate((t) => window.probe.frameTimes.some((f) => f > t), restoredAt), 15_000);
  const recoveryMs = back ? (await caller.evaluate((t) => window.probe.frameTimes.find((f) => f > t)!, restoredAt)) - restoredAt : null;
  // Frames presented while the link was still cut would be stale ones: only frames after restore count.
  const states = driver ? (await driver.outcome()).marks.map((m) => m.state) : [];
  return {
    recoveryMs,
    sawReconnecting: states.includes('reconnecting'),
    softer: back ? await softerAfter(caller, heightBefore, restoredAt + 8_000) : null,
  };
}

/** A cut is no sign of a thin link: polls what the caller sends until `until`, against the height it sent before. */
async function softerAfter(caller: LabPage, heightBefore: number | null, until: number): Promise<TrialResult['softer']> {
  if (heightBefore === null) return null;
  const softer = { ms: 0, lowestHeight: heightBefore };
  for (let at = Date.now(); at < until;) {
    await delay(250);
    const height = await caller.evaluate(() => window.probe.sentHeight());
    const now = Date.now();
    // No reading (no outbound video in the stats) says nothing about its size.
    if (height !== null && height < heightBefore) softer.ms += now - at;
    softer.lowestHeight = Math.min(softer.lowestHeight, height ?? heightBefore);
    at = now;
  }
  return softer;
}

function timelineOf(outcome: FirecallOutcome, click: number): TrialResult['timeline'] {
  return outcome.marks.map((m) => ({ state: m.state, atMs: Math.round(m.at - click), reason: m.reason }));
}

export const DEFAULT_SQUEEZE = { highKbit: 2_500, lowKbit: 250, holdMs: 6_000 };

/** Squeezes the caller's link and counts what the callee sees of the caller's video. */
async function squeeze(lab: Lab, callee: LabPage, plan: { highKbit: number; lowKbit: number; holdMs: number }) {
  const fps = async (from: number, to: number) =>
    ((await callee.evaluate(([a, b]) => window.probe.frameTimes.filter((f) => f >= a! && f < b!).length, [from, to])) * 1000) / (to - from);
  await delay(2_000);
  const start = Date.now();
  await lab.setRate('caller', plan.lowKbit);
  await delay(plan.holdMs);
  const end = Date.now();
  await lab.setRate('caller', plan.highKbit);
  await delay(3_000);
  const after = Date.now();
  return { fpsBefore: await fps(start - 2_000, start), fpsDuring: await fps(start, end), fpsAfter: await fps(end, after) };
}

/** When the call ended without media (failed, or ended by the other side), if it did. */
function failedAt(outcome: FirecallOutcome): number | null {
  return outcome.marks.find((m) => m.state === 'failed' || m.state === 'ended')?.at ?? null;
}

declare global {
  interface Window {
    probe: import('./pages/probe').Probe;
  }
}

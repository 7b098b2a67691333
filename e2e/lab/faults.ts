/**
 * Pieces for the fault tests: a firecall call between two lab
 * browsers that the test can break on purpose (kill a browser, take signaling
 * offline, crash a TURN host), and what a user would notice afterwards: the
 * presented remote frames (the picture) and the inbound audio packets (the sound).
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { launchPeer, type Peer } from './browser';
import { pageAssets } from './bundle';
import { FirecallDriver, type Identity } from './firecall-driver';
import { run, signalPid, waitFor, withTimeout } from './processes';
import type { Lab, Side } from './topology';
import type { CallTimeouts } from '../../app/src/call/index';
import type { FirecallOutcome } from './pages/firecall';
import type { InboundSample, RelayInUse } from './pages/faults';

const PAGE = new URL('./pages/faults.ts', import.meta.url);

export interface FaultCall {
  caller: Peer;
  callee: Peer;
  driver: FirecallDriver;
  /** The caller clicks "call"; returns the click time (epoch ms). */
  call(): Promise<number>;
  /** Hangs up politely where a browser is still there and closes both browsers. */
  close(): Promise<void>;
}

/**
 * Two browsers in the lab, each with a signed-in user, the callee answering on ring;
 * nobody has called yet. The lab's dispose also closes the browsers, should `close` not run.
 * `timeouts` shortens the engine's waits on both pages (e.g. a reconnect deadline a test can sit through).
 */
export async function prepareCall(
  lab: Lab,
  identities: { caller: Identity; callee: Identity },
  { latencyMs = 150, timeouts }: { latencyMs?: number; timeouts?: Partial<CallTimeouts> } = {},
): Promise<FaultCall> {
  const assets = await pageAssets(PAGE);
  const peers = await Promise.allSettled([launchPeer(lab, 'caller', assets), launchPeer(lab, 'callee', assets)]);
  const launched = peers.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []));
  const failed = peers.find((p): p is PromiseRejectedResult => p.status === 'rejected');
  if (failed) {
    await Promise.all(launched.map((p) => p.close()));
    throw failed.reason;
  }
  const [caller, callee] = launched as [Peer, Peer];
  let driver: FirecallDriver;
  try {
    driver = await FirecallDriver.start(caller.page, callee.page, { latencyMs, ...identities, ...(timeouts ? { timeouts } : {}) });
  } catch (error) {
    await Promise.all([caller.close(), callee.close()]);
    throw error;
  }
  return {
    caller,
    callee,
    driver,
    call: () => driver.call(),
    async close() {
      await withTimeout(driver.stop(), 5_000, 'hanging up').catch(() => undefined);
      await Promise.all([caller.close(), callee.close()]);
    },
  };
}

/** Epoch ms of every remote video frame this page presented. */
export function frameTimes(page: Page): Promise<number[]> {
  return withTimeout(
    page.evaluate(() => window.probe.frameTimes.slice()),
    5_000,
    'reading presented frames',
  );
}

/** The first remote frame presented at or after `since`, waiting up to `timeoutMs`; null if none. */
export async function firstFrameAfter(page: Page, since: number, timeoutMs: number): Promise<number | null> {
  let found: number | null = null;
  await waitFor(async () => {
    found = (await frameTimes(page)).find((f) => f >= since) ?? null;
    return found !== null;
  }, timeoutMs);
  return found;
}

/**
 * The longest stretch without a presented remote frame between `from` and `to`: the
 * freeze the user saw. It counts from the last frame before `from` and up to `to`
 * when no frame came after the last one.
 */
export function longestFreeze(frames: number[], from: number, to: number): number {
  const before = frames.filter((f) => f < from);
  let last = before.length ? before[before.length - 1]! : from;
  let worst = 0;
  for (const f of frames.filter((t) => t >= from && t <= to)) {
    worst = Math.max(worst, f - last);
    last = f;
  }
  return Math.max(worst, to - last);
}

/** Starts reading the page's inbound packet counters every 100 ms. */
export function watchInbound(page: Page): Promise<void> {
  return withTimeout(
    page.evaluate(() => window.faults.watchInbound()),
    5_000,
    'watching inbound media',
  );
}

/**
 * The longest stretch between `from` and `to` in which no audio packet arrived: the
 * silence the user heard (the audio comes back first; the picture waits for a key frame).
 */
export async function longestSilence(page: Page, from: number, to: number): Promise<number> {
  const samples: InboundSample[] = await withTimeout(
    page.evaluate(() => window.faults.inbound()),
    5_000,
    'reading inbound media',
  );
  const grew = samples.filter((s, i) => i > 0 && s.audioPackets > samples[i - 1]!.audioPackets).map((s) => s.at);
  return longestFreeze(grew, from, to);
}

/** The TURN host and allocation this page's selected ICE pair relays through; null when direct. */
export function relayInUse(page: Page): Promise<RelayInUse | null> {
  return withTimeout(
    page.evaluate(() => window.faults.relayInUse()),
    5_000,
    'reading the relay in use',
  );
}

/** When the TURN credentials this page's call is configured with expire (epoch ms). */
export function credentialsExpireAt(page: Page): Promise<number | null> {
  return withTimeout(
    page.evaluate(() => window.faults.credentialsExpireAt()),
    5_000,
    'reading the configured credentials',
  );
}

export function outcomeOf(page: Page): Promise<FirecallOutcome> {
  return withTimeout(
    page.evaluate(() => window.firecall.outcome()),
    5_000,
    'reading the call outcome',
  );
}

/**
 * Kills a side's browser the hard way (SIGKILL to every process in its namespace, as
 * a crash or a pulled plug): no bye, no last signaling write, no DTLS goodbye.
 * Returns when the processes are gone.
 */
export async function killBrowser(lab: Lab, side: Side): Promise<void> {
  const pidsOf = async () =>
    (await run('ip', ['netns', 'pids', lab.hostNs(side)], { allowFailure: true }))
      .split('\n')
      .map(Number)
      .filter((p) => p > 0 && !isZombie(p));
  const pids = await pidsOf();
  if (pids.length === 0) throw new Error(`no browser processes in ${lab.hostNs(side)}`);
  for (const pid of pids) signalPid(pid, 'SIGKILL');
  if (!(await waitFor(async () => (await pidsOf()).length === 0, 5_000, 20))) throw new Error(`the ${side}'s browser did not die`);
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // gone
  }
}

/** A user whose every `grant()` (a TURN credential fetch) is recorded: when it started and how long it took. */
export function countingGrants(identity: Identity): Identity & { grants: number[]; tookMs: number[] } {
  const grants: number[] = [];
  const tookMs: number[] = [];
  return {
    uid: identity.uid,
    grants,
    tookMs,
    grant: async () => {
      const at = Date.now();
      grants.push(at);
      try {
        return await identity.grant();
      } finally {
        tookMs.push(Date.now() - at);
      }
    },
  };
}

/**
 * Load in the lab: N firecall calls at once between two real Chromiums
 * (one per side, one tab per call) through one coturn, held for a while. Records what a
 * user would notice per call (connect time, path, remote video still arriving in every
 * window, the call's state) and what it costs (coturn, browsers and machine CPU; what
 * coturn received and sent).
 */
import type { Page } from 'playwright-core';
import { pageAssets } from './bundle';
import { coreCount, descendantPids, machineCpuSeconds, namespacePids, processCpuSeconds, ProcessSetCpu } from './cpu';
import { FirecallDriver, type Identity } from './firecall-driver';
import { delay, withTimeout } from './processes';
import { launchTabs, type Tabs } from './tabs';
import { countTurnTraffic, coturnPid } from './turn-traffic';
import type { Lab } from './topology';
import type { TurnService } from './turn';
import type { MediaCounters, ObservedPath } from './pages/probe';
import type { FirecallOutcome } from './pages/firecall';
import { LOW_RES } from './pages/camera-size';

export interface LoadOptions {
  /** One caller and one callee per call, distinct users. */
  pairs: Array<{ caller: Identity; callee: Identity }>;
  holdSeconds: number;
  windowSeconds: number;
  /** How long every call may take to show remote video on both sides. */
  setupTimeoutMs?: number;
  signalingLatencyMs?: number;
  log?: (line: string) => void;
}

export interface CallFigures {
  /** Click -> first remote frame presented on the caller / callee tab (ms). */
  connectMs: { caller: number | null; callee: number | null };
  path: { caller: ObservedPath | null; callee: ObservedPath | null };
  /** Remote video frames decoded in each window of the hold, per side. */
  framesPerWindow: { caller: number[]; callee: number[] };
  /** Media received by both sides together over the hold (kbit/s, from getStats). */
  kbps: number;
  /** The call's state on each side at the end, e.g. 'connected'. */
  endState: { caller: string | null; callee: string | null };
  /** States other than connected shown during the hold ('reconnecting', 'ended', ...), both sides. */
  heldStates: string[];
  /** When the call was placed, s after the first call was placed. */
  placedAtS: number;
  /** Every state each side showed, with when (s after the first call was placed): for calls that went wrong. */
  timeline: { caller: string; callee: string };
}

export interface LoadResult {
  camera: string;
  calls: CallFigures[];
  heldSeconds: number;
  /** When the hold began, s after the first call was placed. */
  holdStartS: number;
  coturn: { port: number; cpuPercent: number };
  /** % of one core, per side's browser (all its processes). */
  browsers: { caller: number; callee: number };
  /** The whole machine's busy time, % of all cores. */
  machinePercent: number;
  cores: number;
  /** The rest of the lab (packet delayers, emulators, this test process driving the tabs), % of one core. */
  labRestPercentOfOneCore: number;
  /** Everything on the machine outside this lab (other suites), % of one core. */
  othersPercentOfOneCore: number;
  /** What coturn received and sent over the hold (kbit/s, IP bytes). */
  relay: { inKbps: number; outKbps: number };
}

const PAGE = new URL('./pages/firecall-low-res.ts', import.meta.url);
const TURN_PORT = 3478;
const END_GRACE_MS = 5_000;
const SETTLE_MS = 2_000;

export async function runLoad(lab: Lab, turn: TurnService, options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => undefined);
  const count = options.pairs.length;
  const assets = await pageAssets(PAGE);
  const sides: Tabs[] = [];
  const drivers: FirecallDriver[] = [];
  try {
    sides.push(...(await Promise.all([launchTabs(lab, 'caller', assets, count), launchTabs(lab, 'callee', assets, count)])));
    const [callers, callees] = [sides[0]!.pages, sides[1]!.pages];
    for (let i = 0; i < count; i++) {
      drivers.push(
        await FirecallDriver.start(callers[i]!, callees[i]!, { latencyMs: options.signalingLatencyMs ?? 150, ...options.pairs[i]! }),
      );
    }
    log(`load: ${count} caller tabs and ${count} callee tabs ready; placing ${count} calls, one after another`);

    // One call after another, each placed while the earlier ones run: its connect time is
    // measured under the load already there (the last one with all the others up).
    const firstFrames: Array<{ caller: number | null; callee: number | null }> = [];
    const clicks: number[] = [];
    for (let i = 0; i < count; i++) {
      const click = await drivers[i]!.call();
      clicks.push(click);
      const frames = await waitForVideo(callers[i]!, callees[i]!, click, drivers[i]!, options.setupTimeoutMs ?? 30_000);
      firstFrames.push(frames);
      const state = stateText(await drivers[i]!.outcome());
      log(`load: call ${i + 1}: ${state}, first remote frame after ${frames.caller} ms (caller) / ${frames.callee} ms (callee)`);
      // Let the machine settle before the next setup burst (camera start, ICE, encoders) lands
      // on the calls already running: 8 calls held at once is the load, not 8 setups at once.
      await delay(SETTLE_MS);
    }
    const paths = await Promise.all([...callers, ...callees].map((p) => read(p, () => window.probe.path())));
    log(`load: ${firstFrames.filter((f) => f.caller !== null && f.callee !== null).length}/${count} calls show video both ways`);

    const tabs = [...callers, ...callees];
    const pid = await coturnPid(lab, TURN_PORT);
    const traffic = await countTurnTraffic(lab, turn.host);
    // The lab's namespaces and everything this process started (emulators included).
    const labPids = async () => [
      ...new Set([...(await Promise.all(Object.values(lab.ns).map(namespacePids))).flat(), ...descendantPids()]),
    ];
    const meters = {
      caller: new ProcessSetCpu(() => namespacePids(lab.hostNs('caller'))),
      callee: new ProcessSetCpu(() => namespacePids(lab.hostNs('callee'))),
      lab: new ProcessSetCpu(labPids),
    };
    const media: MediaCounters[][] = [await Promise.all(tabs.map(mediaOf))];
    const traffic0 = await traffic.read();
    const coturn0 = processCpuSeconds(pid) ?? 0;
    const machine0 = machineCpuSeconds();
    const own0 = process.cpuUsage();
    await Promise.all(Object.values(meters).map((m) => m.start()));
    const started = Date.now();
    const windows = Math.round(options.holdSeconds / options.windowSeconds);
    for (let w = 1; w <= windows; w++) {
      await delay(started + w * options.windowSeconds * 1000 - Date.now());
      media.push(await Promise.all(tabs.map(mediaOf)));
      await Promise.all(Object.values(meters).map((m) => m.sample()));
      log(`load: ${w * options.windowSeconds} s held`);
    }
    const elapsed = (Date.now() - started) / 1000;
    const traffic1 = await traffic.read();
    const coturnSeconds = (processCpuSeconds(pid) ?? coturn0) - coturn0;
    const machine1 = machineCpuSeconds();
    const own = process.cpuUsage(own0);

    // "Still connected at the end": a call in a momentary 'reconnecting' blip at this very
    // instant gets a few seconds to show 'connected' again; an ended or failed call stays so.
    let outcomes = await Promise.all(drivers.flatMap((d) => [d.outcome('caller'), d.outcome('callee')]));
    for (const until = Date.now() + END_GRACE_MS; outcomes.some((o) => o.state === 'reconnecting') && Date.now() < until;) {
      await delay(250);
      outcomes = await Promise.all(drivers.flatMap((d) => [d.outcome('caller'), d.outcome('callee')]));
    }
    // A call that ended closed its connection and its counters with it: that reads as 0, not less.
    const frames = (tab: number) => media.slice(1).map((m, w) => Math.max(0, m[tab]!.framesDecoded - media[w]![tab]!.framesDecoded));
    const bytes = (tab: number) => Math.max(0, media[windows]![tab]!.bytesReceived - media[0]![tab]!.bytesReceived);
    const calls = drivers.map((_, i): CallFigures => {
      const [caller, callee] = [outcomes[2 * i]!, outcomes[2 * i + 1]!];
      return {
        connectMs: firstFrames[i]!,
        path: { caller: paths[i]!, callee: paths[count + i]! },
        framesPerWindow: { caller: frames(i), callee: frames(count + i) },
        kbps: Math.round(((bytes(i) + bytes(count + i)) * 8) / 1000 / elapsed),
        endState: { caller: stateText(caller), callee: stateText(callee) },
        heldStates: [...statesSince(caller, started), ...statesSince(callee, started)],
        placedAtS: secondsAfter(clicks[0]!, clicks[i]!),
        timeline: { caller: timelineOf(caller, clicks[0]!), callee: timelineOf(callee, clicks[0]!) },
      };
    });
    const machineBusy = machine1.busy - machine0.busy;
    const labSeconds = meters.lab.seconds() + (own.user + own.system) / 1e6;
    const percent = (seconds: number) => round1((seconds / elapsed) * 100);
    return {
      camera: `${LOW_RES.width}x${LOW_RES.height} at ${LOW_RES.frameRate} fps (fake camera)`,
      calls,
      heldSeconds: Math.round(elapsed),
      holdStartS: secondsAfter(clicks[0]!, started),
      coturn: { port: TURN_PORT, cpuPercent: percent(coturnSeconds) },
      browsers: { caller: round1(meters.caller.percentOfOneCore()), callee: round1(meters.callee.percentOfOneCore()) },
      machinePercent: round1((machineBusy / (machine1.total - machine0.total)) * 100),
      cores: coreCount(),
      labRestPercentOfOneCore: percent(Math.max(0, labSeconds - meters.caller.seconds() - meters.callee.seconds() - coturnSeconds)),
      othersPercentOfOneCore: percent(Math.max(0, machineBusy - labSeconds)),
      relay: {
        inKbps: Math.round(((traffic1.inBytes - traffic0.inBytes) * 8) / 1000 / elapsed),
        outKbps: Math.round(((traffic1.outBytes - traffic0.outBytes) * 8) / 1000 / elapsed),
      },
    };
  } finally {
    await Promise.all(drivers.map((d) => withTimeout(d.stop(), 5_000, 'hanging up').catch(() => undefined)));
    await Promise.all(sides.map((s) => s.peer.close()));
  }
}

/** Waits until a call presents remote video on both tabs, fails, or the time is up; click -> first frame, per side. */
async function waitForVideo(caller: Page, callee: Page, click: number, driver: FirecallDriver, timeoutMs: number) {
  const firstFrame = (page: Page) =>
    read(page, () => window.probe.frameTimes[0] ?? null).then((f) => (f === null ? null : Math.round(f - click)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = { caller: await firstFrame(caller), callee: await firstFrame(callee) };
    if ((frames.caller !== null && frames.callee !== null) || Date.now() > deadline) return frames;
    if (['ended', 'failed'].includes((await driver.outcome()).state ?? '')) return frames;
    await delay(100);
  }
}

const stateText = (o: FirecallOutcome) => (o.state && o.reason && o.state !== 'connected' ? `${o.state}:${o.reason}` : o.state);

const secondsAfter = (t0: number, t: number) => Math.round((t - t0) / 100) / 10;

function timelineOf(outcome: FirecallOutcome, t0: number): string {
  return outcome.marks.map((m) => `${m.reason ? `${m.state}:${m.reason}` : m.state}@${secondsAfter(t0, m.at)}`).join(' > ');
}

function statesSince(outcome: FirecallOutcome, since: number): string[] {
  return outcome.marks.filter((m) => m.at >= since).map((m) => (m.reason ? `${m.state}:${m.reason}` : m.state));
}

function mediaOf(page: Page): Promise<MediaCounters> {
  return read(page, () => window.probe.media());
}

function read<T>(page: Page, fn: () => T | Promise<T>): Promise<T> {
  // Generous: on an overloaded machine a busy tab answers late, which is not a dropped call.
  return withTimeout(page.evaluate(fn), 30_000, 'reading a tab');
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The printed summary: one block, the figures first. */
export function describeLoad(r: LoadResult): string {
  const n = r.calls.length;
  const connected = r.calls.filter((c) => c.connectMs.caller !== null && c.connectMs.callee !== null).length;
  const relayed = r.calls.filter((c) => isRelayed(c)).length;
  const dropped = r.calls.filter((c) => !heldUp(c)).length;
  const connects = r.calls.map((c) => c.connectMs.caller).filter((ms): ms is number => ms !== null);
  const kbps = r.calls.map((c) => c.kbps);
  const minFrames = Math.min(...r.calls.flatMap((c) => [...c.framesPerWindow.caller, ...c.framesPerWindow.callee]));
  const reconnects = r.calls.reduce((sum, c) => sum + c.heldStates.filter((s) => s.startsWith('reconnecting')).length, 0);
  const mbit = (kbit: number) => (kbit / 1000).toFixed(2);
  return [
    `load: ${connected}/${n} relayed calls connected (${relayed}/${n} over a relay path), ${dropped} dropped in ${r.heldSeconds} s; ` +
      `coturn ${r.coturn.cpuPercent}% of one core; relay ${mbit(r.relay.inKbps)} Mbit/s (${Math.round(r.relay.inKbps / n)} kbit/s per call); ` +
      `machine CPU ${r.machinePercent}% of ${r.cores} cores`,
    `  camera ${r.camera}; connect (click -> first remote frame on the caller, each call placed while the earlier ones run): ` +
      `median ${median(connects)} ms, max ${Math.max(...connects)} ms, last call ${r.calls[n - 1]?.connectMs.caller ?? 'none'} ms`,
    `  coturn (port ${r.coturn.port}) received ${mbit(r.relay.inKbps)} Mbit/s and sent ${mbit(r.relay.outKbps)} Mbit/s`,
    `  media received per call, both sides (getStats): min ${Math.min(...kbps)}, median ${median(kbps)}, max ${Math.max(...kbps)} kbit/s`,
    `  fewest remote frames decoded by any tab in any ${Math.round(r.heldSeconds / (r.calls[0]?.framesPerWindow.caller.length || 1))} s window: ${minFrames}; 'reconnecting' shown ${reconnects} times`,
    `  browsers: caller ${r.browsers.caller}%, callee ${r.browsers.callee}% of one core; rest of the lab (delayers, emulators, test process) ${r.labRestPercentOfOneCore}%; ` +
      `everything else on the machine (other suites): ${r.othersPercentOfOneCore}% of one core`,
    ...r.calls.map(
      (c, i) =>
        `  call ${i + 1}: connect ${c.connectMs.caller} ms (callee ${c.connectMs.callee} ms), path ${pathText(c.path.caller)} / ${pathText(c.path.callee)}, ` +
        `${c.kbps} kbit/s, frames per window ${c.framesPerWindow.caller.join(',')} / ${c.framesPerWindow.callee.join(',')}, ` +
        `end ${c.endState.caller}/${c.endState.callee}${c.heldStates.length ? `, during hold: ${c.heldStates.join(' > ')}` : ''}` +
        (heldUp(c)
          ? ''
          : `\n    placed at ${c.placedAtS} s (hold from ${r.holdStartS} s); caller ${c.timeline.caller}\n    callee ${c.timeline.callee}`),
    ),
  ].join('\n');
}

export const isRelay = (p: ObservedPath | null) => p !== null && (p.local === 'relay' || p.remote === 'relay');
/**
 * The call goes through TURN: one side's selected pair uses a relay candidate. The other side
 * may see that relay address as peer-reflexive (learned from the checks before the signaled
 * candidate arrived), so one side saying so is enough; coturn's byte counters confirm it.
 */
export const isRelayed = (c: CallFigures) => isRelay(c.path.caller) || isRelay(c.path.callee);
/** Connected at the end on both sides, never ended or failed during the hold. */
export const heldUp = (c: CallFigures) =>
  c.endState.caller === 'connected' && c.endState.callee === 'connected' && !c.heldStates.some((s) => /^(ended|failed)/.test(s));

function pathText(p: ObservedPath | null): string {
  if (!p) return 'none';
  return `${p.local}->${p.remote} ${p.protocol}${p.relayProtocol ? ` (relay over ${p.relayProtocol})` : ''}`;
}

/**
 * The squeeze comparison (ABR controller vs plain Chromium), run by `npm run bench -- --scenario squeeze`:
 * the same lab call (cone NAT, the caller's link 2.5 Mbit/s -> 250 kbit/s ->
 * 2.5 Mbit/s, tbf both directions, identical for both rows) with the quality
 * controller driving the encoders and with it only measuring (plain Chromium
 * congestion control). Trials alternate the two rows so both see the same
 * machine load; each trial gets a fresh lab and fresh browsers.
 *
 * Figures are what the callee notices of the caller (the squeezed uplink):
 * time until the caller sends no more than the squeezed link carries, the
 * share of played-out audio that was concealed, and video freezes.
 */
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { launchPeer, type Peer } from '../lab/browser';
import { pageAssets } from '../lab/bundle';
import { computeGrant } from '../lab/credentials';
import { delay } from '../lab/processes';
import { relayMessages } from '../lab/relay';
import { scenarioTable } from '../lab/scenarios';
import { createLab, type Lab } from '../lab/topology';
import { startTurn } from '../lab/turn';
import { captureCallerLink, type Capture } from './squeeze-capture';
import { cellName, compareCell, gridPlan, gridTrialLine, type GridCell } from './steady-grid-figures';
import { compareSteadyLink, steadyLinkPlan, steadyLinkTrialLine, type SteadyLink, type SteadyLinkComparison } from './steady-link-figures';
import { defaultTunables, resolveTunables, type QualityTunables } from '../../app/src/call/quality/tunables';
import type { Counters, Row } from './squeeze-page';
import {
  compareSqueeze,
  median,
  trialLine,
  CONCEALMENT_WINDOWS,
  DEFAULT_PLAN,
  type ConcealedMs,
  type ReceivedView,
  type SteadyPath,
  type SqueezeComparison,
  type SqueezePlan,
  type SqueezeTrial,
  type SqueezeVariant,
} from './squeeze-figures';

export { squeezeTable, type SqueezeComparison } from './squeeze-figures';
export { steadyLinkTable, type SteadyLinkComparison } from './steady-link-figures';
export { gridTable, parseCells, ALL_CELLS, type GridCell } from './steady-grid-figures';

export interface SqueezeOptions {
  trials: number;
  plan?: Partial<SqueezePlan>;
  /** Each trial as it finishes (one line). */
  log?: (line: string) => void;
  /** The lab in use (null when none), so a Ctrl-C handler can dispose it. */
  onLab?: (lab: Lab | null) => void;
  /** Checked between trials: true stops early. */
  stopping?: () => boolean;
  /**
   * Writes each trial's samples to `${dumpPrefix}-<trial>-<variant>.json` (`-lossy-<trial>-...` on
   * the lossy link, and so on), for diagnosis.
   */
  dumpPrefix?: string;
}

const api = <T>(page: Page, fn: keyof Window['squeeze']): Promise<T> =>
  page.evaluate((name) => (window.squeeze as unknown as Record<string, () => unknown>)[name]!(), fn) as Promise<T>;

function diff(a: Counters, b: Counters) {
  const samples = b.totalSamplesReceived - a.totalSamplesReceived;
  const concealed = b.concealedSamples - a.concealedSamples - (b.silentConcealedSamples - a.silentConcealedSamples);
  return {
    concealment: samples > 0 ? concealed / samples : 0,
    // A pause (no frame for over 5 s) is a still picture too; Chrome counts it apart from its freezes,
    // and a controller that pauses video must not look better for it. One still running at `b` counts later.
    freezes: b.freezeCount - a.freezeCount + (b.pauseCount - a.pauseCount),
    freezeSeconds: b.totalFreezesDuration - a.totalFreezesDuration + (b.totalPausesDuration - a.totalPausesDuration),
  };
}

type Fine = [number, number, number][];

/** Rate (bit/s) of byte columns `cols` over [from, to] from the 200 ms outbound samples. */
function rateOver(fine: Fine, from: number, to: number, cols: (1 | 2)[]): number | null {
  const a = fine.find((f) => f[0] >= from);
  const b = [...fine].reverse().find((f) => f[0] <= to);
  if (!a || !b || b[0] - a[0] < 400) return null;
  const bytes = cols.reduce((sum, c) => sum + (b[c] - a[c]), 0);
  return (bytes * 8 * 1000) / (b[0] - a[0]);
}

/** End of the first `windowMs` window starting at or after `from` whose rate satisfies `ok`, minus `from`. */
function firstWindow(fine: Fine, from: number, windowMs: number, cols: (1 | 2)[], ok: (bps: number) => boolean): number | null {
  for (const start of fine.filter((f) => f[0] >= from)) {
    const end = fine.find((f) => f[0] >= start[0] + windowMs);
    if (!end) return null;
    const bytes = cols.reduce((sum, c) => sum + (end[c] - start[c]), 0);
    if (ok((bytes * 8 * 1000) / (end[0] - start[0]))) return Math.round(end[0] - from);
  }
  return null;
}

/** Mean time received audio spent in the jitter buffer over [from, to] (ms): what concealment could trade for latency. */
function jitterBufferMs(samples: number[][], from: number, to: number): number | null {
  const a = samples.find((x) => x[0]! >= from);
  const b = [...samples].reverse().find((x) => x[0]! <= to);
  if (!a || !b || b[6]! <= a[6]!) return null;
  return Math.round(((b[5]! - a[5]!) / (b[6]! - a[6]!)) * 1000);
}

/** Concealed audio (ms) per CONCEALMENT_WINDOWS after the drop at `from`, up to `to`, from the callee's 200 ms samples. */
function concealedByWindow(samples: number[][], from: number, to: number): ConcealedMs | null {
  const bounds = [from, from + CONCEALMENT_WINDOWS.onsetMs, from + CONCEALMENT_WINDOWS.settlingMs, to];
  const totals = [0, 0, 0];
  let seen = false;
  for (let i = 1; i < samples.length; i++) {
    const [at, concealed, received] = samples[i]!;
    const [before, concealedBefore, receivedBefore] = samples[i - 1]!;
    const window = bounds.findIndex((b, w) => w < 3 && at! > b && at! <= bounds[w + 1]!);
    if (window < 0 || received! <= receivedBefore!) continue;
    // Share of this sample's audio that was concealed, times its length: no sample rate needed.
    totals[window]! += ((concealed! - concealedBefore!) / (received! - receivedBefore!)) * (at! - before!);
    seen = true;
  }
  return seen ? { onset: totals[0]!, settling: totals[1]!, rest: totals[2]! } : null;
}

/** Rung changes of one controller's samples within [from, to]. */
function rungChangesBetween(rows: Row[], from: number, to: number): number {
  return rows.filter((r, i) => i > 0 && r.rung !== rows[i - 1]!.rung && r.at >= from && r.at <= to).length;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

/**
 * SQUEEZE_TUNABLES as quality tunables, or a clear error before any lab is built
 * (inside the page a bad value would only stop the controller, and the row would
 * quietly run as plain Chromium).
 */
function tunablesFromEnv(): Partial<QualityTunables> | null {
  const text = process.env.SQUEEZE_TUNABLES;
  if (!text) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`SQUEEZE_TUNABLES must be a JSON object of quality tunables, like '{"stepUpAfterMs":8000}'; got: ${text}`);
  }
  const unknown = Object.keys(parsed).filter((key) => !(key in defaultTunables));
  if (unknown.length > 0)
    throw new Error(`SQUEEZE_TUNABLES names no quality tunable ${unknown.join(', ')} (see app/src/call/quality/tunables.ts)`);
  resolveTunables(parsed as Partial<QualityTunables>); // throws on values the controller would reject
  return parsed as Partial<QualityTunables>;
}

/** One call through the squeeze; `controller` drives the encoders, `plain` only measures. */
export async function runSqueezeTrial(
  variant: SqueezeVariant,
  plan: SqueezePlan,
  pair: number,
  options: Pick<SqueezeOptions, 'onLab'> & { dump?: string; tunables?: Partial<QualityTunables> | null } = {},
): Promise<SqueezeTrial> {
  const { tunables } = options;
  // SQUEEZE_VOICE_FIRST=1: the squeezed link sends DSCP EF (our audio) first, like an enterprise edge with voice QoS.
  // SQUEEZE_STALLS=1: the caller's uploads also stall as on the jittery link, all call long (Wi-Fi).
  const lab: Lab = await createLab(scenarioTable[plan.scenario], {
    ...(plan.highKbit !== null ? { callerRateKbit: plan.highKbit } : {}),
    // Four delayers on the path there and back: one at each end of both internet links.
    ...(plan.link ? { delayMs: plan.link.rttMs / 4 } : {}),
    voiceFirst: process.env.SQUEEZE_VOICE_FIRST === '1',
    stallSeed: pair,
    ...(process.env.SQUEEZE_STALLS === '1' ? { callerStalls: scenarioTable.jittery.callerStalls } : {}),
  });
  options.onLab?.(lab);
  const peers: Peer[] = [];
  try {
    if (plan.link && plan.link.lossPercent > 0) await lab.setLoss('caller', plan.link.lossPercent);
    const turn = await startTurn(lab);
    const assets = await pageAssets(new URL('./squeeze-page.ts', import.meta.url));
    const [caller, callee] = await Promise.all([launchPeer(lab, 'caller', assets), launchPeer(lab, 'callee', assets)]);
    peers.push(caller, callee);
    await relayMessages(caller.page, callee.page, 150);
    for (const p of [caller.page, callee.page]) {
      await p.evaluate((on) => window.squeeze.setAdapt(on), variant === 'controller');
      // SQUEEZE_RED=1: the controller row also prefers audio RED (measured worse here: see the quality README).
      await p.evaluate((on) => window.squeeze.setRed(on), process.env.SQUEEZE_RED === '1');
      await p.evaluate((on) => window.squeeze.setAudioOutsideEstimate(on), process.env.SQUEEZE_AUDIO_OUTSIDE_ESTIMATE === '1');
      // SQUEEZE_NO_VIDEO_NACK=1: the controller row's video negotiates no NACK (measured no better: quality README).
      await p.evaluate((on) => window.squeeze.setNoVideoNack(on), process.env.SQUEEZE_NO_VIDEO_NACK === '1');
      // SQUEEZE_JITTER_MS=150: the controller row's audio receivers keep that much jitter buffer (latency for concealment).
      await p.evaluate(
        (ms) => window.squeeze.setJitterTarget(ms),
        process.env.SQUEEZE_JITTER_MS ? Number(process.env.SQUEEZE_JITTER_MS) : null,
      );
      // SQUEEZE_TUNABLES='{"stepUpAfterMs":8000}': the controller row runs with these quality tunables (experiments).
      if (variant === 'controller' && tunables) await p.evaluate((t) => window.squeeze.setTunables(t), tunables);
    }
    await callee.page.evaluate((s) => window.baseline.answerOnRing(s), computeGrant(turn, 'callee').iceServers);
    await caller.page.evaluate((s) => window.baseline.call(s), computeGrant(turn, 'caller').iceServers);
    const frames = (p: Page) => p.evaluate(() => window.probe.frameTimes.length);
    await until('media both ways', async () => (await frames(caller.page)) > 0 && (await frames(callee.page)) > 0, 30_000);

    // SQUEEZE_PCAP=1 (with SQUEEZE_DUMP): the squeezed link's packets next to the trial's dump.
    let capture: Capture | null = null;
    if (process.env.SQUEEZE_PCAP === '1' && options.dump) capture = await captureCallerLink(lab, options.dump.replace(/\.json$/, ''));
    await delay(plan.settleMs);
    const c0 = (await api<Counters>(callee.page, 'counters'))!;
    const r0 = (await api<Counters>(caller.page, 'counters'))!;
    const t0 = Date.now();
    const loadAtDrop = loadavg()[0]!;
    if (plan.lowKbit !== null) await lab.setRate('caller', plan.lowKbit);
    await delay(plan.holdMs);
    const c1 = (await api<Counters>(callee.page, 'counters'))!;
    const r1 = (await api<Counters>(caller.page, 'counters'))!;
    const t1 = Date.now();
    if (plan.lowKbit !== null) await lab.setRate('caller', plan.highKbit);
    await delay(plan.afterMs);
    const c2 = (await api<Counters>(callee.page, 'counters'))!;
    await capture?.stop();
    const r2 = (await api<Counters>(caller.page, 'counters'))!;

    const fine = await api<Fine>(caller.page, 'fine');
    const rows = await api<Row[]>(caller.page, 'rows');
    const pre = rateOver(fine, t0 - 5_000, t0, [2]) ?? 0;
    const during = diff(c0, c1);
    const total = diff(c0, c2);
    const reverse = diff(r0, r2);
    const frameTimes: number[] = await callee.page.evaluate(() => window.probe.frameTimes);
    const calleeAudio = await api<number[][]>(callee.page, 'fineAudio');
    const calleeRows = await api<Row[]>(callee.page, 'rows');
    const callerFrameTimes: number[] = await caller.page.evaluate(() => window.probe.frameTimes);
    const view = async (page: Page, frames: number[], a: Counters, b: Counters, senderRows: Row[]): Promise<ReceivedView> => {
      const heights = (await api<[number, number | null][]>(page, 'receivedVideo'))
        .filter(([at, h]) => at >= t0 && at <= t1 && h !== null)
        .map(([, h]) => h!);
      const seen = diff(a, b);
      return {
        height: median(heights),
        fps: (frames.filter((f) => f >= t0 && f < t1).length * 1000) / (t1 - t0),
        freezes: seen.freezes,
        freezeSeconds: seen.freezeSeconds,
        concealment: seen.concealment,
        senderRungChanges: rungChangesBetween(senderRows, t0, t1),
      };
    };
    const received = {
      callee: await view(callee.page, frameTimes, c0, c1, rows),
      caller: await view(caller.page, callerFrameTimes, r0, r1, calleeRows),
    };
    if (options.dump) {
      const { writeFileSync } = await import('node:fs');
      const codecs = await api<[number, string][]>(caller.page, 'codecs');
      writeFileSync(
        options.dump,
        JSON.stringify({
          variant,
          t0,
          t1,
          rows,
          calleeRows,
          calleeAudio,
          frameTimes,
          callerFrameTimes,
          received,
          c0,
          c1,
          c2,
          r0,
          r1,
          r2,
          codecs,
        }),
      );
    }
    const rungs = [rows, ...(plan.scenario === 'steady-grid' ? [calleeRows] : [])]
      .map((rs) =>
        rs
          .filter((r, i) => i === 0 || r.rung !== rs[i - 1]!.rung)
          .map((r) => `${r.rung ?? '-'}@${((r.at - t0) / 1000).toFixed(1)}`)
          .join(' '),
      )
      .join(' | callee: ');
    const heights = rows
      .filter((r) => r.at >= t0 && r.at <= t1 && r.sentHeight !== null)
      .map((r) => r.sentHeight!)
      .sort((a, b) => a - b);
    return {
      scenario: plan.scenario,
      variant,
      pair,
      adaptMs: plan.lowKbit === null ? null : firstWindow(fine, t0, 1_000, [1, 2], (bps) => bps <= plan.lowKbit! * 1000),
      recoveryMs: firstWindow(fine, t1, 2_000, [2], (bps) => bps >= 0.9 * pre),
      concealment: during.concealment,
      concealmentWithRecovery: total.concealment,
      concealedMs: concealedByWindow(calleeAudio, t0, t1),
      freezes: during.freezes,
      freezeSeconds: during.freezeSeconds,
      freezesWithRecovery: total.freezes,
      freezeSecondsWithRecovery: total.freezeSeconds,
      fpsDuring: (frameTimes.filter((f) => f >= t0 && f < t1).length * 1000) / (t1 - t0),
      audioDelayMs: jitterBufferMs(calleeAudio, t0, t1),
      audioDelayBeforeMs: jitterBufferMs(calleeAudio, t0 - 5_000, t0),
      load: Math.round(loadAtDrop * 10) / 10,
      reverse,
      preVideoKbps: Math.round(pre / 1000),
      endVideoKbps: Math.round((rateOver(fine, t1 + plan.afterMs - 10_000, t1 + plan.afterMs, [2]) ?? 0) / 1000),
      resent: { nacks: r1.videoNacks - r0.videoNacks, kB: Math.round((r1.videoRetransmittedBytes - r0.videoRetransmittedBytes) / 1000) },
      rungs: variant === 'controller' ? rungs : '',
      rungChanges: variant === 'controller' ? rungChangesBetween(rows, t0, t1) : 0,
      sentHeight: heights.length ? heights[heights.length >> 1]! : null,
      sentVideoKbps: Math.round((rateOver(fine, t0, t1, [2]) ?? 0) / 1000),
      received,
      errors: [...(await caller.page.evaluate(() => window.squeeze.errors)), ...(await callee.page.evaluate(() => window.squeeze.errors))],
    };
  } finally {
    await Promise.all(peers.map((p) => p.close()));
    await lab.dispose();
    options.onLab?.(null);
  }
}

/** `trials` pairs, plain and controller alternating, then the comparison. */
export async function runSqueezeComparison(options: SqueezeOptions): Promise<SqueezeComparison> {
  const plan: SqueezePlan = { ...DEFAULT_PLAN, ...options.plan };
  return compareSqueeze(plan, await runPairs(plan, options, trialLine));
}

/** The same call on a steady but noisy link (`lossy`, `jittery`): is the controller any worse than plain Chromium there? */
export async function runSteadyLinkComparison(scenario: SteadyLink, options: SqueezeOptions): Promise<SteadyLinkComparison> {
  const plan: SqueezePlan = { ...steadyLinkPlan(scenario), ...options.plan };
  return compareSteadyLink(plan, await runPairs(plan, options, steadyLinkTrialLine));
}

/** The steady-link grid: for each cell (RTT x loss), `trials` pairs on that path, then its verdict. */
export async function runSteadyGrid(cells: SteadyPath[], options: SqueezeOptions): Promise<GridCell[]> {
  const results: GridCell[] = [];
  for (const cell of cells) {
    if (options.stopping?.()) break;
    options.log?.(`steady-grid ${cellName(cell)}: ${cell.rttMs} ms RTT, ${cell.lossPercent} % loss each way, ${options.trials} pairs...`);
    results.push(compareCell(cell, await runPairs(gridPlan(cell), options, (i, r) => gridTrialLine(cell, i, r))));
  }
  return results;
}

async function runPairs(
  plan: SqueezePlan,
  options: SqueezeOptions,
  line: (pair: number, r: SqueezeTrial) => string,
): Promise<SqueezeTrial[]> {
  // Once, before the first lab: a bad value stops the run instead of failing every trial.
  const tunables = tunablesFromEnv();
  if (process.env.SQUEEZE_PCAP === '1' && !options.dumpPrefix)
    throw new Error('SQUEEZE_PCAP=1 writes its captures next to the trial dumps: set SQUEEZE_DUMP=/some/prefix too');
  const trials: SqueezeTrial[] = [];
  for (let i = 1; i <= options.trials; i++) {
    for (const variant of ['plain', 'controller'] as const) {
      if (options.stopping?.()) return trials;
      try {
        // `<prefix>-1-plain.json` for the squeeze, `<prefix>-lossy-1-plain.json` for the lossy link,
        // `<prefix>-steady-grid-400x3-1-plain.json` for a grid cell.
        const link = `${plan.scenario === 'squeeze' ? '' : `${plan.scenario}-`}${plan.link ? `${cellName(plan.link)}-` : ''}`;
        const dump = options.dumpPrefix ? `${options.dumpPrefix}-${link}${i}-${variant}.json` : undefined;
        const r = await runSqueezeTrial(variant, plan, i, { onLab: options.onLab, tunables, ...(dump ? { dump } : {}) });
        trials.push(r);
        options.log?.(line(i, r));
      } catch (error) {
        options.log?.(`${plan.scenario} ${variant} ${i}: FAILED ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  return trials;
}

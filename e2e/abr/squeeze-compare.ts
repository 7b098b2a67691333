/**
 * The squeeze comparison of issue 8, in one run: the same lab call (cone NAT,
 * the caller's link 2.5 Mbit/s -> 250 kbit/s -> 2.5 Mbit/s) with the quality
 * controller driving the encoders and with it only measuring (plain Chromium
 * congestion control), trials alternating so both see the same machine load.
 *
 *   npx tsx e2e/abr/squeeze-compare.ts [--trials 3] [--hold 20000] [--after 40000]
 *
 * Needs root (network namespaces), /usr/bin/chromium and coturn, like the lab.
 * Prints one row per trial and the median of each variant.
 */
import type { Page } from 'playwright-core';
import { launchPeer, type Peer } from '../lab/browser';
import { pageAssets } from '../lab/bundle';
import { computeGrant } from '../lab/credentials';
import { delay } from '../lab/processes';
import { relayMessages } from '../lab/relay';
import { scenarioTable } from '../lab/scenarios';
import { createLab, type Lab } from '../lab/topology';
import { startTurn } from '../lab/turn';
import type { Counters, Row } from './squeeze-page';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TRIALS = arg('trials', 3);
const HIGH = 2_500;
const LOW = arg('low', 250);
const SETTLE_MS = arg('settle', 15_000);
const HOLD_MS = arg('hold', 20_000);
const AFTER_MS = arg('after', 40_000);

interface Result {
  variant: 'controller' | 'plain';
  adaptMs: number | null;
  recoveryMs: number | null;
  /** Callee's view of the caller (the squeezed uplink). */
  concealmentDuring: number;
  concealmentTotal: number;
  freezesDuring: number;
  freezeSecondsDuring: number;
  freezesTotal: number;
  freezeSecondsTotal: number;
  fpsDuring: number;
  /** Caller's view of the callee (the squeezed downlink). */
  reverseConcealment: number;
  reverseFreezes: number;
  reverseFreezeSeconds: number;
  preVideoKbps: number;
  /** Caller's video send rate over the last 10 s of the run. */
  endVideoKbps: number;
  rungs: string;
  errors: string[];
}

const api = <T>(page: Page, fn: string): Promise<T> =>
  page.evaluate((name) => (window as any).squeeze[name](), fn) as Promise<T>;

function diff(a: Counters, b: Counters) {
  const samples = b.totalSamplesReceived - a.totalSamplesReceived;
  const concealed = b.concealedSamples - a.concealedSamples - (b.silentConcealedSamples - a.silentConcealedSamples);
  return {
    concealment: samples > 0 ? concealed / samples : 0,
    freezes: b.freezeCount - a.freezeCount,
    freezeSeconds: b.totalFreezesDuration - a.totalFreezesDuration,
  };
}

/** Rate (bit/s) of byte column `col` over [from, to] from the 200 ms outbound samples. */
function rateOver(fine: [number, number, number][], from: number, to: number, cols: (1 | 2)[]): number | null {
  const a = fine.find((f) => f[0] >= from);
  const b = [...fine].reverse().find((f) => f[0] <= to);
  if (!a || !b || b[0] - a[0] < 400) return null;
  const bytes = cols.reduce((sum, c) => sum + (b[c] - a[c]), 0);
  return (bytes * 8 * 1000) / (b[0] - a[0]);
}

/** End of the first `windowMs` window starting at or after `from` whose rate satisfies `ok`, minus `from`. */
function firstWindow(fine: [number, number, number][], from: number, windowMs: number, cols: (1 | 2)[], ok: (bps: number) => boolean): number | null {
  for (const start of fine.filter((f) => f[0] >= from)) {
    const end = fine.find((f) => f[0] >= start[0] + windowMs);
    if (!end) return null;
    const bytes = cols.reduce((sum, c) => sum + (end[c] - start[c]), 0);
    if (ok((bytes * 8 * 1000) / (end[0] - start[0]))) return Math.round(end[0] - from);
  }
  return null;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

async function trial(variant: Result['variant']): Promise<Result> {
  const lab: Lab = await createLab(scenarioTable.squeeze, { callerRateKbit: HIGH });
  const peers: Peer[] = [];
  try {
    const turn = await startTurn(lab);
    const assets = await pageAssets(new URL('./squeeze-page.ts', import.meta.url));
    const [caller, callee] = await Promise.all([launchPeer(lab, 'caller', assets), launchPeer(lab, 'callee', assets)]);
    peers.push(caller, callee);
    await relayMessages(caller.page, callee.page, 150);
    for (const p of [caller.page, callee.page]) await p.evaluate((on) => window.squeeze.setAdapt(on), variant === 'controller');
    await callee.page.evaluate((s) => window.baseline.answerOnRing(s), computeGrant(turn, 'callee').iceServers);
    await caller.page.evaluate((s) => window.baseline.call(s), computeGrant(turn, 'caller').iceServers);
    const frames = (p: Page) => p.evaluate(() => (window as any).probe.frameTimes.length as number);
    await until('media both ways', async () => (await frames(caller.page)) > 0 && (await frames(callee.page)) > 0, 30_000);

    await delay(SETTLE_MS);
    const c0 = (await api<Counters>(callee.page, 'counters'))!;
    const r0 = (await api<Counters>(caller.page, 'counters'))!;
    const t0 = Date.now();
    await lab.setRate('caller', LOW);
    await delay(HOLD_MS);
    const c1 = (await api<Counters>(callee.page, 'counters'))!;
    const t1 = Date.now();
    await lab.setRate('caller', HIGH);
    await delay(AFTER_MS);
    const c2 = (await api<Counters>(callee.page, 'counters'))!;
    const r2 = (await api<Counters>(caller.page, 'counters'))!;

    const fine = await api<[number, number, number][]>(caller.page, 'fine');
    const rows = await api<Row[]>(caller.page, 'rows');
    const pre = rateOver(fine, t0 - 5_000, t0, [2]) ?? 0;
    const during = diff(c0, c1);
    const total = diff(c0, c2);
    const reverse = diff(r0, r2);
    const frameTimes: number[] = await callee.page.evaluate(() => (window as any).probe.frameTimes);
    if (process.env.SQUEEZE_DUMP) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${process.env.SQUEEZE_DUMP}-${variant}.json`, JSON.stringify({ t0, t1, rows, c0, c1, c2, r0, r2 }, null, 1));
    }
    const rungs = rows
      .filter((r, i) => i === 0 || r.rung !== rows[i - 1]!.rung)
      .map((r) => `${r.rung ?? '-'}@${((r.at - t0) / 1000).toFixed(1)}`)
      .join(' ');
    return {
      variant,
      adaptMs: firstWindow(fine, t0, 1_000, [1, 2], (bps) => bps <= LOW * 1000),
      recoveryMs: firstWindow(fine, t1, 2_000, [2], (bps) => bps >= 0.9 * pre),
      concealmentDuring: during.concealment,
      concealmentTotal: total.concealment,
      freezesDuring: during.freezes,
      freezeSecondsDuring: during.freezeSeconds,
      freezesTotal: total.freezes,
      freezeSecondsTotal: total.freezeSeconds,
      fpsDuring: (frameTimes.filter((f) => f >= t0 && f < t1).length * 1000) / (t1 - t0),
      reverseConcealment: reverse.concealment,
      reverseFreezes: reverse.freezes,
      reverseFreezeSeconds: reverse.freezeSeconds,
      preVideoKbps: Math.round(pre / 1000),
      endVideoKbps: Math.round((rateOver(fine, t1 + AFTER_MS - 10_000, t1 + AFTER_MS, [2]) ?? 0) / 1000),
      rungs: variant === 'controller' ? rungs : '',
      errors: [...(await caller.page.evaluate(() => window.squeeze.errors)), ...(await callee.page.evaluate(() => window.squeeze.errors))],
    };
  } finally {
    await Promise.all(peers.map((p) => p.close()));
    await lab.dispose();
  }
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const s = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(2)} s`);
const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2) : NaN;
};

function line(r: Result): string {
  return [
    r.variant.padEnd(10),
    `adapt ${s(r.adaptMs)}`,
    `concealment ${pct(r.concealmentDuring)} (incl. recovery ${pct(r.concealmentTotal)})`,
    `freezes ${r.freezesDuring} / ${r.freezeSecondsDuring.toFixed(2)} s (incl. recovery ${r.freezesTotal} / ${r.freezeSecondsTotal.toFixed(2)} s)`,
    `fps during ${r.fpsDuring.toFixed(1)}`,
    `recovery ${s(r.recoveryMs)} (to 90% of ${r.preVideoKbps} kbit/s; last 10 s ${r.endVideoKbps} kbit/s)`,
    `reverse: concealment ${pct(r.reverseConcealment)}, freezes ${r.reverseFreezes} / ${r.reverseFreezeSeconds.toFixed(2)} s`,
  ].join(' | ');
}

const results: Result[] = [];
for (let i = 0; i < TRIALS; i++) {
  for (const variant of ['plain', 'controller'] as const) {
    try {
      const r = await trial(variant);
      results.push(r);
      console.log(`trial ${i + 1} ${line(r)}${r.rungs ? `\n    rungs: ${r.rungs}` : ''}${r.errors.length ? `\n    errors: ${r.errors.join('; ')}` : ''}`);
    } catch (error) {
      console.log(`trial ${i + 1} ${variant} FAILED: ${(error as Error).message}`);
    }
  }
}
console.log(`\nmedians over ${TRIALS} trials (squeeze ${LOW} kbit/s for ${HOLD_MS / 1000} s, then ${AFTER_MS / 1000} s at ${HIGH} kbit/s):`);
for (const variant of ['plain', 'controller'] as const) {
  const rs = results.filter((r) => r.variant === variant);
  if (!rs.length) continue;
  const m = (f: (r: Result) => number | null) => median(rs.map((r) => f(r) ?? Infinity));
  console.log(
    [
      variant.padEnd(10),
      `adapt ${s(m((r) => r.adaptMs))}`,
      `concealment ${pct(m((r) => r.concealmentDuring))}`,
      `freezes ${m((r) => r.freezesDuring)} / ${m((r) => r.freezeSecondsDuring).toFixed(2)} s`,
      `fps during ${m((r) => r.fpsDuring).toFixed(1)}`,
      `recovery ${s(m((r) => r.recoveryMs))}`,
      `video before ${m((r) => r.preVideoKbps)} kbit/s, last 10 s ${m((r) => r.endVideoKbps)} kbit/s`,
    ].join(' | '),
  );
}
process.exit(0);

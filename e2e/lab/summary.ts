/**
 * Turns trial results into the benchmark's figures: one summary per scenario
 * and variant, in the JSON shape the bench writes.
 */
import type { ObservedPath } from './pages/probe';
import { scenarioTable, type ScenarioName } from './scenarios';
import type { TrialResult } from './trial';

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export interface ScenarioSummary {
  name: string;
  /** Who ran the call when not Chromium calling Chromium, e.g. 'chromium->firefox'. */
  browsers?: string;
  variant: 'firecall' | 'baseline';
  trials: number;
  /** Connected with video (no-path: failed with a reason within 10 s of the answer). */
  successes: number;
  /** Click -> first remote frame on the caller. */
  setupMs: Percentiles;
  /** The caller's path in most trials. */
  path: { local: string; remote: string; protocol: string; relayPort: number | null; relayProtocol: string | null } | null;
  /** Median ms per phase (firecall: engine timings; baseline: milestones after the click). */
  phasesMs: Record<string, number>;
  /** no-path: click -> failure shown. */
  failedMs?: Percentiles;
  /** link-flap: link back -> first remote frame. */
  recoveryMs?: Percentiles;
  /** link-flap: share of trials that showed "reconnecting". */
  reconnectingShown?: number;
  /** link-flap: how long the caller sent a smaller picture than before the cut, in the 8 s after the link returned. */
  softerMs?: Percentiles;
  squeezeFps?: { before: number | null; during: number | null; after: number | null };
  signalingWritesMedian: number | null;
  errors: string[];
}

/** Nearest-rank percentile of the values (null when there are none). */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function percentiles(values: number[]): Percentiles {
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return { p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), max: round(values.length ? Math.max(...values) : null) };
}

const median = (values: number[]) => percentile(values, 50);

/** A no-path trial succeeds when the call ends failed with a reason within 10 s of the answer. */
export function noPathSucceeded(r: TrialResult): boolean {
  if (r.connected) return false;
  if (r.variant === 'baseline') return r.failedAfterMs !== null;
  const answered = r.timeline.find((m) => m.state.startsWith('connecting'));
  const failed = r.timeline.find((m) => m.state === 'failed');
  return !!answered && !!failed && failed.reason !== null && failed.atMs - answered.atMs <= 10_000;
}

export function summarize(name: ScenarioName, variant: 'firecall' | 'baseline', results: TrialResult[]): ScenarioSummary {
  const fails = scenarioTable[name].expect.kind === 'fails';
  const ok = results.filter((r) => (fails ? noPathSucceeded(r) : r.connected && (r.media.callee?.framesDecoded ?? 0) > 0));
  const setups = results.flatMap((r) => (r.setupMs === null ? [] : [r.setupMs]));
  const summary: ScenarioSummary = {
    name,
    variant,
    trials: results.length,
    successes: ok.length,
    setupMs: percentiles(setups),
    path: commonPath(results.map((r) => r.path.caller)),
    phasesMs: medianPhases(results.filter((r) => r.connected || fails)),
    signalingWritesMedian: median(results.map((r) => r.signalingWrites)),
    errors: [...new Set(results.flatMap((r) => (r.error ? [r.error.split('\n')[0]!.slice(0, 200)] : [])))],
  };
  if (fails) summary.failedMs = percentiles(results.flatMap((r) => (r.failedAfterMs === null ? [] : [r.failedAfterMs])));
  if (name === 'link-flap') {
    summary.recoveryMs = percentiles(results.flatMap((r) => (r.recoveryMs == null ? [] : [r.recoveryMs])));
    summary.reconnectingShown = results.filter((r) => r.sawReconnecting).length;
    summary.softerMs = percentiles(results.flatMap((r) => (r.softer ? [r.softer.ms] : [])));
  }
  if (name === 'squeeze') {
    const pick = (key: 'fpsBefore' | 'fpsDuring' | 'fpsAfter') => {
      const v = median(results.flatMap((r) => (r.squeeze ? [r.squeeze[key]] : [])));
      return v === null ? null : Math.round(v * 10) / 10;
    };
    summary.squeezeFps = { before: pick('fpsBefore'), during: pick('fpsDuring'), after: pick('fpsAfter') };
  }
  return summary;
}

function commonPath(paths: Array<ObservedPath | null>): ScenarioSummary['path'] {
  const counts = new Map<string, { n: number; path: ObservedPath }>();
  for (const p of paths) {
    if (!p) continue;
    const key = JSON.stringify(p);
    counts.set(key, { n: (counts.get(key)?.n ?? 0) + 1, path: p });
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  if (!best) return null;
  const p = best.path;
  return { local: p.local, remote: p.remote, protocol: p.protocol, relayPort: p.relayPort ?? null, relayProtocol: p.relayProtocol ?? null };
}

function medianPhases(results: TrialResult[]): Record<string, number> {
  const keys = new Set(results.flatMap((r) => Object.keys(r.phasesMs)));
  const out: Record<string, number> = {};
  for (const key of keys) {
    const v = median(results.flatMap((r) => (key in r.phasesMs ? [r.phasesMs[key]!] : [])));
    if (v !== null) out[key] = Math.round(v);
  }
  return out;
}

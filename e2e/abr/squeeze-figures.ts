/**
 * The squeeze's figures, pure: per-trial results in, the two rows (plain
 * Chromium and the quality controller), the goal verdicts and the printed
 * table out. The runner is squeeze-compare.ts; the bench prints squeezeTable.
 */
import { alignedRows, goalLine } from '../lab/text-table';
import type { SteadyLink } from './steady-link-figures';

export type SqueezeVariant = 'controller' | 'plain';

export interface SqueezePlan {
  /** The lab: `squeeze` drops the rate at the drop; `lossy`, `jittery` and `steady-grid` are steady all call long and change nothing. */
  scenario: 'squeeze' | SteadyLink | 'steady-grid';
  /** The caller's rate limit outside the squeeze (kbit/s); null: no limit. */
  highKbit: number | null;
  /** The path, when not the lab's own (82 ms RTT): RTT between the hosts (delay on the internet links) and random loss each way. */
  link?: SteadyPath;
  /** The rate while squeezed; null: the link stays as it is (the window is then just a stretch of call). */
  lowKbit: number | null;
  /** Call time before the squeeze (Chrome's estimate ramps up for ~12 s). */
  settleMs: number;
  /** How long the link stays squeezed. */
  holdMs: number;
  /** Call time after the link is back. */
  afterMs: number;
}

export interface SteadyPath {
  rttMs: number;
  /** Share of packets lost at random (%), each direction, at the caller's router. */
  lossPercent: number;
}

export const DEFAULT_PLAN: SqueezePlan = {
  scenario: 'squeeze',
  highKbit: 2_500,
  lowKbit: 250,
  settleMs: 15_000,
  holdMs: 20_000,
  afterMs: 40_000,
};

export interface SqueezeTrial {
  scenario: SqueezePlan['scenario'];
  variant: SqueezeVariant;
  /** Trial pair number (1-based): plain and controller of one pair ran back to back. */
  pair: number;
  /** Drop -> first 1 s window in which the caller sent (audio + video) no more than the squeezed rate. */
  adaptMs: number | null;
  /** Link back -> first 2 s window of video at >= 90 % of the rate before the drop. */
  recoveryMs: number | null;
  /** Callee's played-out audio from the caller: concealed (not silence) / received samples, drop -> link back. */
  concealment: number;
  /** Same, drop -> end of the run (includes the recovery). */
  concealmentWithRecovery: number;
  /** Concealed audio (ms) by when it came: see CONCEALMENT_WINDOWS. */
  concealedMs: ConcealedMs | null;
  /** Freezes of the caller's video on the callee, drop -> link back. */
  freezes: number;
  freezeSeconds: number;
  freezesWithRecovery: number;
  freezeSecondsWithRecovery: number;
  /** Caller's frames presented on the callee per second while squeezed. */
  fpsDuring: number;
  /** Callee's mean audio jitter-buffer delay while squeezed (ms): concealment must not be bought with latency. */
  audioDelayMs: number | null;
  /** The same over the 5 s before the drop: what every call pays on a healthy link. */
  audioDelayBeforeMs: number | null;
  /** 1-minute load average at the drop (2 cores here): above ~4 the figures say more about the machine than the network. */
  load: number;
  /** Caller's view of the callee (its downlink is squeezed too), drop -> end. */
  reverse: { concealment: number; freezes: number; freezeSeconds: number };
  preVideoKbps: number;
  /** Caller's video send rate over the last 10 s of the run. */
  endVideoKbps: number;
  /** Caller's video sent again while squeezed (drop -> link back), and the NACKs it got: the queue's other tenant. */
  resent: { nacks: number; kB: number };
  /** Controller only: rung changes, `rung@seconds-after-drop`. */
  rungs: string;
  /** Controller only: how often the rung changed, drop -> link back (a steady link: oscillation). */
  rungChanges: number;
  /** Height of the caller's encoded video (median of its samples) and its send rate, drop -> link back. */
  sentHeight: number | null;
  sentVideoKbps: number;
  /** What each side received of the other over the measured stretch (drop -> link back). */
  received: Record<'caller' | 'callee', ReceivedView>;
  errors: string[];
}

/** One side's view of the other's media: what its user sees and hears. */
export interface ReceivedView {
  /** Height of the peer's video as decoded here (median of 200 ms readings). */
  height: number | null;
  /** The peer's frames presented per second. */
  fps: number;
  freezes: number;
  freezeSeconds: number;
  /** Share of the peer's played-out audio that was concealed. */
  concealment: number;
  /** How often the peer's controller changed rung (0 without one). */
  senderRungChanges: number;
}

/**
 * When concealment happens after the drop. `onset`: the first 0.7 s, before any sender can
 * react (its first statistics showing the drop come ~0.6 s in): the bottleneck queue fills and
 * every packet, audio included, suddenly waits its ~100 ms. `settling`: until 2 s, while the
 * sender brings its rate down. `rest`: until the link is back.
 */
export const CONCEALMENT_WINDOWS = { onsetMs: 700, settlingMs: 2_000 } as const;
export interface ConcealedMs {
  onset: number;
  settling: number;
  rest: number;
}

export interface SqueezeRow {
  variant: SqueezeVariant;
  trials: number;
  /** Medians over the trials that ran. */
  adaptMs: number | null;
  concealment: number | null;
  freezes: number | null;
  freezeSeconds: number | null;
  concealmentWithRecovery: number | null;
  freezeSecondsWithRecovery: number | null;
  concealedMs: ConcealedMs | null;
  fpsDuring: number | null;
  audioDelayMs: number | null;
  audioDelayBeforeMs: number | null;
  recoveryMs: number | null;
}

export interface SqueezeGoal {
  met: boolean;
  text: string;
}

export interface SqueezeComparison {
  plan: SqueezePlan;
  plain: SqueezeRow;
  controller: SqueezeRow;
  /** Trial pairs (plain i, controller i) in which the controller met every goal. */
  pairsMeetingGoals: number;
  pairs: number;
  /**
   * Pairs in which both calls entered the squeeze at full rate (video >= 1.2 x the
   * squeezed rate before the drop). On a starved machine Chrome's estimate can
   * collapse before the drop (RTT 500-700 ms on an idle link), and a call that
   * is already low when the squeeze comes has nothing left to adapt.
   */
  comparablePairs: number;
  comparablePairsMeetingGoals: number;
  goals: SqueezeGoal[];
  trials: SqueezeTrial[];
}

export function median(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
}

function rowOf(variant: SqueezeVariant, trials: SqueezeTrial[]): SqueezeRow {
  const rs = trials.filter((r) => r.variant === variant);
  // A trial that never adapted counts as the slowest, not as missing.
  const m = (f: (r: SqueezeTrial) => number | null) => median(rs.map(f));
  return {
    variant,
    trials: rs.length,
    adaptMs: rs.length ? median(rs.map((r) => r.adaptMs ?? Number.POSITIVE_INFINITY)) : null,
    concealment: m((r) => r.concealment),
    freezes: m((r) => r.freezes),
    freezeSeconds: m((r) => r.freezeSeconds),
    concealmentWithRecovery: m((r) => r.concealmentWithRecovery),
    freezeSecondsWithRecovery: m((r) => r.freezeSecondsWithRecovery),
    concealedMs: rs.some((r) => r.concealedMs)
      ? {
          onset: m((r) => r.concealedMs?.onset ?? null)!,
          settling: m((r) => r.concealedMs?.settling ?? null)!,
          rest: m((r) => r.concealedMs?.rest ?? null)!,
        }
      : null,
    fpsDuring: m((r) => r.fpsDuring),
    audioDelayMs: m((r) => r.audioDelayMs),
    audioDelayBeforeMs: m((r) => r.audioDelayBeforeMs),
    recoveryMs: rs.length ? median(rs.map((r) => r.recoveryMs ?? Number.POSITIVE_INFINITY)) : null,
  };
}

/** The squeeze's goals: adapt <= 3 s; concealment and total freeze duration each at most half the plain row's. */
function meetsGoals(
  c: { adaptMs: number | null; concealment: number | null; freezeSeconds: number | null },
  p: { concealment: number | null; freezeSeconds: number | null },
) {
  return {
    adapt: c.adaptMs !== null && c.adaptMs <= 3_000,
    concealment: c.concealment !== null && p.concealment !== null && c.concealment <= p.concealment / 2,
    freezes: c.freezeSeconds !== null && p.freezeSeconds !== null && c.freezeSeconds <= p.freezeSeconds / 2,
  };
}

export function compareSqueeze(plan: SqueezePlan, trials: SqueezeTrial[]): SqueezeComparison {
  const plain = rowOf('plain', trials);
  const controller = rowOf('controller', trials);
  const verdict = meetsGoals(controller, plain);
  let pairs = 0;
  let pairsMeetingGoals = 0;
  let comparablePairs = 0;
  let comparablePairsMeetingGoals = 0;
  const fullRate = (r: SqueezeTrial) => r.preVideoKbps >= 1.2 * (plan.lowKbit ?? 0);
  for (const c of trials.filter((r) => r.variant === 'controller')) {
    const p = trials.find((r) => r.variant === 'plain' && r.pair === c.pair);
    if (!p) continue;
    const g = meetsGoals(c, p);
    const met = g.adapt && g.concealment && g.freezes;
    pairs += 1;
    if (met) pairsMeetingGoals += 1;
    if (fullRate(c) && fullRate(p)) {
      comparablePairs += 1;
      if (met) comparablePairsMeetingGoals += 1;
    }
  }
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(2)} %`);
  const sec = (x: number | null) => (x === null ? '-' : `${x.toFixed(2)} s`);
  const ms = (x: number | null) => (x === null || !Number.isFinite(x) ? 'never' : `${(x / 1000).toFixed(2)} s`);
  return {
    plan,
    plain,
    controller,
    pairs,
    pairsMeetingGoals,
    comparablePairs,
    comparablePairsMeetingGoals,
    goals: [
      {
        met: verdict.adapt,
        text: `squeeze: controller adapts within 3 s of the drop (median ${ms(controller.adaptMs)}; plain ${ms(plain.adaptMs)})`,
      },
      {
        met: verdict.concealment,
        text: `squeeze: audio concealment <= half of plain (${pct(controller.concealment)} vs ${pct(plain.concealment)})`,
      },
      {
        met: verdict.freezes,
        text: `squeeze: video freeze time <= half of plain (${sec(controller.freezeSeconds)} vs ${sec(plain.freezeSeconds)})`,
      },
      {
        met: pairs > 0 && pairsMeetingGoals === pairs,
        text: `squeeze: every goal met in ${pairsMeetingGoals}/${pairs} trial pairs (${comparablePairsMeetingGoals}/${comparablePairs} of the pairs that both entered the squeeze at full rate)`,
      },
    ],
    trials,
  };
}

export function trialLine(i: number, r: SqueezeTrial): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const s = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(2)} s`);
  const text = [
    `${r.scenario} ${r.variant} ${i}:`.padEnd(24),
    `adapt ${s(r.adaptMs)}`,
    `concealment ${pct(r.concealment)} (with recovery ${pct(r.concealmentWithRecovery)}; ${windows(r.concealedMs)})`,
    `freezes ${r.freezes} / ${r.freezeSeconds.toFixed(2)} s (with recovery ${r.freezesWithRecovery} / ${r.freezeSecondsWithRecovery.toFixed(2)} s)`,
    `fps ${r.fpsDuring.toFixed(1)}`,
    `audio delay ${r.audioDelayBeforeMs ?? '-'} ms before, ${r.audioDelayMs ?? '-'} ms squeezed`,
    `video before the drop ${r.preVideoKbps} kbit/s, then ${r.sentVideoKbps} kbit/s at ${r.sentHeight ?? '-'}p`,
    `video resent ${r.resent.kB} kB for ${r.resent.nacks} NACKs`,
    `recovery ${s(r.recoveryMs)} (to 90% of that; last 10 s ${r.endVideoKbps} kbit/s)`,
    `reverse: ${pct(r.reverse.concealment)}, ${r.reverse.freezes} / ${r.reverse.freezeSeconds.toFixed(2)} s`,
    `load ${r.load}`,
  ].join(' | ');
  return `${text}${r.rungs ? `\n    rungs: ${r.rungs}` : ''}${r.errors.length ? `\n    errors: ${r.errors.join('; ')}` : ''}`;
}

function windows(c: ConcealedMs | null): string {
  return c ? `concealed ms onset/settling/rest ${Math.round(c.onset)}/${Math.round(c.settling)}/${Math.round(c.rest)}` : 'no audio samples';
}

/** The two rows and the goals, as printed under the bench table. */
export function squeezeTable(c: SqueezeComparison): string {
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);
  const sec = (x: number | null) => (x === null ? '-' : `${x.toFixed(2)} s`);
  const ms = (x: number | null) => (x === null || !Number.isFinite(x) ? 'never' : `${(x / 1000).toFixed(2)} s`);
  const header = [
    'squeeze (median)',
    'trials',
    'adapt',
    'concealment',
    'freezes',
    'freeze time',
    'with recovery: concealment / freeze time',
    'fps',
    'audio delay before / squeezed',
    'recovery',
  ];
  const rows = [
    header,
    ...[c.plain, c.controller].map((r) => [
      r.variant === 'plain' ? 'plain Chromium' : 'controller',
      String(r.trials),
      ms(r.adaptMs),
      pct(r.concealment),
      r.freezes === null ? '-' : String(r.freezes),
      sec(r.freezeSeconds),
      `${pct(r.concealmentWithRecovery)} / ${sec(r.freezeSecondsWithRecovery)}`,
      r.fpsDuring === null ? '-' : r.fpsDuring.toFixed(1),
      `${r.audioDelayBeforeMs === null ? '-' : Math.round(r.audioDelayBeforeMs)} / ${r.audioDelayMs === null ? '-' : Math.round(r.audioDelayMs)} ms`,
      ms(r.recoveryMs),
    ]),
  ];
  const p = c.plan;
  return [
    `squeeze comparison, quality controller vs plain Chromium: caller's link ${p.highKbit} -> ${p.lowKbit ?? p.highKbit} kbit/s for ${p.holdMs / 1000} s -> back for ${p.afterMs / 1000} s; callee's view of the caller, drop -> link back`,
    ...alignedRows(rows),
    ...[c.plain, c.controller].map(
      (r) =>
        `${r.variant === 'plain' ? 'plain Chromium' : 'controller'}: ${windows(r.concealedMs)} (median; onset = first ${CONCEALMENT_WINDOWS.onsetMs / 1000} s, before any sender can react)`,
    ),
    '',
    "goals (a squeezed link: adapt within 3 s, at most half of plain Chromium's concealment and freezing):",
    ...c.goals.map(goalLine),
  ].join('\n');
}

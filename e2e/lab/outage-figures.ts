/**
 * The outage bench's figures, pure: one row per disruption, link mode and page
 * (firecall or the plain WebRTC baseline), over trials that cut the caller and
 * the callee in turn; the goals a user would hold the call to; the table.
 */
import { percentiles, type Percentiles } from './summary';
import { alignedRows, goalLine } from './text-table';
import type { DisruptionResult, OutageMode, SideView } from './outage';
import type { Side } from './topology';
import type { Variant } from './trial';

/** "Reconnecting" must show this soon after the picture stops, on both sides. */
export const RECONNECTING_WITHIN_MS = 1_500;
/** Media must be back on both sides this soon after the link returns (by outage length) or the address changed. */
export const MEDIA_BACK_WITHIN_MS: Record<string, number> = { 'outage-8': 1_000, 'outage-40': 2_000, 'address-change': 3_000 };
/** Trials per row the figures are meant to rest on. */
export const TRIALS_WANTED = 20;

export interface OutageTrial {
  scenario: string;
  variant: Variant;
  side: Side;
  /** null for an address change. */
  mode: OutageMode | null;
  /** null when the call never got media both ways before the disruption (see `error`). */
  result: DisruptionResult | null;
  error: string | null;
}

export interface OutageRow {
  scenario: string;
  mode: OutageMode | null;
  variant: Variant;
  trials: number;
  /** Trials that cut (or moved) each side. */
  bySide: Record<Side, number>;
  /** From the link's return (or the address change) to media on both sides. */
  mediaBackMs: Percentiles;
  /** Media back both ways and (firecall) neither side ended. */
  survived: number;
  /** firecall: "Reconnecting" shown on both sides within RECONNECTING_WITHIN_MS of their picture stopping. */
  reconnectingInTime: number | null;
  /** firecall: the slower side's time to "Reconnecting", over the trials that showed it on both. */
  reconnectingMs: Percentiles | null;
  /** firecall outages: trials in which the cut side said its own connection dropped and the other side the peer's. */
  whoseRight: number | null;
  /** firecall: trials in which a side went to "Reconnecting" more than once (a flapping screen). */
  flapped: number | null;
  /** firecall: trials in which both sides ended with a reason in words. */
  bothEndedWithReason: number | null;
  /** firecall: when the sides ended, after their picture stopped (ms), over both sides of every trial. */
  endedAfterMs: Percentiles | null;
  /** firecall: how the sides ended, e.g. { 'ended:peer-left': 3 }. */
  endings: Record<string, number>;
  errors: string[];
}

const views = (r: DisruptionResult) => [r.caller, r.callee];
const ended = (v: SideView) => v.ended !== null;

function survived(t: OutageTrial): boolean {
  const r = t.result;
  return r !== null && r.mediaBackMs !== null && !views(r).some(ended);
}

export function outageRow(scenario: string, mode: OutageMode | null, variant: Variant, trials: OutageTrial[]): OutageRow {
  const done = trials.filter((t) => t.result !== null).map((t) => t.result!);
  const row: OutageRow = {
    scenario,
    mode,
    variant,
    trials: trials.length,
    bySide: { caller: trials.filter((t) => t.side === 'caller').length, callee: trials.filter((t) => t.side === 'callee').length },
    mediaBackMs: percentiles(done.flatMap((r) => (r.mediaBackMs === null ? [] : [r.mediaBackMs]))),
    survived: trials.filter(survived).length,
    reconnectingInTime: null,
    reconnectingMs: null,
    whoseRight: null,
    flapped: null,
    bothEndedWithReason: null,
    endedAfterMs: null,
    endings: {},
    errors: [...new Set(trials.flatMap((t) => (t.error ? [t.error.split('\n')[0]!.slice(0, 200)] : [])))],
  };
  if (variant === 'firecall') {
    const slower = done.flatMap((r) =>
      views(r).every((v) => v.reconnectingMs !== null) ? [Math.max(...views(r).map((v) => v.reconnectingMs!))] : [],
    );
    row.reconnectingMs = percentiles(slower);
    row.reconnectingInTime = slower.filter((ms) => ms <= RECONNECTING_WITHIN_MS).length;
    // After an address change neither side can tell whose network moved: no right answer to count.
    if (mode !== null)
      row.whoseRight = trials.filter((t) => {
        const r = t.result;
        const other = t.side === 'caller' ? r?.callee : r?.caller;
        return r !== null && r[t.side].reconnectingDropped === 'own' && other?.reconnectingDropped === 'peer';
      }).length;
    row.flapped = done.filter((r) => views(r).some((v) => v.reconnectingShown > 1)).length;
    row.bothEndedWithReason = done.filter((r) =>
      views(r).every((v) => v.ended !== null && v.ended.reason !== null && !!v.ended.message),
    ).length;
    const ends = done.flatMap(views).flatMap((v) => (v.ended ? [v.ended] : []));
    row.endedAfterMs = ends.length ? percentiles(ends.map((e) => e.afterMs)) : null;
    for (const e of ends) row.endings[`${e.state}:${e.reason}`] = (row.endings[`${e.state}:${e.reason}`] ?? 0) + 1;
  }
  return row;
}

export interface OutageGoal {
  met: boolean;
  text: string;
}

/**
 * What a user holds the call to (firecall rows): a short or long outage and an address change
 * are survived with media back fast and "Reconnecting" shown at once on both sides; an outage
 * past the deadline ends on both sides, at the deadline, in words.
 */
export function outageGoals(rows: OutageRow[], deadlineMs: number): OutageGoal[] {
  const out: OutageGoal[] = [];
  for (const r of rows.filter((x) => x.variant === 'firecall')) {
    const name = `${r.scenario}${r.mode ? ` (${r.mode})` : ''}`;
    out.push({
      met: r.trials >= TRIALS_WANTED,
      text: `${name}: ${r.trials} trials (caller ${r.bySide.caller}, callee ${r.bySide.callee}) of ${TRIALS_WANTED} wanted`,
    });
    out.push({
      met: r.trials > 0 && r.reconnectingInTime === r.trials,
      text: `${name}: "Reconnecting" on both sides within ${RECONNECTING_WITHIN_MS} ms of the picture stopping in ${r.reconnectingInTime}/${r.trials} (slower side p95 ${ms(r.reconnectingMs?.p95)} ms)`,
    });
    const within = MEDIA_BACK_WITHIN_MS[r.scenario];
    if (within !== undefined) {
      out.push({ met: r.trials > 0 && r.survived === r.trials, text: `${name}: call survived ${r.survived}/${r.trials}` });
      out.push({
        met: r.mediaBackMs.p95 !== null && r.mediaBackMs.p95 <= within,
        text: `${name}: media back both ways p95 ${ms(r.mediaBackMs.p95)} ms <= ${within} ms`,
      });
    } else {
      const atDeadline =
        r.endedAfterMs !== null &&
        r.endedAfterMs.p50 !== null &&
        Math.abs(r.endedAfterMs.p50 - deadlineMs) <= 5_000 &&
        Math.abs(r.endedAfterMs.max! - deadlineMs) <= 5_000;
      out.push({
        met: r.trials > 0 && r.bothEndedWithReason === r.trials && atDeadline,
        text: `${name}: both sides ended with a reason in words in ${r.bothEndedWithReason}/${r.trials}, ${pct(r.endedAfterMs)} ms after the picture stopped (deadline ${deadlineMs} ms)`,
      });
    }
  }
  return out;
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(Math.round(v)));
const pct = (p: Percentiles | null) => (p ? `${ms(p.p50)}/${ms(p.p95)}/${ms(p.max)}` : '-');

export function outageTable(rows: OutageRow[], deadlineMs: number): string {
  const lines: string[][] = [
    [
      'disruption',
      'link',
      'page',
      'trials (caller/callee)',
      'media back p50/p95/max ms',
      'survived',
      `"Reconnecting" <= ${RECONNECTING_WITHIN_MS} ms both sides (p50/p95/max)`,
      'whose (own/peer) right',
      'flapped',
      'ended (after picture stopped p50/p95/max ms)',
    ],
  ];
  for (const r of rows) {
    const fire = r.variant === 'firecall';
    const endings = Object.entries(r.endings)
      .map(([k, n]) => `${k} x${n}`)
      .join(', ');
    lines.push([
      r.scenario,
      r.mode ?? '-',
      r.variant,
      `${r.trials} (${r.bySide.caller}/${r.bySide.callee})`,
      pct(r.mediaBackMs),
      `${r.survived}/${r.trials}`,
      fire ? `${r.reconnectingInTime}/${r.trials} (${pct(r.reconnectingMs)})` : 'no such screen',
      fire && r.whoseRight !== null ? `${r.whoseRight}/${r.trials}` : '-',
      fire ? `${r.flapped}/${r.trials}` : '-',
      fire ? (endings ? `${endings}; both in words ${r.bothEndedWithReason}/${r.trials} (${pct(r.endedAfterMs)})` : 'none') : '-',
    ]);
  }
  const out = [
    "outages mid-call: link cut with its signaling offline, or a new public address; media back counts from the link's return or the change",
    ...alignedRows(lines),
    '',
    'goals (a call survives an outage and says so):',
  ];
  for (const g of outageGoals(rows, deadlineMs)) out.push(goalLine(g));
  for (const r of rows) for (const e of r.errors) out.push(`  ${r.scenario} ${r.mode ?? ''} ${r.variant} error seen: ${e}`);
  return out.join('\n');
}

/** One line per trial, for the bench's log. */
export function outageTrialLine(t: OutageTrial, index: number, of: number): string {
  const head = `${t.scenario}${t.mode ? ` ${t.mode}` : ''} ${t.variant} ${index}/${of} (${t.side})`;
  if (!t.result) return `${head}: no call to break${t.error ? `: ${t.error.split('\n')[0]}` : ''}`;
  const r = t.result;
  const side = (name: Side, v: SideView) => {
    const parts = [
      v.stoppedAt === null
        ? 'picture never stopped'
        : v.backAt === null
          ? 'picture not back'
          : `picture back ${ms(v.backAt - r.fromAt)} ms`,
      v.reconnectingMs !== null
        ? `"Reconnecting" +${v.reconnectingMs} ms${v.reconnectingDropped ? ` (${v.reconnectingDropped} connection dropped)` : ''}${v.reconnectingShown > 1 ? ` x${v.reconnectingShown}` : ''}`
        : '',
      v.ended ? `${v.ended.state}:${v.ended.reason} +${(v.ended.afterMs / 1000).toFixed(1)} s ("${v.ended.message}")` : '',
    ].filter(Boolean);
    return `${name} ${parts.join(', ')}`;
  };
  const back = r.mediaBackMs === null ? 'media not back both ways' : `media back both ways ${r.mediaBackMs} ms`;
  return `${head}: ${back}; ${side('caller', r.caller)}; ${side('callee', r.callee)}${t.error ? `; error: ${t.error.split('\n')[0]}` : ''}`;
}

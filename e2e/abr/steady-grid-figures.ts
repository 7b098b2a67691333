/**
 * The steady-link grid, pure: controller-vs-plain pairs on paths that never
 * change, RTT x random loss (cone NAT, no rate limit), and per cell whether
 * the controller gave either side a smaller, jerkier or more frozen picture
 * than plain Chromium did. Run by `npm run bench -- --scenario steady-grid`.
 */
import { alignedRows, goalLine } from '../lab/text-table';
import { median, type ReceivedView, type SqueezePlan, type SqueezeTrial, type SqueezeVariant, type SteadyPath } from './squeeze-figures';

/** The grid's axes: RTT between the hosts (ms) and loss each way (%). */
export const GRID_RTTS_MS = [40, 150, 400] as const;
export const GRID_LOSS_PERCENT = [0, 1, 3] as const;

export const ALL_CELLS: SteadyPath[] = GRID_RTTS_MS.flatMap((rttMs) => GRID_LOSS_PERCENT.map((lossPercent) => ({ rttMs, lossPercent })));

/** `400x3`: 400 ms RTT, 3 % loss each way. */
export function cellName(cell: SteadyPath): string {
  return `${cell.rttMs}x${cell.lossPercent}`;
}

/** `--cells 400x3,150x1` as cells; any RTT from 1 to 2000 ms and loss from 0 to 50 %, so cells outside the grid can be tried too. */
export function parseCells(text: string): SteadyPath[] {
  const cells = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = /^(\d+)x(\d+(?:\.\d+)?)$/.exec(part);
      const cell = match ? { rttMs: Number(match[1]), lossPercent: Number(match[2]) } : null;
      if (!cell || !(cell.rttMs >= 1 && cell.rttMs <= 2_000) || !(cell.lossPercent >= 0 && cell.lossPercent <= 50)) {
        throw new Error(`--cells takes RTTxLOSS pairs like 400x3,150x1 (RTT 1-2000 ms, loss 0-50 % each way); got "${part}"`);
      }
      return cell;
    });
  if (cells.length === 0) throw new Error('--cells names no cell; use RTTxLOSS pairs like 400x3,150x1');
  return cells;
}

/** 15 s to settle (past the controller's warm-up), then 30 s measured, as on the other steady links. */
export function gridPlan(cell: SteadyPath): SqueezePlan {
  return { scenario: 'steady-grid', highKbit: null, lowKbit: null, settleMs: 15_000, holdMs: 30_000, afterMs: 0, link: cell };
}

type Side = 'caller' | 'callee';
const SIDES: readonly Side[] = ['callee', 'caller'];

/** Medians over a row's trials of what one side received. */
export interface SideRow {
  height: number | null;
  fps: number | null;
  freezes: number | null;
  freezeSeconds: number | null;
  concealment: number | null;
  /** The most any trial's sending controller changed rung. */
  rungChanges: number;
}

export interface GridRow {
  variant: SqueezeVariant;
  trials: number;
  received: Record<Side, SideRow>;
}

export interface GridCell {
  cell: SteadyPath;
  plain: GridRow;
  controller: GridRow;
  /** Per side: no smaller picture, no jerkier one (>= 0.9 x plain's fps), frozen no longer than plain + 0.5 s. */
  verdict: { met: boolean; worse: string[] };
  trials: SqueezeTrial[];
}

function rowOf(variant: SqueezeVariant, trials: SqueezeTrial[]): GridRow {
  const rs = trials.filter((r) => r.variant === variant);
  const side = (s: Side): SideRow => {
    const m = (f: (v: ReceivedView) => number | null) => median(rs.map((r) => f(r.received[s])));
    return {
      height: m((v) => v.height),
      fps: m((v) => v.fps),
      freezes: m((v) => v.freezes),
      freezeSeconds: m((v) => v.freezeSeconds),
      concealment: m((v) => v.concealment),
      rungChanges: Math.max(0, ...rs.map((r) => r.received[s].senderRungChanges)),
    };
  };
  return { variant, trials: rs.length, received: { caller: side('caller'), callee: side('callee') } };
}

/** The same bar as the lossy and jittery links, on both sides of the call. */
export function compareCell(cell: SteadyPath, trials: SqueezeTrial[]): GridCell {
  const plain = rowOf('plain', trials);
  const controller = rowOf('controller', trials);
  const worse: string[] = [];
  if (plain.trials === 0 || controller.trials === 0) worse.push('no pair ran');
  else {
    for (const s of SIDES) {
      const c = controller.received[s];
      const p = plain.received[s];
      const who = `${s} receives`;
      if (c.height === null || (p.height !== null && c.height < p.height)) worse.push(`${who} ${c.height ?? '-'}p vs ${p.height ?? '-'}p`);
      if (c.fps === null || (p.fps !== null && c.fps < 0.9 * p.fps))
        worse.push(`${who} ${c.fps?.toFixed(1) ?? '-'} fps vs ${p.fps?.toFixed(1) ?? '-'}`);
      if (c.freezeSeconds === null || (p.freezeSeconds !== null && c.freezeSeconds > p.freezeSeconds + 0.5)) {
        worse.push(`${who} frozen ${c.freezeSeconds?.toFixed(2) ?? '-'} s vs ${p.freezeSeconds?.toFixed(2) ?? '-'} s`);
      }
    }
  }
  return { cell, plain, controller, verdict: { met: worse.length === 0, worse }, trials };
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);

function seen(v: SideRow | ReceivedView): string {
  const fps = v.fps === null ? '-' : v.fps.toFixed(1);
  const freezeSeconds = v.freezeSeconds === null ? '-' : v.freezeSeconds.toFixed(2);
  return `${v.height ?? '-'}p ${fps} fps, ${v.freezes ?? '-'} fr / ${freezeSeconds} s, conc ${pct(v.concealment)}`;
}

/** One trial as it finishes. */
export function gridTrialLine(cell: SteadyPath, i: number, r: SqueezeTrial): string {
  const text = [
    `${r.scenario} ${cellName(cell)} ${r.variant} ${i}:`.padEnd(34),
    `callee sees ${seen(r.received.callee)}`,
    `caller sees ${seen(r.received.caller)}`,
    `load ${r.load}`,
  ].join(' | ');
  const changes = `${r.received.callee.senderRungChanges}/${r.received.caller.senderRungChanges}`;
  return `${text}${r.rungs ? `\n    rungs (caller | callee): ${r.rungs} (${changes} in the measured stretch)` : ''}${r.errors.length ? `\n    errors: ${r.errors.join('; ')}` : ''}`;
}

/** Every cell run: both rows, both sides, and the verdict. */
export function gridTable(cells: GridCell[]): string {
  const header = [
    'cell (RTT ms x loss %)',
    'row',
    'pairs',
    "callee receives (caller's video)",
    "caller receives (callee's video)",
    'rung changes (caller/callee, most)',
    'verdict',
  ];
  const rows = [header];
  for (const c of cells) {
    for (const r of [c.plain, c.controller]) {
      const isPlain = r.variant === 'plain';
      rows.push([
        isPlain ? cellName(c.cell) : '',
        isPlain ? 'plain Chromium' : 'controller',
        String(r.trials),
        seen(r.received.callee),
        seen(r.received.caller),
        isPlain ? '-' : `${r.received.callee.rungChanges}/${r.received.caller.rungChanges}`,
        isPlain ? '' : c.verdict.met ? 'no worse than plain' : `WORSE: ${c.verdict.worse.join('; ')}`,
      ]);
    }
  }
  return [
    'steady-grid: cone NAT, no rate limit, RTT between the hosts x random loss each way; medians over the pairs of what each side received over 30 s after 15 s of call',
    '(fr = freezes, including pauses over 5 s; conc = audio concealed; verdict per cell: picture height, frame rate >= 0.9 x plain, frozen <= plain + 0.5 s, both sides)',
    ...alignedRows(rows),
    '',
    'goals (steady links: no cell worse than plain Chromium):',
    ...cells.map((c) =>
      goalLine({ met: c.verdict.met, text: `${cellName(c.cell)}: ${c.verdict.met ? 'no worse than plain' : c.verdict.worse.join('; ')}` }),
    ),
  ].join('\n');
}

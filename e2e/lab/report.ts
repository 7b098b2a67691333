/**
 * The benchmark's outputs: a plain-text table, the JSON document and an SVG
 * chart of setup time per scenario (firecall against the plain WebRTC floor).
 */
import { squeezeTable, type SqueezeComparison } from '../abr/squeeze-figures';
import { steadyLinkTable, type SteadyLinkComparison } from '../abr/steady-link-figures';
import type { Percentiles, ScenarioSummary } from './summary';
import { alignedRows, goalLine } from './text-table';

export interface BenchScenario extends Omit<ScenarioSummary, 'variant'> {
  baseline: Omit<ScenarioSummary, 'variant' | 'name'> | null;
  /** firecall setup / baseline setup (p50 and p95); below 1 means firecall is faster. */
  ratio: { p50: number | null; p95: number | null } | null;
  /** squeeze: the ABR comparison, quality controller vs plain Chromium congestion control. */
  squeeze?: SqueezeComparison;
  /** lossy, jittery: the same comparison on a link that is noisy all call long. */
  steadyLink?: SteadyLinkComparison;
}

export interface BenchReport {
  startedAt: string;
  machine: { cpus: number; load: number[] };
  settings: { trials: number; baselineTrials: number; signalingLatencyMs: number; oneWayDelayMs: number; credentials: string };
  scenarios: BenchScenario[];
  goals?: Goal[];
}

export function combine(firecall: ScenarioSummary, baseline: ScenarioSummary | null): BenchScenario {
  const { variant: _v, ...rest } = firecall;
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? Math.round((a / b) * 100) / 100 : null);
  let base: BenchScenario['baseline'] = null;
  if (baseline) {
    const { variant: _bv, name: _bn, ...b } = baseline;
    base = b;
  }
  return {
    ...rest,
    baseline: base,
    ratio: baseline
      ? { p50: ratio(firecall.setupMs.p50, baseline.setupMs.p50), p95: ratio(firecall.setupMs.p95, baseline.setupMs.p95) }
      : null,
  };
}

/** The scenario, and the browsers when not Chromium calling Chromium. */
const rowName = (s: BenchScenario) => (s.browsers ? `${s.name} ${s.browsers}` : s.name);

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '-' : String(Math.round(v)));
const pct = (p: Percentiles | undefined) => (p ? `${ms(p.p50)}/${ms(p.p95)}/${ms(p.max)}` : '-');

function pathText(p: ScenarioSummary['path']): string {
  if (!p) return '-';
  const relay = p.relayProtocol ? ` via ${p.relayProtocol}:${p.relayPort}` : '';
  return `${p.local}<->${p.remote} ${p.protocol}${relay}`;
}

export function table(report: BenchReport): string {
  const rows: string[][] = [['scenario', 'variant', 'ok/trials', 'setup p50/p95/max ms', 'path (caller)', 'extra', 'ratio p50/p95']];
  for (const s of report.scenarios) {
    const extra = (x: Omit<ScenarioSummary, 'variant' | 'name'>) =>
      [
        x.failedMs ? `failed after ${pct(x.failedMs)}` : '',
        x.recoveryMs
          ? `media back ${pct(x.recoveryMs)}${x.reconnectingShown !== undefined ? `, reconnecting shown ${x.reconnectingShown}/${x.trials}` : ''}`
          : '',
        x.softerMs ? `softer picture after ${pct(x.softerMs)}` : '',
        x.squeezeFps ? `fps ${x.squeezeFps.before}/${x.squeezeFps.during}/${x.squeezeFps.after} (before/250k/after)` : '',
      ]
        .filter(Boolean)
        .join('; ') || '-';
    rows.push([
      rowName(s),
      'firecall',
      `${s.successes}/${s.trials}`,
      pct(s.setupMs),
      pathText(s.path),
      extra(s),
      s.ratio ? `${s.ratio.p50 ?? '-'}/${s.ratio.p95 ?? '-'}` : '-',
    ]);
    if (s.baseline)
      rows.push([
        '',
        'baseline',
        `${s.baseline.successes}/${s.baseline.trials}`,
        pct(s.baseline.setupMs),
        pathText(s.baseline.path),
        extra(s.baseline),
        '',
      ]);
  }
  const out = alignedRows(rows);
  out.push('');
  out.push('goals (call setup, and media back after a link flap):');
  for (const g of goals(report)) out.push(goalLine(g));
  out.push('');
  out.push('median phases (ms):');
  for (const s of report.scenarios) {
    out.push(`  ${rowName(s)} firecall: ${phasesText(s.phasesMs)}`);
    if (s.baseline) out.push(`  ${rowName(s)} baseline: ${phasesText(s.baseline.phasesMs)}`);
    for (const e of [...s.errors, ...(s.baseline?.errors ?? [])]) out.push(`  ${rowName(s)} error seen: ${e}`);
  }
  for (const s of report.scenarios) {
    if (s.squeeze) out.push('', squeezeTable(s.squeeze));
    if (s.steadyLink) out.push('', steadyLinkTable(s.steadyLink));
  }
  return out.join('\n');
}

export interface Goal {
  met: boolean;
  text: string;
}

/** The setup-time targets, checked against firecall's figures. */
export function goals(report: BenchReport): Goal[] {
  const out: Goal[] = [];
  for (const s of report.scenarios) {
    if (s.name === 'no-path') {
      const p95 = s.failedMs?.p95 ?? null;
      out.push({
        met: s.successes === s.trials && s.trials > 0,
        text: `${rowName(s)}: failed with a reason within 10 s of the answer in ${s.successes}/${s.trials} (click -> failed p95 ${ms(p95)} ms)`,
      });
      continue;
    }
    out.push({ met: s.trials > 0 && s.successes === s.trials, text: `${rowName(s)}: connected ${s.successes}/${s.trials}` });
    out.push({ met: s.setupMs.p95 !== null && s.setupMs.p95 <= 1000, text: `${rowName(s)}: setup p95 ${ms(s.setupMs.p95)} ms <= 1000 ms` });
    if (s.recoveryMs)
      out.push({
        met: s.recoveryMs.max !== null && s.recoveryMs.max <= 2000,
        text: `${rowName(s)}: media back <= 2 s after the link returns (max ${ms(s.recoveryMs.max)} ms)`,
      });
  }
  return out;
}

function phasesText(phases: Record<string, number>): string {
  const entries = Object.entries(phases);
  return entries.length ? entries.map(([k, v]) => `${k} ${v}`).join(', ') : '-';
}

const escape = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** Horizontal bars: firecall p50 (solid) with its p95 (outline), baseline p50 below it. */
export function svgChart(report: BenchReport): string {
  const rows = report.scenarios.filter((s) => s.setupMs.p50 !== null || s.baseline?.setupMs.p50 != null);
  const values = rows
    .flatMap((s) => [s.setupMs.p95, s.setupMs.p50, s.baseline?.setupMs.p95 ?? null, s.baseline?.setupMs.p50 ?? null])
    .filter((v): v is number => v !== null);
  const top = Math.max(1000, ...values);
  const scaleMax = Math.ceil(top / 500) * 500;
  const left = 120;
  const width = 760;
  const plot = width - left - 130; // room for the value labels right of the longest bar
  const rowH = 44;
  const height = 60 + rows.length * rowH + 40;
  const x = (v: number) => left + (v / scaleMax) * plot;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Call setup, click to first remote frame (ms)</text>`,
    `<text x="${left}" y="38" fill="#555">firecall p50 (bar) and p95 (outline), plain WebRTC p50 (grey); red line: 1.0 s goal; ${report.settings.trials} trials each</text>`,
  ];
  for (let t = 0; t <= scaleMax; t += 500) {
    parts.push(`<line x1="${x(t)}" y1="50" x2="${x(t)}" y2="${height - 30}" stroke="#eee"/>`);
    parts.push(`<text x="${x(t)}" y="${height - 14}" text-anchor="middle" fill="#555">${t}</text>`);
  }
  parts.push(`<line x1="${x(1000)}" y1="50" x2="${x(1000)}" y2="${height - 30}" stroke="#c00" stroke-dasharray="4 3"/>`);
  rows.forEach((s, i) => {
    const y = 56 + i * rowH;
    parts.push(`<text x="${left - 8}" y="${y + 16}" text-anchor="end">${escape(rowName(s))}</text>`);
    if (s.setupMs.p95 !== null)
      parts.push(`<rect x="${left}" y="${y + 4}" width="${x(s.setupMs.p95) - left}" height="16" fill="none" stroke="#1f6feb"/>`);
    if (s.setupMs.p50 !== null) {
      parts.push(`<rect x="${left}" y="${y + 4}" width="${x(s.setupMs.p50) - left}" height="16" fill="#1f6feb"/>`);
      parts.push(`<text x="${x(s.setupMs.p95 ?? s.setupMs.p50) + 4}" y="${y + 16}">${s.setupMs.p50}/${s.setupMs.p95}</text>`);
    }
    const b = s.baseline?.setupMs.p50;
    if (b != null) {
      parts.push(`<rect x="${left}" y="${y + 23}" width="${x(b) - left}" height="10" fill="#aaa"/>`);
      parts.push(`<text x="${x(b) + 4}" y="${y + 32}" fill="#555" font-size="10">baseline ${b}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * The bench's outage scenarios: firecall and the plain WebRTC page through the
 * same disruptions, the caller's and the callee's side in turn, each trial a
 * fresh pair of browsers on the scenario's lab network.
 *
 *   outage-8, outage-40, outage-70: one side's link gone for that many seconds,
 *     its signaling offline as long, once per link mode (silent drops; link down)
 *   address-change: one side's router moves to another public address
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TIMEOUTS } from '../../app/src/call/index';
import { disrupt, movePublicAddress, type Disruption, type OutageMode } from './outage';
import { outageRow, outageTable, outageTrialLine, type OutageRow, type OutageTrial } from './outage-figures';
import type { Identity } from './firecall-driver';
import { scenarioTable, type ScenarioName } from './scenarios';
import { createLab, type Lab, type Side } from './topology';
import { runTrial, type ConnectedCall, type Variant } from './trial';
import { startTurn } from './turn';

interface OutagePlan {
  /** Link gone this long; null: an address change. */
  cutMs: number | null;
  /** How long to wait for media both ways afterwards (plain WebRTC came back 30-33 s after a 40 s cut, over the relay). */
  backTimeoutMs: number;
}

const PLANS = {
  'outage-8': { cutMs: 8_000, backTimeoutMs: 20_000 },
  'outage-40': { cutMs: 40_000, backTimeoutMs: 40_000 },
  'outage-70': { cutMs: 70_000, backTimeoutMs: 40_000 },
  'address-change': { cutMs: null, backTimeoutMs: 15_000 },
} satisfies Record<string, OutagePlan>;

export type OutageScenario = keyof typeof PLANS;

export function isOutageScenario(name: string): name is OutageScenario & ScenarioName {
  return Object.prototype.hasOwnProperty.call(PLANS, name);
}

/** The disruption a plan, a side and a mode make. */
export function disruptionOf(name: OutageScenario, side: Side, mode: OutageMode | null): Disruption {
  const { cutMs } = PLANS[name] as OutagePlan;
  return cutMs === null ? { kind: 'address-change', side } : { kind: 'outage', side, mode: mode ?? 'drop', ms: cutMs };
}

/** Both link modes, or those OUTAGE_MODES names (e.g. OUTAGE_MODES=drop for a shorter run). */
function linkModes(): OutageMode[] {
  const all: OutageMode[] = ['drop', 'down'];
  const asked = process.env.OUTAGE_MODES?.split(',').map((m) => m.trim());
  if (!asked) return all;
  const unknown = asked.filter((m) => !(all as string[]).includes(m));
  if (unknown.length || asked.length === 0) throw new Error(`OUTAGE_MODES must name drop and/or down, got "${process.env.OUTAGE_MODES}"`);
  return all.filter((m) => asked.includes(m));
}

/**
 * With OUTAGE_TRACE=<folder>, both pages' engine logs of each firecall trial go to a file there,
 * with the moment the link came back marked: what a slow recovery waited for.
 */
async function saveTrace(call: ConnectedCall, name: string, backAt: number): Promise<void> {
  const folder = process.env.OUTAGE_TRACE;
  if (!folder) return;
  const lines = await Promise.all(
    (['caller', 'callee'] as const).map(async (side) =>
      ((await call[side].evaluate(() => window.firecall.logs()).catch(() => [])) as string[]).map((line) => `${line} [${side}]`),
    ),
  );
  const firstFrames = await Promise.all(
    (['caller', 'callee'] as const).map(async (side) => {
      const at = await call[side].evaluate((t) => window.probe.frameTimes.find((f) => f > t) ?? null, backAt).catch(() => null);
      return at === null ? [] : [`${Math.round(at)} ---- first picture frame after the outage [${side}]`];
    }),
  );
  const marker = `${backAt} ---- the network is back [lab]`;
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${name}.log`), [...lines.flat(), ...firstFrames.flat(), marker].sort().join('\n') + '\n');
}

/** The engine's own deadline for a silent peer: the 70 s outage must end there. */
export const ENGINE_DEADLINE_MS = DEFAULT_TIMEOUTS.reconnectDeadlineMs;

export interface OutageFigures {
  rows: OutageRow[];
  trials: OutageTrial[];
  deadlineMs: number;
}

export interface OutageRunOptions {
  trials: number;
  baselineTrials: number;
  latencyMs: number;
  secret: string;
  identities?: { caller: Identity; callee: Identity };
  log(line: string): void;
  /** The lab in use (null once removed), so Ctrl-C can remove it. */
  onLab(lab: Lab | null): void;
  stopping(): boolean;
}

/** Runs a scenario's rows: trial i cuts the caller when i is even, the callee when odd; rows interleave. */
export async function runOutageScenario(name: OutageScenario, options: OutageRunOptions): Promise<OutageFigures> {
  const plan = PLANS[name] as OutagePlan;
  const modes: Array<OutageMode | null> = plan.cutMs === null ? [null] : linkModes();
  const trials: OutageTrial[] = [];
  const lab = await createLab(scenarioTable[name as ScenarioName]);
  options.onLab(lab);
  try {
    const turn = await startTurn(lab, options.secret);
    const rounds = Math.max(options.trials, options.baselineTrials);
    for (let i = 0; i < rounds && !options.stopping(); i++) {
      const side: Side = i % 2 === 0 ? 'caller' : 'callee';
      for (const mode of modes) {
        const variants: Variant[] = [
          ...(i < options.trials ? (['firecall'] as const) : []),
          ...(i < options.baselineTrials ? (['baseline'] as const) : []),
        ];
        for (const variant of variants) {
          if (options.stopping()) break;
          const disruption = disruptionOf(name, side, mode);
          const trial: OutageTrial = { scenario: name, variant, side, mode, result: null, error: null };
          const r = await runTrial(lab, turn, {
            variant,
            signalingLatencyMs: options.latencyMs,
            trialTimeoutMs: (plan.cutMs ?? 0) + plan.backTimeoutMs + 60_000,
            ...(options.identities ? { identities: options.identities } : {}),
            duringCall: async (call) => {
              trial.result = await disrupt(lab, call, disruption, { backTimeoutMs: plan.backTimeoutMs });
              if (variant === 'firecall') await saveTrace(call, `${name}-${i + 1}-${side}-${mode ?? 'move'}`, trial.result.fromAt);
            },
          });
          // The next trial starts from the usual address, whatever this one did.
          if (disruption.kind === 'address-change') await movePublicAddress(lab, side, 'home');
          trial.error = r.error ?? (r.connected ? null : `not connected${r.endState ? ` (${r.endState})` : ''}`);
          trials.push(trial);
          const of = variant === 'firecall' ? options.trials : options.baselineTrials;
          options.log(outageTrialLine(trial, i + 1, of));
        }
      }
    }
  } finally {
    await lab.dispose();
    options.onLab(null);
  }
  const rows: OutageRow[] = [];
  for (const mode of modes) {
    for (const variant of ['firecall', 'baseline'] as const) {
      const mine = trials.filter((t) => t.mode === mode && t.variant === variant);
      if (mine.length) rows.push(outageRow(name, mode, variant, mine));
    }
  }
  return { rows, trials, deadlineMs: ENGINE_DEADLINE_MS };
}

/** The table of every outage scenario the bench ran, one under the other. */
export function outageFiguresTable(figures: OutageFigures[]): string {
  if (figures.length === 0) return '';
  return outageTable(
    figures.flatMap((f) => f.rows),
    figures[0]!.deadlineMs,
  );
}

/**
 * `npm run bench`: call setup across the lab's networks, firecall against the
 * plain WebRTC floor measured in the same run.
 *
 *   npm run bench -- [--scenario NAME[,NAME...]] [--trials N] [--baseline-trials N]
 *                    [--json FILE] [--svg FILE] [--credentials callable|computed]
 *                    [--browsers CALLER-CALLEE[,...]]
 *
 * Per scenario: one lab network and coturn, then trials alternating firecall
 * and baseline, each with two fresh browsers. Setup time is click -> first
 * remote frame presented on the caller, with the callee accepting on ring.
 * Before the click both pages hold their TURN credentials and sit idle for 1 s,
 * as a CRM page open before its user calls would.
 * `--browsers chromium-firefox,firefox-chromium` runs the setup rows once per
 * pair of browsers (caller-callee; default chromium-chromium), each pair with its
 * own firecall and baseline trials; the ABR and outage scenarios run Chromium only.
 * `squeeze` also runs the ABR comparison (e2e/abr/squeeze-compare.ts): the
 * same call with the quality controller and with plain Chromium congestion
 * control, --trials pairs, each in a fresh lab; its rows are printed under the
 * table and stored as `squeeze` on that scenario in the JSON. `lossy` and
 * `jittery` run the same pairs on a link that is noisy all call long (5 % loss;
 * 150 ms stalls of the caller's uploads), stored as `steadyLink`. `steady-grid`
 * runs only such pairs, on paths of RTT 40/150/400 ms x loss 0/1/3 % each way
 * (`--cells 400x3,150x1` picks some; 3 pairs a cell unless --trials says),
 * prints a verdict per cell and stores the cells as `steadyGrid`.
 * `outage-8`, `outage-40`, `outage-70` and `address-change` break a running call
 * instead (e2e/lab/outage-bench.ts: one side's link and signaling gone, or its
 * public address changed, the sides in turn), firecall against the plain page,
 * and print their own table; stored as `outages`.
 * Needs root (network namespaces). Everything started is stopped, every
 * namespace removed, also on Ctrl-C.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startCredentials, type LabCredentials } from './lab/emulator';
import { labProblem } from './lab/preflight';
import { combine, goals, svgChart, table, type BenchReport } from './lab/report';
import { isScenario, SCENARIOS, scenarioTable, type ScenarioName } from './lab/scenarios';
import { summarize } from './lab/summary';
import { createLab, removeStaleNamespaces, ADDRESSES, type Lab } from './lab/topology';
import {
  gridTable,
  parseCells,
  runSqueezeComparison,
  runSteadyGrid,
  runSteadyLinkComparison,
  ALL_CELLS,
  type GridCell,
} from './abr/squeeze-compare';
import { isSteadyLink } from './abr/steady-link-figures';
import { parseBrowserPairs, pairLabel, runTrial, type TrialResult, type Variant } from './lab/trial';
import { newTurnSecret, startTurn } from './lab/turn';
import { isOutageScenario, outageFiguresTable, runOutageScenario, type OutageFigures } from './lab/outage-bench';

const USAGE = `usage: npm run bench -- [--scenario NAME[,NAME...]] [--trials N] [--baseline-trials N] [--json FILE] [--svg FILE] [--credentials callable|computed] [--cells RTTxLOSS,...] [--browsers CALLER-CALLEE,...]
scenarios: ${SCENARIOS.join(', ')}`;

function options() {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      trials: { type: 'string' },
      cells: { type: 'string' },
      'baseline-trials': { type: 'string' },
      json: { type: 'string' },
      svg: { type: 'string' },
      credentials: { type: 'string', default: 'callable' },
      latency: { type: 'string', default: '150' },
      browsers: { type: 'string', default: 'chromium-chromium' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = (name: string, raw: string | undefined, fallback: number) => {
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 1000)
      throw new Error(`--${name} must be a whole number from 0 to 1000, got "${raw}".\n${USAGE}`);
    return n;
  };
  const scenarios = (values.scenario ?? SCENARIOS.join(',')).split(',').map((s) => s.trim());
  const unknown = scenarios.filter((s) => !isScenario(s));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}.\n${USAGE}`);
  if (values.credentials !== 'callable' && values.credentials !== 'computed') {
    throw new Error(`--credentials must be "callable" (Auth + Functions emulators) or "computed", got "${values.credentials}".`);
  }
  // The grid alone is 9 cells of pairs (~2 min each): 3 pairs per cell unless told.
  const trials = count('trials', values.trials, scenarios.every((s) => s === 'steady-grid') ? 3 : 20);
  return {
    cells: values.cells === undefined ? ALL_CELLS : parseCells(values.cells),
    scenarios: scenarios as ScenarioName[],
    trials,
    baselineTrials: count('baseline-trials', values['baseline-trials'], trials),
    json: values.json,
    svg: values.svg ?? (values.json ? values.json.replace(/(\.json)?$/, '.svg') : undefined),
    credentials: values.credentials,
    latencyMs: count('latency', values.latency, 150),
    browsers: parseBrowserPairs(values.browsers),
  };
}

async function main(): Promise<void> {
  const opts = options();
  const problem = labProblem();
  if (problem) throw new Error(`The lab cannot run here: ${problem}.`);
  await removeStaleNamespaces();

  const secret = newTurnSecret();
  let credentials: LabCredentials | null = null;
  let lab: Lab | null = null;
  let grid: GridCell[] | null = null;
  const outages: OutageFigures[] = [];
  let stopping = false;
  const cleanup = async () => {
    await lab?.dispose();
    await credentials?.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      console.error(`\n${signal}: cleaning up the lab...`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, load: loadavg().map((l) => Math.round(l * 10) / 10) },
    settings: {
      trials: opts.trials,
      baselineTrials: opts.baselineTrials,
      signalingLatencyMs: opts.latencyMs,
      oneWayDelayMs: 20,
      credentials: opts.credentials,
    },
    scenarios: [],
  };
  try {
    if (opts.credentials === 'callable') {
      console.log('starting the Auth and Functions emulators for TURN credentials...');
      credentials = await startCredentials({
        secret,
        turnHost: ADDRESSES.turn,
        transports: ['udp:3478', 'tcp:3478', 'tcp:443'],
        stunUrls: [`stun:${ADDRESSES.turn}:3478`],
      });
      console.log(`emulators ready in ${Math.round(credentials.startupMs / 1000)} s`);
    }
    for (const name of opts.scenarios) {
      if (stopping) break;
      if (name === 'steady-grid') {
        // Only controller-vs-plain pairs: setup time on these paths is not what the grid is for.
        console.log(`steady-grid: ${opts.cells.length} cells, ${opts.trials} pairs each (~2 min a pair)...`);
        grid = await runSteadyGrid(opts.cells, {
          trials: opts.trials,
          log: (line: string) => console.log(line),
          onLab: (current: Lab | null) => void (lab = current),
          stopping: () => stopping,
          ...(process.env.SQUEEZE_DUMP ? { dumpPrefix: process.env.SQUEEZE_DUMP } : {}),
        });
        continue;
      }
      if (isOutageScenario(name)) {
        outages.push(
          await runOutageScenario(name, {
            trials: opts.trials,
            baselineTrials: opts.baselineTrials,
            latencyMs: opts.latencyMs,
            secret,
            ...(credentials ? { identities: { caller: credentials.caller, callee: credentials.callee } } : {}),
            log: (line: string) => console.log(line),
            onLab: (current: Lab | null) => void (lab = current),
            stopping: () => stopping,
          }),
        );
        continue;
      }
      for (const browsers of opts.browsers) {
        if (stopping) break;
        const label = pairLabel(browsers);
        lab = await createLab(scenarioTable[name]);
        const turn = await startTurn(lab, secret);
        const results: Record<Variant, TrialResult[]> = { firecall: [], baseline: [] };
        const plan: Variant[] = [];
        for (let i = 0; i < Math.max(opts.trials, opts.baselineTrials); i++) {
          if (i < opts.trials) plan.push('firecall');
          if (i < opts.baselineTrials) plan.push('baseline');
        }
        const done: Record<Variant, number> = { firecall: 0, baseline: 0 };
        const planned: Record<Variant, number> = { firecall: opts.trials, baseline: opts.baselineTrials };
        for (const variant of plan) {
          if (stopping) break;
          const r = await runTrial(lab, turn, {
            variant,
            browsers,
            signalingLatencyMs: opts.latencyMs,
            ...(credentials ? { identities: { caller: credentials.caller, callee: credentials.callee } } : {}),
          });
          results[variant].push(r);
          const outcome = r.connected
            ? `setup ${Math.round(r.setupMs!)} ms`
            : `not connected${r.endState ? ` (${r.endState})` : ''}${r.failedAfterMs !== null ? ` after ${Math.round(r.failedAfterMs)} ms` : ''}`;
          const extra =
            (r.recoveryMs != null ? `, media back ${Math.round(r.recoveryMs)} ms after the link` : '') +
            (r.softer ? `, then sent a smaller picture than before for ${r.softer.ms} ms (lowest ${r.softer.lowestHeight}p)` : '');
          done[variant] += 1;
          console.log(
            `${name}${label} ${variant} ${done[variant]}/${planned[variant]}: ${outcome}${extra}${r.error ? ` error: ${r.error.split('\n')[0]}` : ''}`,
          );
        }
        await lab.dispose();
        lab = null;
        const firecall = summarize(name, 'firecall', results.firecall);
        const baseline = results.baseline.length ? summarize(name, 'baseline', results.baseline) : null;
        const summary = combine(firecall, baseline);
        if (label) summary.browsers = label.trim();
        if (!label && (name === 'squeeze' || isSteadyLink(name)) && opts.trials > 0 && !stopping) {
          console.log(`${name}: controller vs plain Chromium, ${opts.trials} trial pairs (~${name === 'squeeze' ? 3 : 2} min each)...`);
          const pairs = {
            trials: opts.trials,
            log: (line: string) => console.log(line),
            onLab: (current: Lab | null) => void (lab = current),
            stopping: () => stopping,
            // SQUEEZE_DUMP=/some/prefix keeps every trial's per-second samples for diagnosis.
            ...(process.env.SQUEEZE_DUMP ? { dumpPrefix: process.env.SQUEEZE_DUMP } : {}),
          };
          if (name === 'squeeze') summary.squeeze = await runSqueezeComparison(pairs);
          else if (isSteadyLink(name)) summary.steadyLink = await runSteadyLinkComparison(name, pairs);
        }
        report.scenarios.push(summary);
      }
    }
  } finally {
    if (!stopping) await cleanup();
  }

  report.goals = goals(report);
  if (report.scenarios.length > 0) console.log(`\n${table(report)}`);
  if (grid) console.log(`\n${gridTable(grid)}`);
  if (outages.length > 0) console.log(`\n${outageFiguresTable(outages)}`);
  if (opts.json) {
    writeFileSync(
      opts.json,
      `${JSON.stringify({ ...report, ...(grid ? { steadyGrid: grid } : {}), ...(outages.length ? { outages } : {}) }, null, 2)}\n`,
    );
    console.log(`\nJSON: ${opts.json}`);
  }
  if (opts.svg) {
    writeFileSync(opts.svg, svgChart(report));
    console.log(`SVG chart: ${opts.svg}`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error)?.message ?? error}`);
  process.exitCode = 1;
});

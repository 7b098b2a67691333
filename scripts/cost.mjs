// What a fleet of agents costs to run: Firestore operations and listeners, TURN bandwidth,
// cores and allocations, and the iceServers callable's invocations, per day and per month.
//
//   npm run cost -- --agents 10000 --calls-per-agent-day 8 --video-share 0.5 --relay-share 0.22
//
// Prints the inputs (each with where its value comes from), then one column per fleet size:
// 1,000, 10,000 and 100,000 agents, plus --agents when it is another size. Every input is a flag;
// `--help` lists them. README "Scaling" explains the model and how to refresh the measured inputs.
import { pathToFileURL } from 'node:url';

/**
 * Every input: its default and where that value comes from. `measured` inputs come from the
 * repository's tests and benchmarks; `assumed` ones describe the customer and should be replaced
 * by their own figures; `price` ones are list prices to check against the current price page.
 */
export const INPUTS = {
  agents: { value: 10_000, kind: 'scenario', source: 'the fleet size to show besides 1,000 / 10,000 / 100,000' },
  callsPerAgentDay: { value: 8, kind: 'scenario', source: 'calls each agent places or answers per working day' },
  videoShare: { value: 0.5, kind: 'scenario', source: 'share of calls with video (the rest are voice)' },
  relayShare: { value: 0.22, kind: 'scenario', source: 'share of calls that need a TURN relay (corporate firewalls, symmetric NAT)' },
  writesPerCall: {
    value: 8,
    kind: 'measured',
    source: 'README "Firestore signaling": 6 writes per setup + 2 at hang-up (unit test: writes per setup)',
  },
  readsPerCall: {
    value: 16,
    kind: 'measured',
    source: 'README "Firestore signaling": 8-10 listener reads + ~6 rules get() reads per setup (upper end)',
  },
  ttlDeletesPerCall: {
    value: 5,
    kind: 'measured',
    source: 'signal documents per call (offer, answer, 2 candidate batches, bye), deleted by the TTL policy',
  },
  videoKbps: {
    value: 3303,
    kind: 'measured',
    source:
      'turn/test/load.ts: relayed kbit/s per video call, both directions (median of 8 calls, 640x360 at 30 fps fake camera; 1257 at 160x120, 15 fps)',
  },
  voiceKbps: {
    value: 100,
    kind: 'assumed',
    source: 'Opus voice both directions with RTP/UDP/IP overhead (~50 kbit/s each way); not measured here',
  },
  coturnCpuPerCall: {
    value: 1.4,
    kind: 'measured',
    source: 'turn/test/load.ts: coturn CPU % of one core per relayed video call (11.4% for 8 calls at 640x360; 10.2% at 160x120)',
  },
  probeWritesPerMinute: {
    value: 2,
    kind: 'measured',
    source: 'functions/src/healthProbe.ts: the TURN health record, written twice a minute (any fleet size)',
  },
  allocationsPerIdlePage: {
    value: 1,
    kind: 'measured',
    source: 'app/src/call/warm-line.ts: a warm line holds one relay allocation per page while idle',
  },
  tabsPerAgent: { value: 3, kind: 'assumed', source: 'CRM tabs an agent keeps signed in' },
  warmLine: {
    value: 'per-browser',
    kind: 'scenario',
    source: 'app/src/call/warm-line-leader.ts: one tab per browser keeps the line ("per-tab": each signed-in tab, before)',
  },
  signedInHours: { value: 8, kind: 'assumed', source: "hours a day an agent's pages are signed in" },
  callMinutes: { value: 5, kind: 'assumed', source: 'average call length' },
  peakFactor: { value: 2, kind: 'assumed', source: "busiest hour's call rate over the day's average rate" },
  credentialTtlHours: {
    value: 1,
    kind: 'measured',
    source: 'TURN_TTL_SECONDS default 3600: a signed-in page fetches credentials once an hour, plus once at load',
  },
  turnHostCores: { value: 4, kind: 'assumed', source: 'cores per TURN host' },
  turnTargetLoad: { value: 0.5, kind: 'assumed', source: 'CPU share a TURN host runs at, peak hour (headroom for a lost host)' },
  turnAllocationsPerHost: { value: 2000, kind: 'measured', source: 'turn/turnserver.conf total-quota' },
  workdaysPerMonth: { value: 22, kind: 'assumed', source: 'working days in a month' },
  readPrice: { value: 0.06, kind: 'price', source: 'USD per 100,000 Firestore reads, multi-region (cloud.google.com/firestore/pricing)' },
  writePrice: { value: 0.18, kind: 'price', source: 'USD per 100,000 Firestore writes, multi-region' },
  deletePrice: { value: 0.02, kind: 'price', source: 'USD per 100,000 Firestore deletes, multi-region (TTL deletes included)' },
};

/** `--calls-per-agent-day` for `callsPerAgentDay`. */
const flagOf = (name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export class CostInputError extends Error {}

/** Parses `--name value` pairs; unknown flags, missing or bad values throw a CostInputError naming the flag. */
export function parseCostArgs(argv) {
  const inputs = Object.fromEntries(Object.entries(INPUTS).map(([name, input]) => [name, input.value]));
  const byFlag = new Map(Object.keys(INPUTS).map((name) => [flagOf(name), name]));
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, raw] = [argv[i], argv[i + 1]];
    const name = byFlag.get(flag);
    if (!name) throw new CostInputError(`unknown option ${flag}; see --help`);
    if (raw === undefined) throw new CostInputError(`${flag} needs a value`);
    if (name === 'warmLine') {
      if (raw !== 'per-tab' && raw !== 'per-browser') throw new CostInputError(`${flag} is per-tab or per-browser, got "${raw}"`);
      inputs[name] = raw;
      continue;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new CostInputError(`${flag} must be a number of at least 0, got "${raw}"`);
    if (/Share$/.test(name) && value > 1) throw new CostInputError(`${flag} is a share from 0 to 1, got ${raw}`);
    if (name === 'agents' && !Number.isInteger(value)) throw new CostInputError(`${flag} must be a whole number, got ${raw}`);
    inputs[name] = value;
  }
  for (const name of ['turnHostCores', 'turnTargetLoad', 'turnAllocationsPerHost', 'credentialTtlHours']) {
    if (inputs[name] <= 0) throw new CostInputError(`${flagOf(name)} must be above 0`);
  }
  return inputs;
}

/** The figures for one fleet size; `inputs` as parseCostArgs returns them. */
export function estimate(inputs, agents = inputs.agents) {
  const callsPerDay = agents * inputs.callsPerAgentDay;
  const pagesOpen = agents * inputs.tabsPerAgent;
  const warmLines = inputs.warmLine === 'per-browser' ? agents : pagesOpen;

  const writes = callsPerDay * inputs.writesPerCall + inputs.probeWritesPerMinute * 60 * 24;
  // The incoming-call query costs at least one read when a page starts listening.
  const reads = callsPerDay * inputs.readsPerCall + pagesOpen;
  const deletes = callsPerDay * inputs.ttlDeletesPerCall;
  // Every open page listens for incoming calls; both sides of a call listen to its signals.
  const listenerHours = pagesOpen * inputs.signedInHours + (callsPerDay * 2 * inputs.callMinutes) / 60;
  const firestoreUsdPerDay = (reads * inputs.readPrice + writes * inputs.writePrice + deletes * inputs.deletePrice) / 100_000;

  const relayedCalls = callsPerDay * inputs.relayShare;
  const kbpsPerRelayedCall = inputs.videoShare * inputs.videoKbps + (1 - inputs.videoShare) * inputs.voiceKbps;
  const relayGbPerDay = (relayedCalls * inputs.callMinutes * 60 * kbpsPerRelayedCall) / 8 / 1e6;
  const peakRelayedCalls = ((relayedCalls * inputs.callMinutes) / (inputs.signedInHours * 60)) * inputs.peakFactor;
  const peakRelayMbps = (peakRelayedCalls * kbpsPerRelayedCall) / 1000;
  const peakTurnCores = (peakRelayedCalls * inputs.coturnCpuPerCall) / 100 / inputs.turnTargetLoad;
  const idleAllocations = warmLines * inputs.allocationsPerIdlePage;
  // Relayed calls hold about 2 allocations each (one per side) on top of the idle lines.
  const peakAllocations = idleAllocations + peakRelayedCalls * 2;
  const turnHosts = Math.max(1, Math.ceil(Math.max(peakTurnCores / inputs.turnHostCores, peakAllocations / inputs.turnAllocationsPerHost)));

  // Each page fetches at load and once per credential lifetime; only lines kept warm renew
  // unprompted, other tabs fetch when they place or answer a call.
  const callableInvocations =
    warmLines * (1 + inputs.signedInHours / inputs.credentialTtlHours) +
    (pagesOpen - warmLines) +
    (inputs.warmLine === 'per-browser' ? callsPerDay : 0);

  const month = inputs.workdaysPerMonth;
  return {
    agents,
    callsPerDay,
    firestore: {
      writes,
      reads,
      deletes,
      listenerHours,
      peakListeners: pagesOpen,
      usdPerDay: firestoreUsdPerDay,
      usdPerMonth: firestoreUsdPerDay * month,
    },
    turn: {
      relayedCalls,
      kbpsPerRelayedCall,
      relayGbPerDay,
      relayGbPerMonth: relayGbPerDay * month,
      peakRelayedCalls,
      peakRelayMbps,
      peakTurnCores,
      idleAllocations,
      peakAllocations,
      turnHosts,
    },
    callable: { perDay: callableInvocations, perMonth: callableInvocations * month },
  };
}

const ROWS = [
  ['calls per day', (e) => e.callsPerDay],
  ['Firestore writes per day', (e) => e.firestore.writes],
  ['Firestore reads per day', (e) => e.firestore.reads],
  ['Firestore TTL deletes per day', (e) => e.firestore.deletes],
  ['Firestore listener-hours per day', (e) => e.firestore.listenerHours],
  ['Firestore listeners at once (peak)', (e) => e.firestore.peakListeners],
  ['Firestore USD per day', (e) => e.firestore.usdPerDay, 2],
  ['Firestore USD per month', (e) => e.firestore.usdPerMonth, 0],
  ['relayed calls per day', (e) => e.turn.relayedCalls],
  ['TURN egress GB per day', (e) => e.turn.relayGbPerDay, 1],
  ['TURN egress GB per month', (e) => e.turn.relayGbPerMonth, 0],
  ['relayed calls at once (peak hour)', (e) => e.turn.peakRelayedCalls, 1],
  ['TURN Mbit/s (peak hour)', (e) => e.turn.peakRelayMbps, 1],
  ['TURN cores (peak hour)', (e) => e.turn.peakTurnCores, 2],
  ['TURN allocations held idle', (e) => e.turn.idleAllocations],
  ['TURN allocations (peak hour)', (e) => e.turn.peakAllocations],
  ['TURN hosts (cores or total-quota)', (e) => e.turn.turnHosts],
  ['iceServers invocations per day', (e) => e.callable.perDay],
  ['iceServers invocations per month', (e) => e.callable.perMonth],
];

function number(value, digits = 0) {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The inputs with their sources, then the figures, one column per fleet size. */
export function formatReport(inputs, sizes = [...new Set([1_000, 10_000, 100_000, inputs.agents])].sort((a, b) => a - b)) {
  const lines = ['Inputs', ''];
  for (const [name, input] of Object.entries(INPUTS)) {
    if (name === 'agents') continue;
    lines.push(`  ${flagOf(name).padEnd(30)} ${String(inputs[name]).padStart(8)}  ${input.kind.padEnd(8)}  ${input.source}`);
  }
  const estimates = sizes.map((agents) => estimate(inputs, agents));
  const header = ['', ...estimates.map((e) => `${number(e.agents)} agents`)];
  const body = ROWS.map(([label, pick, digits]) => [label, ...estimates.map((e) => number(pick(e), digits))]);
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((row) => row[column].length)));
  const row = (cells) =>
    `  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]))).join('  ')}`;
  lines.push('', `Per working day (${inputs.workdaysPerMonth} a month); warm line ${inputs.warmLine}`, '', row(header), ...body.map(row));
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log(
      `npm run cost -- [options]\n${Object.entries(INPUTS)
        .map(([name, input]) => `  ${flagOf(name)} (default ${input.value}): ${input.source}`)
        .join('\n')}`,
    );
  } else {
    try {
      console.log(formatReport(parseCostArgs(argv)));
    } catch (error) {
      if (!(error instanceof CostInputError)) throw error;
      console.error(`cost: ${error.message}`);
      process.exitCode = 2;
    }
  }
}

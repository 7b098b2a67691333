/**
 * The lab's network scenarios: what each router lets through, and what a
 * call across it is expected to do.
 */

export const SCENARIOS = [
  'open',
  'cone-nat',
  'symmetric-nat',
  'udp-blocked',
  'tcp443-only',
  'no-path',
  'link-flap',
  'squeeze',
  'lossy',
  'jittery',
  'steady-grid',
  'outage-8',
  'outage-40',
  'outage-70',
  'address-change',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export function isScenario(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

export interface RouterPolicy {
  /** Source NAT on the WAN side; 'none' routes the LAN addresses as they are. */
  nat: 'none' | 'masquerade' | 'masquerade-random';
  /** What new connections from the LAN may leave. */
  egress: 'all' | 'no-udp' | 'tcp443' | 'nothing';
}

/** What a successful call across the scenario must have used. */
export type ExpectedPath = { kind: 'direct' } | { kind: 'relay'; protocol?: 'udp' | 'tcp'; port?: number } | { kind: 'fails' };

export interface Scenario {
  name: ScenarioName;
  summary: string;
  router: RouterPolicy;
  expect: ExpectedPath;
  /** Rate limit on the caller's link from the start (kbit/s, both directions). */
  callerRateKbit?: number;
  /** Share of the caller's packets dropped at random from the start (%, each direction). */
  callerLossPercent?: number;
  /** The caller's uploads stall from the start, like a Wi-Fi station retrying. */
  callerStalls?: LinkStalls;
}

/** Nothing passes for `ms`, every `minGapMs` to `maxGapMs` (random); what waited then leaves at once. */
export interface LinkStalls {
  ms: number;
  minGapMs: number;
  maxGapMs: number;
}

const cone: RouterPolicy = { nat: 'masquerade', egress: 'all' };

export const scenarioTable: Record<ScenarioName, Scenario> = {
  open: { name: 'open', summary: 'both hosts directly reachable', router: { nat: 'none', egress: 'all' }, expect: { kind: 'direct' } },
  'cone-nat': { name: 'cone-nat', summary: 'both behind MASQUERADE', router: cone, expect: { kind: 'direct' } },
  'symmetric-nat': {
    name: 'symmetric-nat',
    summary: 'both behind MASQUERADE --random-fully',
    router: { nat: 'masquerade-random', egress: 'all' },
    expect: { kind: 'relay' },
  },
  'udp-blocked': {
    name: 'udp-blocked',
    summary: 'UDP dropped at both routers',
    router: { nat: 'masquerade', egress: 'no-udp' },
    expect: { kind: 'relay', protocol: 'tcp' },
  },
  'tcp443-only': {
    name: 'tcp443-only',
    summary: 'only TCP to port 443 leaves both LANs',
    router: { nat: 'masquerade', egress: 'tcp443' },
    expect: { kind: 'relay', protocol: 'tcp', port: 443 },
  },
  'no-path': {
    name: 'no-path',
    summary: 'nothing leaves either LAN',
    router: { nat: 'masquerade', egress: 'nothing' },
    expect: { kind: 'fails' },
  },
  'link-flap': {
    name: 'link-flap',
    summary: "cone NAT; the caller's link is cut for 5 s mid-call",
    router: cone,
    expect: { kind: 'direct' },
  },
  squeeze: {
    name: 'squeeze',
    summary: "cone NAT; the caller's link drops from 2.5 Mbit/s to 250 kbit/s and back",
    router: cone,
    expect: { kind: 'direct' },
    callerRateKbit: 2_500,
  },
  lossy: {
    name: 'lossy',
    summary: "cone NAT; the caller's 2.5 Mbit/s link loses 5 % of packets each way, all call long (busy Wi-Fi)",
    router: cone,
    expect: { kind: 'direct' },
    callerRateKbit: 2_500,
    callerLossPercent: 5,
  },
  jittery: {
    name: 'jittery',
    summary: "cone NAT; the caller's 2.5 Mbit/s link, its uploads stalling for 150 ms every 3-7 s, all call long (Wi-Fi retrying)",
    router: cone,
    expect: { kind: 'direct' },
    callerRateKbit: 2_500,
    callerStalls: { ms: 150, minGapMs: 3_000, maxGapMs: 7_000 },
  },
  'steady-grid': {
    name: 'steady-grid',
    summary: "cone NAT, no rate limit; the bench sets each cell's RTT and loss (a long or lossy path that never changes)",
    router: cone,
    expect: { kind: 'direct' },
  },
  // Outages mid-call (e2e/lab/outage.ts): one side's link, and its signaling, gone for 8, 40 or 70 s.
  'outage-8': {
    name: 'outage-8',
    summary: "cone NAT; one side's link and signaling gone for 8 s mid-call",
    router: cone,
    expect: { kind: 'direct' },
  },
  'outage-40': {
    name: 'outage-40',
    summary: "cone NAT; one side's link and signaling gone for 40 s mid-call",
    router: cone,
    expect: { kind: 'direct' },
  },
  'outage-70': {
    name: 'outage-70',
    summary: "cone NAT; one side's link and signaling gone for 70 s mid-call, past the deadline",
    router: cone,
    expect: { kind: 'direct' },
  },
  'address-change': {
    name: 'address-change',
    summary: "cone NAT; one side's router gets a new public address mid-call",
    router: cone,
    expect: { kind: 'direct' },
  },
};

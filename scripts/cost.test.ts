import { describe, expect, it } from 'vitest';
import { CostInputError, estimate, formatReport, INPUTS, parseCostArgs } from './cost.mjs';

const defaults = () => parseCostArgs([]);

describe('cost model', () => {
  it("reads the flags of the issue's example and keeps every other default", () => {
    const inputs = parseCostArgs(['--agents', '10000', '--calls-per-agent-day', '8', '--video-share', '0.5', '--relay-share', '0.22']);
    expect(inputs).toMatchObject({
      agents: 10_000,
      callsPerAgentDay: 8,
      videoShare: 0.5,
      relayShare: 0.22,
      writesPerCall: INPUTS.writesPerCall.value,
    });
  });

  it('refuses unknown flags, missing values, negative numbers and shares above 1, naming the flag', () => {
    expect(() => parseCostArgs(['--agent', '5'])).toThrow(new CostInputError('unknown option --agent; see --help'));
    expect(() => parseCostArgs(['--agents'])).toThrow('--agents needs a value');
    expect(() => parseCostArgs(['--agents', '-3'])).toThrow('--agents must be a number of at least 0, got "-3"');
    expect(() => parseCostArgs(['--relay-share', '22'])).toThrow('--relay-share is a share from 0 to 1, got 22');
    expect(() => parseCostArgs(['--warm-line', 'per-user'])).toThrow('--warm-line is per-tab or per-browser');
    expect(() => parseCostArgs(['--turn-host-cores', '0'])).toThrow('--turn-host-cores must be above 0');
  });

  it('counts Firestore operations per call from the measured per-call figures', () => {
    const e = estimate({ ...defaults(), callsPerAgentDay: 10, tabsPerAgent: 2 }, 100);
    expect(e.callsPerDay).toBe(1_000);
    expect(e.firestore.writes).toBe(1_000 * INPUTS.writesPerCall.value + 2 * 60 * 24);
    expect(e.firestore.reads).toBe(1_000 * INPUTS.readsPerCall.value + 200);
    expect(e.firestore.deletes).toBe(1_000 * INPUTS.ttlDeletesPerCall.value);
  });

  it('grows relay bandwidth with the relayed share and the video share', () => {
    const base = { ...defaults(), videoKbps: 1_000, voiceKbps: 100, callMinutes: 10, relayShare: 0.5, videoShare: 0 };
    const voice = estimate(base, 1_000);
    const video = estimate({ ...base, videoShare: 1 }, 1_000);
    // 4,000 relayed calls x 600 s x 100 kbit/s = 30 GB
    expect(voice.turn.relayGbPerDay).toBeCloseTo(30, 6);
    expect(video.turn.relayGbPerDay).toBeCloseTo(300, 6);
    expect(estimate({ ...base, relayShare: 0 }, 1_000).turn.relayGbPerDay).toBe(0);
  });

  it('holds one idle allocation per browser instead of one per tab with a shared warm line', () => {
    const perTab = estimate({ ...defaults(), warmLine: 'per-tab', tabsPerAgent: 10 }, 1_000);
    const perBrowser = estimate({ ...defaults(), warmLine: 'per-browser', tabsPerAgent: 10 }, 1_000);
    expect(perTab.turn.idleAllocations).toBe(10_000);
    expect(perBrowser.turn.idleAllocations).toBe(1_000);
    expect(perBrowser.turn.turnHosts).toBeLessThan(perTab.turn.turnHosts);
  });

  it('sizes TURN hosts by whichever runs out first, cores or allocations', () => {
    const inputs = { ...defaults(), relayShare: 1, coturnCpuPerCall: 10, turnHostCores: 1, turnTargetLoad: 1, tabsPerAgent: 0 };
    const e = estimate(inputs, 1_000);
    expect(e.turn.turnHosts).toBe(Math.ceil(e.turn.peakTurnCores));
    expect(
      estimate({ ...inputs, coturnCpuPerCall: 0, tabsPerAgent: 5, warmLine: 'per-tab', turnAllocationsPerHost: 1_000 }, 1_000).turn
        .turnHosts,
    ).toBeGreaterThanOrEqual(5);
  });

  it('prints every input with its source and a column for 1,000, 10,000 and 100,000 agents plus the one asked for', () => {
    const report = formatReport(parseCostArgs(['--agents', '2500']));
    expect(report).toMatch(/1,000 agents +2,500 agents +10,000 agents +100,000 agents/);
    for (const name of Object.keys(INPUTS).filter((n) => n !== 'agents'))
      expect(report).toContain(INPUTS[name as keyof typeof INPUTS].source);
    expect(report).toMatch(/Firestore writes per day +66,880 +162,880 +642,880 +6,402,880/);
  });
});

/**
 * The lab's links, measured with packets. Two kinds of bottleneck: a plain one
 * (tbf, one first-in-first-out queue, what the squeeze scenario uses) makes a
 * voice packet wait as long as any other; a voice-first one (`voiceFirst`, like
 * an enterprise edge with voice QoS) lets a DSCP EF packet past a full queue.
 * The squeeze bench's SQUEEZE_VOICE_FIRST=1 relies on both being so. And the
 * `jittery` link's stalls, which its bench relies on: the stall delays, it does not drop.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { labProblem } from './lab/preflight';
import { inNs } from './lab/processes';
import { scenarioTable } from './lab/scenarios';
import { ADDRESSES, createLab, type Lab } from './lab/topology';

const problem = labProblem();
if (problem) throw new Error(`The lab cannot run here: ${problem}.`);

const PROBE = fileURLToPath(new URL('./lab/queue-probe.py', import.meta.url));
const ECHO_PORT = '9000';

interface QueueProbe {
  rttMs: { voice: number[]; bestEffort: number[] };
  sent: { voice: number; bestEffort: number };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Sends `fillKbit` of best effort up the caller's link for `seconds` and times marked and unmarked probes across it. */
async function probeUplink(lab: Lab, fillKbit: number, seconds: number): Promise<QueueProbe> {
  try {
    // The echo lives on the lab's internet, behind the caller's router: the probes cross the squeezed link.
    await lab.processes.start('queue echo', 'ip', ['netns', 'exec', lab.ns.internet, 'python3', PROBE, 'echo', ADDRESSES.turn, ECHO_PORT], {
      readyWhen: /^ready$/,
    });
    const out = await inNs(
      lab.hostNs('caller'),
      'python3',
      [PROBE, 'probe', ADDRESSES.turn, ECHO_PORT, String(fillKbit), String(seconds)],
      {
        timeoutMs: (seconds + 5) * 1000,
      },
    );
    return JSON.parse(out) as QueueProbe;
  } finally {
    await lab.dispose();
  }
}

/** The caller's 250 kbit/s uplink, filled with 600 kbit/s of best effort for 3 s. */
async function probeFullUplink(voiceFirst: boolean): Promise<QueueProbe> {
  return probeUplink(await createLab(scenarioTable.squeeze, { callerRateKbit: 250, voiceFirst }), 600, 3);
}

describe('bottleneck queues (lab)', () => {
  it('plain tbf: a voice-marked packet waits behind the full queue like any other', async () => {
    const r = await probeFullUplink(false);
    const detail = JSON.stringify(r);
    // 40 ms of path RTT plus ~150 ms of queue (4 full-size packets at 250 kbit/s).
    expect(median(r.rttMs.bestEffort), detail).toBeGreaterThan(140);
    expect(median(r.rttMs.voice), detail).toBeGreaterThan(140);
  });

  it('voice-first: a DSCP EF packet passes the full queue, the rest waits as behind plain tbf', async () => {
    const r = await probeFullUplink(true);
    const detail = JSON.stringify(r);
    expect(median(r.rttMs.voice), detail).toBeLessThan(80);
    expect(median(r.rttMs.bestEffort), detail).toBeGreaterThan(140);
    // Voice is never the one dropped when the queue overflows.
    expect(r.rttMs.voice.length, detail).toBe(r.sent.voice);
  });
});

describe('link stalls (lab)', () => {
  it("jittery: the caller's uploads stall for 150 ms every 3-7 s; what waited leaves at once, in order, and nothing is lost", async () => {
    // 14 s from the lab's start: its seeded stalls come ~3.5 s and ~10 s in.
    const r = await probeUplink(await createLab(scenarioTable.jittery), 100, 14);
    const rtts = r.rttMs.bestEffort;
    const detail = JSON.stringify(rtts);
    // 41 ms of path RTT when nothing stalls.
    expect(median(rtts), detail).toBeLessThan(60);
    // A stall: the probes sent during it (one every 50 ms) come back together, each having waited 50 ms less.
    const stalls: number[][] = [];
    rtts.forEach((rtt, i) => {
      if (rtt <= 75) return;
      if (i > 0 && rtts[i - 1]! > 75) stalls[stalls.length - 1]!.push(rtt);
      else stalls.push([rtt]);
    });
    expect(stalls.length, detail).toBeGreaterThanOrEqual(2);
    for (const stall of stalls) {
      expect(Math.max(...stall), detail).toBeGreaterThan(130);
      expect(stall.length, detail).toBeLessThanOrEqual(4);
      stall.slice(1).forEach((rtt, i) => expect(rtt, detail).toBeLessThan(stall[i]!));
    }
    // The delayer drops nothing (a full rate limiter behind it still may: not here, at 100 kbit/s).
    expect(rtts.length, detail).toBe(r.sent.bestEffort);
  });
});

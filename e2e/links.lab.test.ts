/**
 * The lab's links, measured with packets. Two kinds of bottleneck: a plain one
 * (tbf, one first-in-first-out queue, what the squeeze scenario uses) makes a
 * voice packet wait as long as any other; a voice-first one (`voiceFirst`, like
 * an enterprise edge with voice QoS) lets a DSCP EF packet past a full queue.
 * The squeeze bench's SQUEEZE_VOICE_FIRST=1 relies on both being so. And the
 * `jittery` link's stalls, which its bench relies on: they delay, never drop.
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
    const out = await inNs(lab.hostNs('caller'), 'python3', [PROBE, 'probe', ADDRESSES.turn, ECHO_PORT, String(fillKbit), String(seconds)], {
      timeoutMs: (seconds + 5) * 1000,
    });
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
  it("jittery: the caller's uploads stall for 150 ms now and then, and nothing is lost", async () => {
    // 10 s: the first stall comes 3-7 s after the lab starts, the next 3-7 s later.
    const r = await probeUplink(await createLab(scenarioTable.jittery), 100, 10);
    const detail = JSON.stringify(r.rttMs.bestEffort);
    const rtts = r.rttMs.bestEffort;
    // 40 ms of path RTT when nothing stalls; the first probe into a stall (one every 50 ms) waits 100-150 ms of it.
    expect(median(rtts), detail).toBeLessThan(80);
    expect(Math.max(...rtts), detail).toBeGreaterThan(130);
    // A stall delays what waits; it drops nothing.
    expect(rtts.length, detail).toBe(r.sent.bestEffort);
  });
});

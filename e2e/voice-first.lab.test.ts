/**
 * The lab's two kinds of bottleneck, measured with packets: a plain one (tbf,
 * one first-in-first-out queue, what the squeeze scenario uses) makes a voice
 * packet wait as long as any other; a voice-first one (`voiceFirst`, like an
 * enterprise edge with voice QoS) lets a DSCP EF packet past a full queue.
 * The squeeze bench's SQUEEZE_VOICE_FIRST=1 relies on both being so.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { labProblem } from './lab/preflight';
import { inNs } from './lab/processes';
import { scenarioTable } from './lab/scenarios';
import { ADDRESSES, createLab } from './lab/topology';

const problem = labProblem();
if (problem) throw new Error(`The lab cannot run here: ${problem}.`);

const PROBE = fileURLToPath(new URL('./lab/queue-probe.py', import.meta.url));
const ECHO_PORT = '9000';

interface QueueProbe {
  rttMs: { voice: number[]; bestEffort: number[] };
  sent: { voice: number; bestEffort: number };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Fills the caller's 250 kbit/s uplink with 600 kbit/s of best effort for 3 s and times marked and unmarked probes across it. */
async function probeUplink(voiceFirst: boolean): Promise<QueueProbe> {
  const lab = await createLab(scenarioTable.squeeze, { callerRateKbit: 250, voiceFirst });
  try {
    // The echo lives on the lab's internet, behind the caller's router: the probes cross the squeezed link.
    await lab.processes.start('queue echo', 'ip', ['netns', 'exec', lab.ns.internet, 'python3', PROBE, 'echo', ADDRESSES.turn, ECHO_PORT], {
      readyWhen: /^ready$/,
    });
    const out = await inNs(lab.hostNs('caller'), 'python3', [PROBE, 'probe', ADDRESSES.turn, ECHO_PORT, '600', '3']);
    return JSON.parse(out) as QueueProbe;
  } finally {
    await lab.dispose();
  }
}

describe('bottleneck queues (lab)', () => {
  it('plain tbf: a voice-marked packet waits behind the full queue like any other', async () => {
    const r = await probeUplink(false);
    const detail = JSON.stringify(r);
    // 40 ms of path RTT plus ~150 ms of queue (4 full-size packets at 250 kbit/s).
    expect(median(r.rttMs.bestEffort), detail).toBeGreaterThan(140);
    expect(median(r.rttMs.voice), detail).toBeGreaterThan(140);
  });

  it('voice-first: a DSCP EF packet passes the full queue, the rest waits as behind plain tbf', async () => {
    const r = await probeUplink(true);
    const detail = JSON.stringify(r);
    expect(median(r.rttMs.voice), detail).toBeLessThan(80);
    expect(median(r.rttMs.bestEffort), detail).toBeGreaterThan(140);
    // Voice is never the one dropped when the queue overflows.
    expect(r.rttMs.voice.length, detail).toBe(r.sent.voice);
  });
});

/**
 * The lab's cross-browser pass: one firecall call per mixed pair (Chromium calls
 * Firefox, Firefox calls Chromium) behind cone NATs, each browser in its own network
 * namespace, through real coturn. A call between two WebRTC implementations is the
 * test no code of ours wrote: it must connect, with the picture and the sound going
 * both ways. TURN credentials are signed by the lab itself; the quick
 * pass already covers the callable.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BrowserName } from './lab/browser';
import { firefoxPath } from './lab/firefox';
import { labProblem } from './lab/preflight';
import { scenarioTable } from './lab/scenarios';
import { createLab } from './lab/topology';
import { runTrial, type TrialResult } from './lab/trial';
import { startTurn, newTurnSecret } from './lab/turn';

const problem = labProblem() ?? (existsSync(firefoxPath) ? null : `missing ${firefoxPath} (apt-get install firefox-esr)`);
if (problem) throw new Error(`The cross-browser lab cannot run here: ${problem}.`);

const secret = newTurnSecret();

async function callAcrossConeNat(caller: BrowserName, callee: BrowserName): Promise<TrialResult> {
  const lab = await createLab(scenarioTable['cone-nat']);
  try {
    const turn = await startTurn(lab, secret);
    return await runTrial(lab, turn, { variant: 'firecall', browsers: { caller, callee } });
  } finally {
    await lab.dispose();
  }
}

const describeResult = (r: TrialResult) => JSON.stringify({ ...r, timeline: undefined });

describe.sequential('lab cross-browser pass (firecall, cone NAT)', () => {
  it.each([
    ['chromium', 'firefox'],
    ['firefox', 'chromium'],
  ] as const)('%s calls %s: connects, with video and audio both ways', async (caller, callee) => {
    const r = await callAcrossConeNat(caller, callee);
    const seen = describeResult(r);
    const codecs = `${r.media.callee?.videoCodec ?? '-'} to the callee, ${r.media.caller?.videoCodec ?? '-'} back`;
    console.log(`${caller}->${callee}: setup ${Math.round(r.setupMs ?? -1)} ms, caller's path ${JSON.stringify(r.path.caller)}, ${codecs}`);
    expect(r.error, seen).toBeNull();
    expect(r.connected, seen).toBe(true);
    expect(r.media.caller?.framesDecoded, `the ${caller} caller decodes the callee's video: ${seen}`).toBeGreaterThan(0);
    expect(r.media.callee?.framesDecoded, `the ${callee} callee decodes the caller's video: ${seen}`).toBeGreaterThan(0);
    expect(r.media.caller?.audioPackets, `the ${caller} caller receives the callee's audio: ${seen}`).toBeGreaterThan(0);
    expect(r.media.callee?.audioPackets, `the ${callee} callee receives the caller's audio: ${seen}`).toBeGreaterThan(0);
    // Chromium plays the audio it receives out (headless Firefox here has no audio device to play to).
    const chromium = caller === 'chromium' ? r.media.caller : r.media.callee;
    expect(chromium?.audioEnergy, `the Chromium side hears the Firefox side: ${seen}`).toBeGreaterThan(0);
    // Both sides know the path (Firefox, controlling, sometimes nominates a relay pair first: no assertion on which).
    expect(r.path.caller, seen).not.toBeNull();
    expect(r.path.callee, seen).not.toBeNull();
    expect(r.states, seen).toEqual(expect.arrayContaining(['ringing', 'connecting:checking', 'connected']));
    expect(r.finalState, seen).toBe('connected');
  });
});

/**
 * The lab's quick pass: one firecall call per network scenario, between two
 * real Chromiums in their own network namespaces, with real coturn and TURN
 * credentials from the real `iceServers` callable (Auth + Functions emulators).
 * Asserts what a user would notice: the call connects, over the path that
 * network allows, with video both ways; the screen says what the call is doing;
 * a network with no path fails fast with its reason; a dropped link shows
 * "reconnecting" and the picture comes back, also when the callee's link and
 * signaling are gone for 8 s.
 */
import { describe, expect, it } from 'vitest';
import { labProblem } from './lab/preflight';
import { waitFor } from './lab/processes';
import { credentialsForSuite } from './lab/suite';
import { scenarioTable, type ScenarioName } from './lab/scenarios';
import { ADDRESSES, createLab, type Lab } from './lab/topology';
import { runTrial, type ConnectedCall, type TrialResult, type Variant } from './lab/trial';
import { disrupt, type DisruptionResult } from './lab/outage';
import { disruptionOf } from './lab/outage-bench';
import { outageTrialLine } from './lab/outage-figures';
import { newTurnSecret, startTurn } from './lab/turn';
import type { ObservedPath } from './lab/pages/probe';

const problem = labProblem();
if (problem) throw new Error(`The lab cannot run here: ${problem}.`);

const secret = newTurnSecret();
const credentials = credentialsForSuite({
  secret,
  turnHost: ADDRESSES.turn,
  transports: ['udp:3478', 'tcp:3478', 'tcp:443'],
  stunUrls: [`stun:${ADDRESSES.turn}:3478`],
});

/** One call (firecall's, or the benchmark's plain WebRTC page) across a fresh lab network; the network is always removed. */
async function callAcross(
  name: ScenarioName,
  kind: 'video' | 'voice' = 'video',
  variant: Variant = 'firecall',
  duringCall?: (lab: Lab, call: ConnectedCall) => Promise<void>,
): Promise<TrialResult> {
  const lab = await createLab(scenarioTable[name]);
  try {
    const turn = await startTurn(lab, secret);
    return await runTrial(lab, turn, {
      variant,
      kind,
      identities: { caller: credentials().caller, callee: credentials().callee },
      ...(duringCall ? { duringCall: (call: ConnectedCall) => duringCall(lab, call) } : {}),
    });
  } finally {
    await lab.dispose();
  }
}

const describeResult = (r: TrialResult) => JSON.stringify({ ...r, media: undefined });

function expectConnectedWithVideo(r: TrialResult): void {
  expect(r.error, describeResult(r)).toBeNull();
  expect(r.connected, describeResult(r)).toBe(true);
  expect(r.media.caller?.framesDecoded, 'caller decodes the callee video').toBeGreaterThan(0);
  expect(r.media.callee?.framesDecoded, 'callee decodes the caller video').toBeGreaterThan(0);
  // The user saw the call ring, then connect through its phases, then connected.
  const order = ['requesting-media', 'ringing', 'connecting:signaling', 'connecting:checking', 'connected'];
  const seen = order.map((state) => r.states.indexOf(state));
  expect(
    seen.every((index) => index >= 0),
    `states ${r.states.join(' > ')}`,
  ).toBe(true);
  expect(
    [...seen].sort((a, b) => a - b),
    `states ${r.states.join(' > ')}`,
  ).toEqual(seen);
}

const isRelay = (p: ObservedPath | null) => p !== null && (p.local === 'relay' || p.remote === 'relay');

describe.sequential('lab quick pass (firecall, one call per scenario)', () => {
  it.each(['open', 'cone-nat'] as const)('%s: connects directly, no relay', async (name) => {
    const r = await callAcross(name);
    expectConnectedWithVideo(r);
    for (const side of [r.path.caller, r.path.callee]) {
      expect(side, describeResult(r)).not.toBeNull();
      expect(isRelay(side), describeResult(r)).toBe(false);
    }
    if (name === 'open') expect(r.path.caller).toMatchObject({ local: 'host', remote: 'host' });
  });

  it('symmetric-nat: connects through the relay', async () => {
    const r = await callAcross('symmetric-nat');
    expectConnectedWithVideo(r);
    expect(isRelay(r.path.caller), describeResult(r)).toBe(true);
    expect(isRelay(r.path.callee), describeResult(r)).toBe(true);
  });

  it('udp-blocked: connects through the relay over TCP', async () => {
    const r = await callAcross('udp-blocked');
    expectConnectedWithVideo(r);
    for (const side of [r.path.caller, r.path.callee])
      expect(side, describeResult(r)).toMatchObject({ local: 'relay', relayProtocol: 'tcp' });
  });

  it('tcp443-only: connects through the relay on TCP port 443', async () => {
    const r = await callAcross('tcp443-only');
    expectConnectedWithVideo(r);
    for (const side of [r.path.caller, r.path.callee]) {
      expect(side, describeResult(r)).toMatchObject({ local: 'relay', relayProtocol: 'tcp', relayPort: 443 });
    }
  });

  it('voice behind symmetric NATs: relayed, and each side hears the other', async () => {
    const r = await callAcross('symmetric-nat', 'voice');
    expect(r.error, describeResult(r)).toBeNull();
    expect(r.connected, describeResult(r)).toBe(true);
    expect(r.media.caller?.audioEnergy, describeResult(r)).toBeGreaterThan(0);
    expect(r.media.callee?.audioEnergy, describeResult(r)).toBeGreaterThan(0);
    expect(r.media.caller?.framesDecoded, 'a voice call decodes no video').toBe(0);
    expect(isRelay(r.path.caller), describeResult(r)).toBe(true);
    expect(r.states, describeResult(r)).toEqual(expect.arrayContaining(['ringing', 'connecting:signaling', 'connected']));
  });

  it('no-path: fails with "no route", long before Chromium would give up', async () => {
    const r = await callAcross('no-path');
    expect(r.connected, describeResult(r)).toBe(false);
    expect(r.endState, describeResult(r)).toBe('failed:no-route');
    // The user was told it was trying the relay before it gave up.
    expect(r.states, describeResult(r)).toContain('connecting:relaying');
    const failed = r.timeline.find((m) => m.state === 'failed');
    expect(failed, describeResult(r)).toBeTruthy();
    // The goal: failed with its reason within 10 s of the click (plain Chromium: 15 s after
    // checks start). The engine gives up 8 s after ICE checks start, ~0.5 s after the click.
    expect(failed!.atMs, describeResult(r)).toBeLessThanOrEqual(10_000);
  });

  it('link-flap: shows reconnecting while the link is cut, then the picture comes back', async () => {
    const r = await callAcross('link-flap');
    expectConnectedWithVideo(r);
    expect(r.sawReconnecting, describeResult(r)).toBe(true);
    expect(r.recoveryMs, describeResult(r)).not.toBeNull();
    // Generous here (shared CI cores); the benchmark reports the real figure against the 2 s goal.
    expect(r.recoveryMs!, describeResult(r)).toBeLessThan(8_000);
    // The cut was no sign of a thin link: the caller goes on sending as sharp a picture as before.
    expect(r.softer, describeResult(r)).not.toBeNull();
    expect(r.softer!.ms, describeResult(r)).toBeLessThan(1_000);
    expect(r.finalState, describeResult(r)).toBe('connected');
  });

  it("outage-8: the callee's link and signaling are gone for 8 s: both sides show reconnecting, the call survives, media comes back both ways", async () => {
    let seen: DisruptionResult | null = null;
    let bothConnected = false;
    const disruption = disruptionOf('outage-8', 'callee', 'drop');
    const r = await callAcross('outage-8', 'video', 'firecall', async (lab, call) => {
      seen = await disrupt(lab, call, disruption, { backTimeoutMs: 15_000 });
      // "Connected" again on both screens once media has held for a moment.
      const states = async () => Promise.all((['caller', 'callee'] as const).map(async (side) => (await call.driver!.outcome(side)).state));
      bothConnected = await waitFor(async () => (await states()).every((state) => state === 'connected'), 5_000, 100);
    });
    const outage = seen as DisruptionResult | null;
    console.log(
      outageTrialLine({ scenario: 'outage-8', variant: 'firecall', side: 'callee', mode: 'drop', result: outage, error: r.error }, 1, 1),
    );
    expectConnectedWithVideo(r);
    expect(outage, describeResult(r)).not.toBeNull();
    const both = [outage!.caller, outage!.callee];
    const seenText = JSON.stringify(outage);
    // Each user saw the frozen picture named as "Reconnecting", and nobody's call ended.
    for (const side of both) {
      expect(side.reconnectingMs, seenText).not.toBeNull();
      expect(side.ended, seenText).toBeNull();
    }
    // Generous here (shared CI cores); the bench reports the real figure against the 1 s goal.
    expect(outage!.mediaBackMs, seenText).not.toBeNull();
    expect(outage!.mediaBackMs!, seenText).toBeLessThan(8_000);
    expect(bothConnected, describeResult(r)).toBe(true);
  });

  it('squeeze: the call survives 250 kbit/s and keeps showing video', async () => {
    const r = await callAcross('squeeze');
    expectConnectedWithVideo(r);
    expect(r.squeeze!.fpsDuring, describeResult(r)).toBeGreaterThan(0);
    expect(r.squeeze!.fpsAfter, describeResult(r)).toBeGreaterThan(0);
    expect(r.finalState, describeResult(r)).toBe('connected');
  });

  it("the benchmark's plain WebRTC page connects too (its figures are the baseline firecall is measured against)", async () => {
    const r = await callAcross('cone-nat', 'video', 'baseline');
    expect(r.error, describeResult(r)).toBeNull();
    expect(r.connected, describeResult(r)).toBe(true);
    expect(r.media.caller?.framesDecoded, describeResult(r)).toBeGreaterThan(0);
    expect(r.media.callee?.framesDecoded, describeResult(r)).toBeGreaterThan(0);
  });
});

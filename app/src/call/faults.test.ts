/**
 * Faults without TURN (issue 9, item 4b and 4c): real WebRTC peers (@roamhq/wrtc) over the
 * memory store. The TURN faults (a relay killed mid-call, credentials expiring) live in
 * turn/test/faults.test.ts because they need coturn.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createPhones, inboundBytes, nextIncoming, reach, sleep } from './testing/wrtc';
import type { CallSessionApi } from './types';

let cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

function world(...args: Parameters<typeof createPhones>) {
  const made = createPhones(...args);
  cleanup.push(made.dispose);
  return made;
}

const pcOf = (session: CallSessionApi) => (session as unknown as { link: { pc: RTCPeerConnection } | null }).link?.pc;

async function connectedCall(w: ReturnType<typeof createPhones>) {
  const incoming = nextIncoming(w.phones.bob!.client);
  const caller = w.phones.alice!.client.call({ callee: 'bob', kind: 'video' });
  const callee = await incoming;
  void callee.accept();
  await Promise.all([reach(caller, 'connected'), reach(callee, 'connected')]);
  return { caller, callee, callId: caller.snapshot.callId! };
}

describe("the peer's browser is killed (no bye)", () => {
  it.each([
    ['the callee vanishes; the caller', 'bob'],
    ['the caller vanishes; the callee', 'alice'],
  ] as const)('%s ends with peer-left within 10 s and the call log records it', async (_name, victim) => {
    const w = world(['alice', 'bob'], { latencyMs: 50 });
    const { caller, callee, callId } = await connectedCall(w);
    const [survivor, gone] = victim === 'bob' ? [caller, callee] : [callee, caller];
    await sleep(300);
    // A killed browser: its peer connection vanishes and its signaling goes silent at once
    // (writes never land, listeners stop), so no bye and no document update ever arrive.
    const killedAt = Date.now();
    w.store.setOnline(victim, false);
    pcOf(gone)!.close();
    const ended = await reach(survivor, 'ended', 15_000);
    const seconds = (Date.now() - killedAt) / 1000;
    console.log(`peer killed (${victim}): the other side ended '${ended.reason}' after ${seconds.toFixed(1)} s (limit 10 s)`);
    expect(ended.reason).toBe('peer-left');
    expect(seconds).toBeLessThan(10);
    // The user saw the freeze as 'reconnecting' before the call ended.
    expect(Object.keys(ended.timings)).toContain('reconnecting');
    await sleep(200);
    expect(w.store.getCall(callId)).toMatchObject({ state: 'ended', endReason: 'peer-left' });
  });

  it('a peer that still answers signaling is not mistaken for gone: no media ends in no-route at the deadline', async () => {
    const w = world(['alice', 'bob'], {}, { timeouts: { reconnectDeadlineMs: 8_000, peerGoneMs: 2_000 } });
    const { caller, callee } = await connectedCall(w);
    w.phones.alice!.devices.paused = true;
    w.phones.bob!.devices.paused = true;
    const [a, b] = await Promise.all([reach(caller, 'failed', 15_000), reach(callee, 'failed', 15_000)]);
    expect([a.reason, b.reason]).toEqual(['no-route', 'no-route']);
  });
});

describe('signaling offline for 3 s during setup', () => {
  it.each([
    ['the callee, from the moment he answers', 'bob', 'answer'],
    ['the caller, right after her offer left', 'alice', 'ringing'],
  ] as const)('%s: setup completes when it returns', async (_name, who, when) => {
    const w = world(['alice', 'bob'], { latencyMs: 50 });
    const incoming = nextIncoming(w.phones.bob!.client);
    const caller = w.phones.alice!.client.call({ callee: 'bob', kind: 'video' });
    const callee = await incoming;
    if (when === 'ringing') await sleep(300); // her offer and candidates are stored
    w.store.setOnline(who, false);
    const offlineAt = Date.now();
    void callee.accept();
    await sleep(3_000);
    // Nothing can complete while one side cannot read or write: neither side is connected.
    expect(caller.snapshot.state).not.toBe('connected');
    expect(callee.snapshot.state).not.toBe('connected');
    const backAt = Date.now();
    w.store.setOnline(who, true);
    await Promise.all([reach(caller, 'connected', 15_000), reach(callee, 'connected', 15_000)]);
    console.log(`signaling of ${who} offline ${((backAt - offlineAt) / 1000).toFixed(1)} s during setup: connected ${Date.now() - backAt} ms after it returned`);
    const before = await inboundBytes(caller);
    await sleep(500);
    expect(await inboundBytes(caller)).toBeGreaterThan(before);
  });
});

describe('the ICE server provider returns a malformed TURN URL', () => {
  it('the caller fails at once with turn-unreachable instead of ringing until the timeout', async () => {
    const badTurn = async () => ({ iceServers: [{ urls: 'turn:', username: 'u', credential: 'c' }], expiresAt: Date.now() + 3_600_000 });
    const w = world(['alice', 'bob'], {}, { iceServers: badTurn });
    const caller = w.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
    const failed = await reach(caller, 'failed', 5_000);
    expect(failed).toMatchObject({ reason: 'turn-unreachable' });
    expect(failed.detail).toContain('TURN server configuration was refused');
    await sleep(100);
    // The callee does not keep ringing for a call that cannot work.
    expect(w.store.getCall(failed.callId!)?.state).toBe('cancelled');
  });
});

describe('a signal refused because the peer already ended the call', () => {
  it('is not mistaken for a signaling outage: the call ends as peer-left', async () => {
    const w = world(['alice', 'bob']);
    const { callee, callId } = await connectedCall(w);
    w.store.setOnline('bob', false);
    // Alice's app ends the call while bob's network is away; bob restarts ICE meanwhile.
    await w.store.channel('alice').end(callId, 'hung-up');
    (callee as unknown as { networkChanged(): void }).networkChanged();
    await sleep(500); // bob's restart offer is written and waits for the network
    w.store.setOnline('bob', true);
    const ended = await reach(callee, 'ended', 5_000);
    expect(ended.reason).toBe('peer-left');
    expect(w.phones.bob!.logs.some((line) => line.includes('signal refused, the call is over'))).toBe(true);
  });
});

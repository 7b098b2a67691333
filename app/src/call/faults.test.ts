/**
 * Faults without TURN: real WebRTC peers (@roamhq/wrtc) over the memory store. The TURN faults
 * (a relay killed mid-call, credentials expiring) live in turn/test/faults.test.ts because they
 * need coturn.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPhones, inboundBytes, nextIncoming, reach, sleep } from './testing/wrtc';
import type { CallSessionApi } from './types';

const cleanup: (() => void)[] = [];
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
  ] as const)('%s keeps trying until the reconnect deadline, then ends with connection-lost in the call log', async (_name, victim) => {
    // Silence is not leaving: a killed browser looks like a long outage, so only the deadline ends it.
    const deadlineMs = 2_000;
    const w = world(['alice', 'bob'], { latencyMs: 50 }, { timeouts: { reconnectDeadlineMs: deadlineMs } });
    const { caller, callee, callId } = await connectedCall(w);
    const [survivor, gone] = victim === 'bob' ? [caller, callee] : [callee, caller];
    // A killed browser: its peer connection vanishes and its signaling goes silent at once
    // (writes never land, listeners stop), so no bye and no document update ever arrive.
    w.store.setOnline(victim, false);
    pcOf(gone)!.close();
    const failed = await reach(survivor, 'failed', 15_000);
    console.log(
      `peer killed (${victim}): the other side reconnected for ${failed.timings.reconnecting} ms, then '${failed.reason}' (deadline ${deadlineMs} ms)`,
    );
    expect(failed.reason).toBe('connection-lost');
    // The user saw the freeze as 'reconnecting' for the whole deadline, not less.
    expect(failed.timings.reconnecting).toBeGreaterThanOrEqual(deadlineMs);
    await vi.waitFor(() => expect(w.store.getCall(callId)).toMatchObject({ state: 'ended', endReason: 'connection-lost' }), {
      timeout: 2_000,
      interval: 20,
    });
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
    let back = false;
    let connectedWhileOffline = false;
    for (const side of [caller, callee]) side.on('state', (s) => (connectedWhileOffline ||= !back && s.state === 'connected'));
    void callee.accept();
    await sleep(3_000); // the outage
    const backAt = Date.now();
    back = true;
    w.store.setOnline(who, true);
    await Promise.all([reach(caller, 'connected', 15_000), reach(callee, 'connected', 15_000)]);
    console.log(
      `signaling of ${who} offline ${((backAt - offlineAt) / 1000).toFixed(1)} s during setup: connected ${Date.now() - backAt} ms after it returned`,
    );
    // Nothing can complete while one side cannot read or write.
    expect(connectedWhileOffline).toBe(false);
    const before = await inboundBytes(caller);
    await vi.waitFor(async () => expect(await inboundBytes(caller)).toBeGreaterThan(before), { timeout: 5_000, interval: 50 });
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
    // The callee does not keep ringing for a call that cannot work.
    await vi.waitFor(() => expect(w.store.getCall(failed.callId!)?.state).toBe('cancelled'), { timeout: 2_000, interval: 20 });
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
    // bob's restart offer is written and waits for the network.
    await vi.waitFor(() => expect(pcOf(callee)?.signalingState).toBe('have-local-offer'), { timeout: 5_000, interval: 20 });
    w.store.setOnline('bob', true);
    const ended = await reach(callee, 'ended', 5_000);
    expect(ended.reason).toBe('peer-left');
    expect(w.phones.bob!.logs.some((line) => line.includes('signal refused, the call is over'))).toBe(true);
  });
});

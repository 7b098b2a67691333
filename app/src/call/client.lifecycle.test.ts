/**
 * The life of a call around the conversation, as people know it from a phone: "Calling Ben"
 * until one of Ben's devices has the call, then "Ringing"; "Ben isn't online right now" when none
 * does; "Ben is on another call" when he is; and who ended an unanswered call, on each side.
 * Engine timers run on the fake clock; signaling is the memory store.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SignalingChannel } from '../signaling/channel';
import type { StoreOp } from '../signaling/memory';
import type { CallClient, CallClientOptions } from './client';
import { FakeClock } from './testing/fake-clock';
import { createPhones, createTestClient, nextIncoming, reach, settle, withoutReceipts } from './testing/wrtc';
import type { CallSessionApi } from './types';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

/** Phones on one memory store; with a fake clock, the store's times follow it too. */
function phones(uids: string[], clock?: FakeClock, clientOptions: Partial<CallClientOptions> = {}) {
  const made = createPhones(uids, clock ? { now: () => clock.now() } : {}, { ...(clock ? { clock } : {}), ...clientOptions });
  cleanup.push(made.dispose);
  return made;
}

/** A client over `signaling` (a second tab of someone, or an adapter of a host), disposed after the test. */
function clientOn(signaling: SignalingChannel, clock?: FakeClock, options: Partial<CallClientOptions> = {}): CallClient {
  const { client, devices } = createTestClient(signaling, { keepLineWarm: false, ...(clock ? { clock } : {}), ...options });
  cleanup.push(
    () => client.dispose(),
    () => devices.stopAll(),
  );
  return client;
}

/** Every write that landed for one call, by kind, for counting. */
function recordWrites(w: ReturnType<typeof createPhones>): StoreOp[] {
  const ops: StoreOp[] = [];
  cleanup.push(w.store.onWrite((op) => ops.push(op)));
  return ops;
}

const receiptsIn = (ops: StoreOp[], callId: string) =>
  ops.filter((op) => op.op === 'updateCall' && op.callId === callId && 'deliveredAt' in op.patch).length;

describe('reachability before "Ringing"', () => {
  it('the callee is offline: "Calling Ben" for 8 s, then unavailable, logged as his missed call', async () => {
    const clock = new FakeClock();
    const w = phones(['ana'], clock);
    const clickedAt = clock.now();
    const call = w.phones.ana!.client.call({ callee: 'ben', kind: 'voice' });
    await vi.waitFor(() => expect(call.snapshot.state).toBe('ringing'));
    expect(call.snapshot.reachingPeer, 'said "Ringing" with nobody to ring').toBe(true);
    await clock.advance(7_999);
    expect(call.snapshot.state).toBe('ringing');
    await clock.advance(1);
    expect(call.snapshot).toMatchObject({ state: 'ended', reason: 'unavailable', reachingPeer: false });
    expect(clock.now() - clickedAt).toBeLessThanOrEqual(10_000);
    await vi.waitFor(() =>
      expect(w.store.getCall(call.snapshot.callId!)).toMatchObject({ state: 'missed', endReason: 'unavailable', callee: 'ben' }),
    );
  });

  it('the reach time is configurable', async () => {
    const clock = new FakeClock();
    const w = phones(['ana'], clock, { timeouts: { reachMs: 3_000 } });
    const call = w.phones.ana!.client.call({ callee: 'ben', kind: 'voice' });
    await vi.waitFor(() => expect(call.snapshot.state).toBe('ringing'));
    await clock.advance(3_000);
    expect(call.snapshot).toMatchObject({ state: 'ended', reason: 'unavailable' });
  });

  it('the callee is online: his page confirms with one write, the caller says "Ringing" and waits out the ring time', async () => {
    const clock = new FakeClock();
    const w = phones(['ana', 'ben'], clock);
    const writes = recordWrites(w);
    const incoming = nextIncoming(w.phones.ben!.client);
    const call = w.phones.ana!.client.call({ callee: 'ben', kind: 'voice' });
    const ringing = await incoming;
    await vi.waitFor(() => expect(call.snapshot).toMatchObject({ state: 'ringing', reachingPeer: false }));
    const callId = call.snapshot.callId!;
    expect(receiptsIn(writes, callId)).toBe(1);
    expect(w.store.getCall(callId)).toMatchObject({ state: 'ringing', deliveredAt: expect.any(Number) });
    await clock.advance(8_000);
    expect(call.snapshot.state, 'a callee who is there was taken for offline').toBe('ringing');
    await clock.advance(37_000);
    expect(call.snapshot).toMatchObject({ state: 'ended', reason: 'no-answer' });
    await vi.waitFor(() => expect(ringing.snapshot).toMatchObject({ state: 'ended', reason: 'no-answer' }));
    expect(w.store.getCall(callId)).toMatchObject({ state: 'missed', endReason: 'no-answer' });
  });

  it('two tabs of the callee ring; the call is confirmed once', async () => {
    const clock = new FakeClock();
    const w = phones(['ana', 'ben'], clock);
    const writes = recordWrites(w);
    const other = clientOn(w.store.channel('ben'), clock);
    const rang = [nextIncoming(w.phones.ben!.client), nextIncoming(other)];
    const call = w.phones.ana!.client.call({ callee: 'ben', kind: 'voice' });
    const [first, second] = await Promise.all(rang);
    await vi.waitFor(() => expect(call.snapshot.reachingPeer).toBe(false));
    expect([first!.snapshot.state, second!.snapshot.state]).toEqual(['ringing', 'ringing']);
    expect(receiptsIn(writes, call.snapshot.callId!)).toBe(1);
  });

  it('an adapter without receipts: the caller says "Ringing" at once and never ends the call as unavailable', async () => {
    const clock = new FakeClock();
    const w = phones([], clock);
    const ana = clientOn(withoutReceipts(w.store.channel('ana')), clock, { timeouts: { reachMs: 1_000 } });
    const call = ana.call({ callee: 'ben', kind: 'voice' });
    await vi.waitFor(() => expect(call.snapshot.state).toBe('ringing'));
    expect(call.snapshot.reachingPeer).toBe(false);
    await clock.advance(5_000);
    expect(call.snapshot.state).toBe('ringing');
  });

  it('an answer counts as delivery: a call answered before any receipt is not ended as unavailable', async () => {
    const clock = new FakeClock();
    const w = phones(['ana'], clock, { timeouts: { reachMs: 1_000 } });
    const ben = clientOn(withoutReceipts(w.store.channel('ben')), clock);
    const incoming = nextIncoming(ben);
    const call = w.phones.ana!.client.call({ callee: 'ben', kind: 'voice' });
    void (await incoming).accept();
    await vi.waitFor(() => expect(['connecting', 'connected']).toContain(call.snapshot.state));
    expect(call.snapshot.reachingPeer).toBe(false);
    await clock.advance(1_000);
    expect(['connecting', 'connected']).toContain(call.snapshot.state);
  });
});

describe('busy', () => {
  /** Ana calls Ben, Ben answers; both connected. */
  async function onACall(w: ReturnType<typeof createPhones>, ben: CallClient = w.phones.ben!.client) {
    const incoming = nextIncoming(ben);
    const caller = w.phones.ana!.client.call({ callee: 'ben', kind: 'voice' });
    const callee = await incoming;
    void callee.accept();
    await Promise.all([reach(caller, 'connected'), reach(callee, 'connected')]);
    return { caller, callee };
  }

  it('a callee on a call answers a second caller with busy, and his call goes on', async () => {
    const w = phones(['ana', 'ben', 'carol']);
    const { caller, callee } = await onACall(w);
    const rang: CallSessionApi[] = [];
    w.phones.ben!.client.onIncoming((session) => rang.push(session));
    const second = w.phones.carol!.client.call({ callee: 'ben', kind: 'video' });
    expect(await reach(second, 'ended')).toMatchObject({ reason: 'busy' });
    expect(w.store.getCall(second.snapshot.callId!)).toMatchObject({ state: 'declined', endReason: 'busy' });
    expect(rang, 'the second call rang in the middle of his call').toEqual([]);
    expect([caller.snapshot.state, callee.snapshot.state]).toEqual(['connected', 'connected']);
  });

  it('on a call in one tab: the other tab stops ringing the second call at once, as busy', async () => {
    const w = phones(['ana', 'ben', 'carol']);
    const otherTab = clientOn(w.store.channel('ben'));
    const { callee } = await onACall(w);
    const rangInOtherTab: CallSessionApi[] = [];
    otherTab.onIncoming((session) => rangInOtherTab.push(session));
    const second = w.phones.carol!.client.call({ callee: 'ben', kind: 'voice' });
    expect(await reach(second, 'ended')).toMatchObject({ reason: 'busy' });
    // The other tab may have seen it ring for a moment; if so, it is over there too, and reads as busy.
    await vi.waitFor(() =>
      expect(rangInOtherTab.filter((s) => s.snapshot.callId === second.snapshot.callId).map((s) => s.snapshot.reason)).not.toContain(null),
    );
    for (const session of rangInOtherTab) expect(session.snapshot).toMatchObject({ state: 'ended', reason: 'busy' });
    expect(callee.snapshot.state).toBe('connected');
  });

  it('a callee placing a call of his own is busy too', async () => {
    const w = phones(['ana', 'ben']);
    const dialing = w.phones.ben!.client.call({ callee: 'dora', kind: 'voice' });
    await reach(dialing, 'ringing');
    const second = w.phones.ana!.client.call({ callee: 'ben', kind: 'voice' });
    expect(await reach(second, 'ended')).toMatchObject({ reason: 'busy' });
    expect(dialing.snapshot.state).toBe('ringing');
  });
});

describe('what each kind of call costs in signaling', () => {
  it('answered, busy and callee offline: call-document writes counted, all writes and reads printed', async () => {
    // A shorter reach time keeps the test quick; it changes no document write.
    const w = phones(['ana', 'ben', 'carol'], undefined, { timeouts: { reachMs: 2_000 } });
    const writes = recordWrites(w);
    const incoming = nextIncoming(w.phones.ben!.client);
    const answered = w.phones.ana!.client.call({ callee: 'ben', kind: 'voice' });
    const callee = await incoming;
    void callee.accept();
    await Promise.all([reach(answered, 'connected'), reach(callee, 'connected')]);
    await settle(w.store, answered.snapshot.callId!);
    const setup = w.store.costOf(answered.snapshot.callId!);
    const busy = w.phones.carol!.client.call({ callee: 'ben', kind: 'voice' });
    await reach(busy, 'ended');
    await answered.hangUp();
    await reach(callee, 'ended');
    const offline = w.phones.carol!.client.call({ callee: 'dora', kind: 'voice' });
    await reach(offline, 'ended');
    for (const session of [answered, busy, offline]) await settle(w.store, session.snapshot.callId!);
    const cost = (session: CallSessionApi) => w.store.costOf(session.snapshot.callId!);
    // The call document's own writes do not depend on how many candidates the machine has.
    const documentWrites = (session: CallSessionApi) =>
      writes.flatMap((op) => {
        if (op.op === 'createCall') return op.call.id === session.snapshot.callId ? ['create'] : [];
        if (op.op === 'createSignal' || op.callId !== session.snapshot.callId) return [];
        return [op.patch.state ?? 'receipt'];
      });
    console.info(
      `signaling cost per call (memory store, billed like Firestore), writes/reads: answered ${setup.writes}/${setup.reads} to connect, ` +
        `${cost(answered).writes}/${cost(answered).reads} with the hang-up; busy ${cost(busy).writes}/${cost(busy).reads}; ` +
        `callee offline ${cost(offline).writes}/${cost(offline).reads} (signals: one offer, candidates in batches of up to 12)`,
    );
    // Totals depend on how many candidates this machine has (batches of 12); the session tests hold the budget.
    expect(documentWrites(answered)).toEqual(['create', 'receipt', 'accepted', 'ended']);
    expect(documentWrites(busy)).toEqual(['create', 'declined']);
    expect(documentWrites(offline)).toEqual(['create', 'missed']);
    expect([busy.snapshot.reason, offline.snapshot.reason]).toEqual(['busy', 'unavailable']);
  });
});

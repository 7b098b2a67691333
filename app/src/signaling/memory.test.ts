import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, type MemoryStoreOptions, type StoreOp } from './memory';
import type { CallRecord, Signal } from './channel';
import { VALID_CANDIDATE } from '../call/testing/hostile';

const cands = { type: 'candidates' as const, candidates: [VALID_CANDIDATE] };

/** A hand-driven timer queue: the store's "network" moves only when the test says so. */
let queue: { at: number; seq: number; fn: () => void }[] = [];
let now = 0;
let order = 0;
const clock = { now: () => now, setTimeout: (fn: () => void, ms: number) => queue.push({ at: now + ms, seq: order++, fn }) };
beforeEach(() => {
  queue = [];
  now = 0;
});

/** Runs pending timers (and those they schedule) up to `until` ms from now. */
async function advance(ms = 0): Promise<void> {
  const until = now + ms;
  for (let guard = 0; guard < 10_000; guard++) {
    await new Promise((resolve) => setImmediate(resolve));
    queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = queue[0];
    if (!next || next.at > until) break;
    queue.shift();
    now = next.at;
    next.fn();
  }
  now = until;
}

/** Lets the store work, then gives the outcome of `promise`. */
async function run<T>(promise: Promise<T>, ms = 0): Promise<T> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await advance(ms);
  const result = await outcome;
  if ('error' in result) throw result.error;
  return result.value;
}

const newStore = (options: MemoryStoreOptions = {}) => new MemoryStore({ ...clock, ...options });

describe('memory store', () => {
  it('delivers asynchronously in batched snapshots and never echoes own signals', async () => {
    const store = newStore();
    const alice = store.channel('alice');
    const bob = store.channel('bob');
    const call = await run(alice.startCall({ callee: 'bob', kind: 'voice' }));
    const got: Signal[] = [];
    const batches: number[] = [];
    const echoes: Signal[] = [];
    bob.watchSignals(
      call.id,
      (s) => got.push(s),
      () => {},
    );
    store.listen('bob', 'signals', call.id, (docs) => batches.push((docs as unknown[]).length));
    alice.watchSignals(
      call.id,
      (s) => echoes.push(s),
      () => {},
    );
    await advance();
    const sent = Promise.all([
      alice.sendSignal(call.id, cands),
      alice.sendSignal(call.id, cands),
      alice.sendSignal(call.id, { type: 'bye' }),
    ]);
    expect(got).toHaveLength(0); // never inside the call that caused it
    await run(sent);
    expect(got.map((s) => s.seq)).toEqual([1, 2, 3]);
    expect(batches).toEqual([3]); // one snapshot for writes landing together
    expect(echoes).toEqual([]);
  });

  it('enforces create-only signals from their author and the call state transitions', async () => {
    const store = newStore();
    const alice = store.channel('alice');
    const bob = store.channel('bob');
    const call = await run(alice.startCall({ callee: 'bob', kind: 'video' }));
    await expect(run(alice.accept(call.id))).rejects.toMatchObject({ reason: 'invalid-transition' });
    await expect(run(store.channel('eve').sendSignal(call.id, cands))).rejects.toThrow(/not a participant/);
    await expect(run(bob.cancel(call.id))).rejects.toThrow(/Only the caller can cancel/);
    await expect(run(alice.end(call.id, 'hung-up'))).rejects.toThrow(/it is ringing, not accepted/);
    await run(bob.accept(call.id));
    await expect(run(bob.decline(call.id))).rejects.toThrow(/it is accepted, not ringing/);
    await expect(run(alice.end(call.id, 'Hung up!'))).rejects.toThrow(/not a reason code/);
    await run(alice.end(call.id, 'hung-up'));
    expect(store.getCall(call.id)).toMatchObject({ state: 'ended', endReason: 'hung-up' });
    await expect(run(alice.startCall({ callee: 'alice', kind: 'voice' }))).rejects.toThrow(/callee other than yourself/);
  });

  it('refuses the calls firestore.rules refuse: a kind other than video or voice, a malformed CRM context', async () => {
    const alice = newStore().channel('alice');
    const refused = (input: unknown) =>
      expect(run(alice.startCall(input as Parameters<typeof alice.startCall>[0]))).rejects.toMatchObject({ reason: 'invalid-transition' });
    await refused({ callee: 'bob', kind: 'screen' });
    await refused({ callee: 'bob', kind: 'video', context: { recordType: '', recordId: 'T-1' } });
    await refused({ callee: 'bob', kind: 'video', context: { recordType: 'ticket', recordId: 'x'.repeat(257) } });
    await refused({ callee: 'bob', kind: 'video', context: { recordType: 'ticket', recordId: 'T-1', label: 'l'.repeat(201) } });
    await expect(
      run(alice.startCall({ callee: 'bob', kind: 'video', context: { recordType: 'ticket', recordId: 'T-1', label: 'Ticket' } })),
    ).resolves.toMatchObject({ state: 'ringing' });
  });

  it('refuses descriptions and candidates once the call is over, as firestore.rules do; a bye still goes', async () => {
    const store = newStore();
    const alice = store.channel('alice');
    const bob = store.channel('bob');
    const call = await run(alice.startCall({ callee: 'bob', kind: 'video' }));
    await run(bob.accept(call.id));
    await run(alice.end(call.id, 'hung-up'));
    await expect(run(bob.sendSignal(call.id, cands))).rejects.toMatchObject({ reason: 'invalid-transition' });
    await expect(
      run(bob.sendSignal(call.id, { type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } })),
    ).rejects.toMatchObject({ reason: 'invalid-transition' });
    await run(bob.sendSignal(call.id, { type: 'bye' }));
  });

  it('lists ringing calls for the callee only', async () => {
    const store = newStore();
    const lists: string[][] = [];
    store.channel('bob').watchIncoming((calls) => lists.push(calls.map((c) => c.caller)));
    const call = await run(store.channel('alice').startCall({ callee: 'bob', kind: 'voice' }));
    await run(store.channel('carol').startCall({ callee: 'dave', kind: 'voice' }));
    expect(lists.at(-1)).toEqual(['alice']);
    await run(store.channel('bob').decline(call.id));
    expect(lists.at(-1)).toEqual([]);
  });

  it('models latency per write and keeps a sender in order under jitter', async () => {
    const jitter = [0.9, 0.1, 0.5, 0.0];
    let i = 0;
    const store = newStore({ latencyMs: 150, jitterMs: 100, random: () => jitter[i++ % jitter.length]! });
    const alice = store.channel('alice');
    const created = alice.startCall({ callee: 'bob', kind: 'voice' });
    await advance(149);
    expect(store.dump()).toHaveLength(0); // not visible before the latency
    const call = await run(created, 300);
    const got: number[] = [];
    store.channel('bob').watchSignals(
      call.id,
      (s) => got.push(s.seq),
      () => {},
    );
    const sent = Promise.all([0, 1, 2, 3].map(() => alice.sendSignal(call.id, cands)));
    await run(sent, 1_000);
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('keeps a sender in order when timers due in the same millisecond fire out of order (Node does that)', async () => {
    // Due times tie here; fire tied timers last-set first.
    const store = newStore({ latencyMs: 150, setTimeout: (fn, ms) => queue.push({ at: now + ms, seq: -order++, fn }) });
    const alice = store.channel('alice');
    const id = alice.newCallId();
    // The caller's offer goes right behind the create, as the engine sends it.
    const created = alice.startCall({ id, callee: 'bob', kind: 'video' });
    const offered = alice.sendSignal(id, { type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } });
    await run(Promise.all([created, offered]), 200);
    expect(store.signalsOf(id).map((s) => s.type)).toEqual(['description']);
  });

  it('duplicates and cross-sender reordering reach the listener; the inbox removes them', async () => {
    let seed = 3;
    const store = newStore({
      duplicateRate: 1,
      reorderAcrossSenders: true,
      random: () => (seed = (seed * 16807) % 2147483647) / 2147483647,
    });
    const alice = store.channel('alice');
    const bob = store.channel('bob');
    const call = await run(alice.startCall({ callee: 'bob', kind: 'voice' }));
    const raw: unknown[] = [];
    store.listen('carol', 'signals', call.id, (docs) => raw.push(...(docs as unknown[])));
    const got: number[] = [];
    bob.watchSignals(
      call.id,
      (s) => got.push(s.seq),
      () => {},
    );
    await run(Promise.all([1, 2, 3].map(() => alice.sendSignal(call.id, cands))));
    expect(raw.length).toBe(6); // every signal delivered twice
    expect(got).toEqual([1, 2, 3]);
  });

  it('offline: writes wait and listeners pause until back online', async () => {
    const store = newStore();
    const alice = store.channel('alice');
    const call = await run(alice.startCall({ callee: 'bob', kind: 'voice' }));
    const got: number[] = [];
    store.channel('bob').watchSignals(
      call.id,
      (s) => got.push(s.seq),
      () => {},
    );
    store.setOnline('alice', false);
    let written = false;
    void alice.sendSignal(call.id, cands).then(() => (written = true));
    await advance(5_000);
    expect([written, got]).toEqual([false, []]);
    store.setOnline('alice', true);
    await advance();
    expect([written, got]).toEqual([true, [1]]);
    store.setOnline('bob', false);
    await run(alice.sendSignal(call.id, cands));
    await advance(5_000);
    expect(got).toEqual([1]);
    store.setOnline('bob', true);
    await advance();
    expect(got).toEqual([1, 2]);
  });

  it('counts writes and reads per call', async () => {
    const store = newStore();
    const alice = store.channel('alice');
    const call = await run(alice.startCall({ callee: 'bob', kind: 'voice' }));
    store.channel('bob').watchSignals(
      call.id,
      () => {},
      () => {},
    );
    await run(alice.sendSignal(call.id, cands));
    await run(store.channel('bob').accept(call.id));
    expect(store.costOf(call.id)).toEqual({ writes: 3, reads: 1 });
    expect(store.costOf('other')).toEqual({ writes: 0, reads: 0 });
  });

  it('relays between two replicas as plain JSON (how the lab bridges two browsers)', async () => {
    const left = newStore();
    const right = newStore();
    const wire: string[] = [];
    left.onWrite((op) => {
      wire.push(JSON.stringify(op));
      right.applyRemote(JSON.parse(JSON.stringify(op)) as StoreOp);
    });
    right.onWrite((op) => left.applyRemote(op));
    const calls: CallRecord[][] = [];
    right.channel('bob').watchIncoming((list) => calls.push(list));
    const call = await run(left.channel('alice').startCall({ callee: 'bob', kind: 'video' }));
    expect(calls.at(-1)?.map((c) => c.id)).toEqual([call.id]);
    await run(right.channel('bob').accept(call.id));
    expect(left.getCall(call.id)?.state).toBe('accepted');
    expect(wire).toHaveLength(1);
    // A late replica is seeded from a dump.
    const late = newStore();
    for (const op of left.dump()) late.applyRemote(op);
    expect(late.getCall(call.id)?.state).toBe('accepted');
  });

  it('relayed ahead of time, a write lands on the other replica when it lands on its own, in order, and only if the rules take it', async () => {
    // Tied timers fire last-set first, as in the test above.
    const tied = { setTimeout: (fn: () => void, ms: number) => queue.push({ at: now + ms, seq: -order++, fn }) };
    const left = newStore({ latencyMs: 150, ...tied });
    const right = newStore({ latencyMs: 150, ...tied });
    left.onSend((write) => right.applyRelayedWrite(JSON.parse(JSON.stringify(write))));
    const alice = left.channel('alice');
    const id = alice.newCallId();
    const created = alice.startCall({ id, callee: 'bob', kind: 'video' });
    const offered = alice.sendSignal(id, { type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } });
    // A signal for a call that does not exist: relayed as sent, and refused on both replicas.
    const stray = alice.sendSignal('no-such-call', cands).catch((error: Error) => error.message);
    await advance(149);
    expect(right.getCall(id)).toBeUndefined();
    await advance(1);
    expect(left.getCall(id)?.state).toBe('ringing');
    expect(right.getCall(id)?.state).toBe('ringing');
    expect(right.signalsOf(id).map((s) => s.type)).toEqual(['description']);
    await run(Promise.all([created, offered]));
    expect(await stray).toMatch(/does not exist/);
    expect(right.signalsOf('no-such-call')).toEqual([]);
  });
});

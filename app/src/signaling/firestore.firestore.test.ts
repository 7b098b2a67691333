/**
 * What only the Firestore adapter does (the shared behaviour is in the contract suite):
 * error mapping, the stored document shape the rules and the TTL policy rely on, and
 * splitting candidate batches to what the rules admit.
 * Run: npx firebase emulators:exec --only firestore --project demo-firecall "npx vitest run --project firestore"
 */
import type { RulesTestEnvironment } from '@firebase/rules-unit-testing';
import {
  Timestamp,
  collection,
  disableNetwork,
  enableNetwork,
  getDocs,
  query,
  waitForPendingWrites,
  where,
  type DocumentData,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignalingError, type Signal } from './channel';
import { CONTRACT_SDP, contractCandidate } from './contract';
import { SIGNAL_LIMITS } from './limits';
import { createFirestoreSignaling, type FirestoreCost, type FirestoreSignalingOptions } from './firestore';
import { asModular, startRulesEnvironment } from './firestore.testenv';

let env: RulesTestEnvironment;
let serial = 0;

beforeAll(async () => {
  env = await startRulesEnvironment();
});

afterAll(async () => {
  await env?.cleanup();
});

function users() {
  serial += 1;
  const tag = `${serial}-${Date.now().toString(36)}`;
  return { alice: `alice-${tag}`, bob: `bob-${tag}` };
}

function channel(uid: string, options: Partial<FirestoreSignalingOptions> = {}) {
  // A loaded CI machine can take more than the production 10 s to open a first connection.
  return createFirestoreSignaling({ db: asModular(env.authenticatedContext(uid).firestore()), uid, writeTimeoutMs: 45_000, ...options });
}

/** A channel whose 5 s write timers the test fires by hand (`timers`), on its own Firestore instance. */
function withWriteTimers(uid: string) {
  const timers: (() => void)[] = [];
  const db = asModular(env.authenticatedContext(uid).firestore());
  const channel = createFirestoreSignaling({ db, uid, writeTimeoutMs: 5_000, setTimeout: (fn) => timers.push(fn), clearTimeout: () => {} });
  return { db, timers, channel };
}

async function storedSignals(callId: string): Promise<Record<string, DocumentData>> {
  const docs: Record<string, DocumentData> = {};
  await env.withSecurityRulesDisabled(async (context) => {
    const snapshot = await getDocs(collection(asModular(context.firestore()), 'calls', callId, 'signals'));
    for (const d of snapshot.docs) docs[d.id] = d.data();
  });
  return docs;
}

async function failure(promise: Promise<unknown>): Promise<SignalingError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignalingError);
  return error as SignalingError;
}

// Generous: the emulator shares two cores with other suites.
const until = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 30_000, interval: 20 });

describe('Firestore adapter', { timeout: 90_000 }, () => {
  it('a signed-out user gets unauthenticated with advice, not a raw Firestore error', async () => {
    const signedOut = createFirestoreSignaling({ db: asModular(env.unauthenticatedContext().firestore()), uid: 'nobody' });
    const error = await failure(signedOut.startCall({ callee: 'bob', kind: 'voice' }));
    expect(error.reason).toBe('unauthenticated');
    expect(error.message).toMatch(/Sign in again/);
  });

  it('an unreachable service fails startCall as signaling-unavailable, and the call lands cancelled later', async () => {
    const { alice, bob } = users();
    const { db, timers, channel: offline } = withWriteTimers(alice);
    await disableNetwork(db);
    const attempt = failure(offline.startCall({ callee: bob, kind: 'video' }));
    await until(() => expect(timers.length).toBe(1));
    timers[0]!(); // the injected clock says: 5 s went by without an acknowledgement
    const error = await attempt;
    expect(error.reason).toBe('signaling-unavailable');
    expect(error.message).toMatch(/did not answer within 5 s/);

    // Back online, the queued create lands, and the cancel queued behind it: no phantom ringing.
    await enableNetwork(db);
    await waitForPendingWrites(db);
    const calls: DocumentData[] = [];
    await env.withSecurityRulesDisabled(async (context) => {
      const snapshot = await getDocs(query(collection(asModular(context.firestore()), 'calls'), where('callee', '==', bob)));
      calls.push(...snapshot.docs.map((d) => d.data()));
    });
    expect(calls).toEqual([expect.objectContaining({ caller: alice, state: 'cancelled', endReason: 'cancelled' })]);
  });

  it('a signal sent while the service is unreachable waits for it, however long, and lands when it is back', async () => {
    // Mid-call outages last longer than any write timeout; the call's recovery deadline ends a lost call.
    const { alice, bob } = users();
    const { db, timers, channel: caller } = withWriteTimers(alice);
    const call = await caller.startCall({ callee: bob, kind: 'video' });
    await disableNetwork(db);
    let settled: string | null = null;
    const sent = caller.sendSignal(call.id, { type: 'description', description: { type: 'offer', sdp: CONTRACT_SDP } }).then(
      () => (settled = 'delivered'),
      (error: Error) => (settled = `failed: ${error.message}`),
    );
    timers.splice(0).forEach((fire) => fire()); // every write timer armed so far says its time is up
    await new Promise((resolve) => setImmediate(resolve)); // after any rejection the timers caused
    expect(settled).toBeNull();
    await enableNetwork(db);
    await sent;
    expect(settled).toBe('delivered');
    expect(Object.values(await storedSignals(call.id))).toEqual([expect.objectContaining({ from: alice, type: 'description' })]);
  });

  it('a refused transition seen by a fresh channel is explained by one read: invalid-transition', async () => {
    const { alice, bob } = users();
    const call = await channel(alice).startCall({ callee: bob, kind: 'video' });
    await channel(alice).cancel(call.id);
    const error = await failure(channel(bob).accept(call.id));
    expect(error.reason).toBe('invalid-transition');
    expect(error.message).toMatch(/it is cancelled, not ringing/);
  });

  it('a late signal for a call that is over is refused as invalid-transition, not as a sign-in problem', async () => {
    const { alice, bob } = users();
    const caller = channel(alice);
    const call = await caller.startCall({ callee: bob, kind: 'voice' });
    await channel(bob).accept(call.id);
    await channel(bob).end(call.id, 'hung-up');
    const error = await failure(caller.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(1)] }));
    expect(error.reason).toBe('invalid-transition');
    expect(error.message).toMatch(/is ended/);
    await caller.sendSignal(call.id, { type: 'bye', reason: 'hung-up' }); // a bye still reaches the peer
  });

  it('stores signals as <uid>_<seq> with server createdAt and an expireAt for the TTL policy', async () => {
    const { alice, bob } = users();
    const now = Date.UTC(2030, 0, 1);
    const caller = channel(alice);
    const call = await caller.startCall({ callee: bob, kind: 'video' });
    await channel(bob).accept(call.id);
    // A client clock far from the server's (years) makes expireAt fail the rules' 2-day bound.
    const skewed = channel(alice, { now: () => now });
    await failure(skewed.sendSignal(call.id, { type: 'bye' }));

    const before = Date.now();
    await caller.sendSignal(call.id, { type: 'description', description: { type: 'offer', sdp: CONTRACT_SDP } });
    const stored = await storedSignals(call.id);
    expect(Object.keys(stored)).toEqual([`${alice}_1`]);
    const doc = stored[`${alice}_1`]!;
    expect(Object.keys(doc).sort()).toEqual(['createdAt', 'description', 'expireAt', 'from', 'seq', 'type']);
    expect(doc.createdAt).toBeInstanceOf(Timestamp);
    const ttl = (doc.expireAt as Timestamp).toMillis() - before;
    expect(ttl).toBeGreaterThan(23 * 3600_000);
    expect(ttl).toBeLessThan(25 * 3600_000);
  });

  it(`splits a candidate batch into signals of at most ${SIGNAL_LIMITS.maxCandidatesPerSignal}, end-of-candidates on the last`, async () => {
    const { alice, bob } = users();
    const caller = channel(alice);
    const callee = channel(bob);
    const call = await caller.startCall({ callee: bob, kind: 'video' });
    await callee.accept(call.id);
    const received: Signal[] = [];
    const errors: SignalingError[] = [];
    const stop = callee.watchSignals(
      call.id,
      (s) => received.push(s),
      (e) => errors.push(e),
    );
    const batch = Array.from({ length: 30 }, (_, i) => ({ ...contractCandidate(i), usernameFragment: null }));
    await caller.sendSignal(call.id, { type: 'candidates', candidates: batch, done: true });
    await until(() => expect([received.length, errors.map((e) => e.message)]).toEqual([3, []]));
    stop();
    expect(errors).toEqual([]);
    expect(
      received.map((s) => [s.seq, s.type === 'candidates' ? s.candidates.length : 0, s.type === 'candidates' && s.done === true]),
    ).toEqual([
      [1, 12, false],
      [2, 12, false],
      [3, 6, true],
    ]);
    const ports = received.flatMap((s) => (s.type === 'candidates' ? s.candidates.map((c) => c.candidate.split(' ')[5]) : []));
    expect(ports).toEqual(batch.map((c) => c.candidate.split(' ')[5]));
    // Null fields are left out, as the rules want.
    const stored = await storedSignals(call.id);
    expect(Object.keys((stored[`${alice}_1`]!.candidates as DocumentData[])[0]!).sort()).toEqual(['candidate', 'sdpMLineIndex', 'sdpMid']);
  });

  it('one call setup, scripted like the engine, costs 7 writes (the receipt included) and at most 14 listener reads', async () => {
    const { alice, bob } = users();
    const costs: FirestoreCost[] = [];
    const meter = (cost: FirestoreCost) => costs.push(cost);
    const caller = channel(alice, { meter });
    const callee = channel(bob, { meter });
    const stops: (() => void)[] = [];
    const got = { caller: [] as Signal[], callee: [] as Signal[], callerStates: [] as string[], calleeStates: [] as string[] };
    const ringing: string[] = [];
    stops.push(callee.watchIncoming((calls) => ringing.push(...calls.map((c) => c.id))));
    await until(() => expect(costs.length).toBeGreaterThan(0)); // the incoming listener is up (a per-session cost)

    const call = await caller.startCall({ callee: bob, kind: 'video' });
    stops.push(caller.watchCall(call.id, (c) => got.callerStates.push(c.state)));
    stops.push(
      caller.watchSignals(
        call.id,
        (s) => got.caller.push(s),
        () => {},
      ),
    );
    await caller.sendSignal(call.id, { type: 'description', description: { type: 'offer', sdp: CONTRACT_SDP } });
    await caller.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(1), contractCandidate(2)], done: true });

    await until(() => expect(ringing).toContain(call.id));
    await callee.confirmDelivery!(call.id);
    stops.push(callee.watchCall(call.id, (c) => got.calleeStates.push(c.state)));
    stops.push(
      callee.watchSignals(
        call.id,
        (s) => got.callee.push(s),
        () => {},
      ),
    );
    await callee.accept(call.id);
    await callee.sendSignal(call.id, { type: 'description', description: { type: 'answer', sdp: CONTRACT_SDP } });
    await callee.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(3)], done: true });

    await until(() => {
      expect(got.caller.map((s) => s.seq)).toEqual([1, 2]);
      expect(got.callee.map((s) => s.seq)).toEqual([1, 2]);
      expect(got.callerStates).toContain('accepted');
      expect(got.calleeStates).toContain('accepted');
    });
    for (const stop of stops) stop();
    const forCall = costs.filter((c) => c.callId === call.id);
    const writes = forCall.reduce((sum, c) => sum + c.writes, 0);
    const reads = forCall.reduce((sum, c) => sum + c.reads, 0);
    console.info(
      `Firestore cost of one call setup: ${writes} writes, ${reads} listener reads (+ rules get() reads, not visible to clients)`,
    );
    expect(writes).toBe(7);
    expect(reads).toBeGreaterThanOrEqual(6);
    // The receipt is read twice more: by the caller's call listener and the callee's incoming list.
    expect(reads).toBeLessThanOrEqual(14);
  });
});

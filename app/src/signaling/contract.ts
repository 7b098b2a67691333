/**
 * The behaviour every SignalingChannel adapter owes the call engine, as one suite.
 *
 * It runs against the memory store (memory.contract.test.ts, always) and against the
 * Firestore emulator with the real firestore.rules (firestore.contract.firestore.test.ts),
 * so a green memory run means the engine's tests exercise Firestore's behaviour.
 *
 * Timing-free on purpose: every "nothing else arrived" assertion is anchored on a later
 * signal or change from the same source that did arrive.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignalingError, type CallDocState, type CallRecord, type CandidateInit, type Signal, type SignalingChannel } from './channel';

export interface ContractHarness {
  /** A channel signed in as `uid`. */
  channel(uid: string): SignalingChannel;
  /**
   * Stores a raw document in calls/{callId}/signals as a misbehaving or replaying client could,
   * bypassing the sender's adapter (and, for Firestore, the rules). `raw.id` names the document;
   * `createdAt` is epoch ms. Resolves once the store holds it.
   */
  injectSignal(callId: string, raw: Record<string, unknown>): Promise<void>;
  close?(): Promise<void>;
}

export interface ContractOptions {
  /** How long to wait for something the store should deliver. */
  waitMs?: number;
  /** Per-test timeout. */
  testTimeoutMs?: number;
}

export const CONTRACT_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
  'a=rtpmap:111 opus/48000/2',
  '',
].join('\r\n');

/** A host candidate; `n` picks its port (50000 + n), so tests can tell candidates apart. */
export function contractCandidate(n: number): CandidateInit {
  return {
    candidate: `candidate:1 1 udp 2122260223 192.0.2.10 ${50_000 + n} typ host`,
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: 'abcd',
  };
}

let runs = 0;

export function describeSignalingContract(
  name: string,
  setup: () => Promise<ContractHarness> | ContractHarness,
  options: ContractOptions = {},
): void {
  const waitMs = options.waitMs ?? 5_000;
  const timeout = options.testTimeoutMs ?? 20_000;

  describe(`SignalingChannel contract: ${name}`, () => {
    let harness: ContractHarness;
    const stops: (() => void)[] = [];

    beforeAll(async () => {
      harness = await setup();
    });

    afterAll(async () => {
      for (const stop of stops) stop();
      await harness?.close?.();
    });

    /** Fresh uids per test: listeners of one test never see another test's calls. */
    function people() {
      runs += 1;
      const tag = `${runs}-${Math.random().toString(36).slice(2, 7)}`;
      const alice = harness.channel(`alice-${tag}`);
      const bob = harness.channel(`bob-${tag}`);
      const carol = harness.channel(`carol-${tag}`);
      return { alice, bob, carol };
    }

    const until = <T>(check: () => T | Promise<T>): Promise<T> => vi.waitFor(check, { timeout: waitMs, interval: 10 });

    function inbox(channel: SignalingChannel, callId: string) {
      const signals: Signal[] = [];
      const errors: SignalingError[] = [];
      stops.push(
        channel.watchSignals(
          callId,
          (s) => signals.push(s),
          (e) => errors.push(e),
        ),
      );
      return { signals, errors };
    }

    /** Delivered seqs; reported errors show up in the failure message instead of a bare timeout. */
    function seqs(box: { signals: Signal[]; errors: SignalingError[] }): number[] {
      expect(box.errors.map((e) => `${e.reason}: ${e.message}`)).toEqual([]);
      return box.signals.map((s) => s.seq);
    }

    function incoming(channel: SignalingChannel) {
      const lists: CallRecord[][] = [];
      stops.push(channel.watchIncoming((calls) => lists.push(calls)));
      return { lists, latest: () => lists[lists.length - 1] ?? [] };
    }

    function states(channel: SignalingChannel, callId: string) {
      const seen: CallRecord[] = [];
      stops.push(channel.watchCall(callId, (call) => seen.push(call)));
      return { seen, latest: () => seen[seen.length - 1] };
    }

    async function ringingCall(
      from: SignalingChannel,
      to: SignalingChannel,
      context = { recordType: 'contact', recordId: 'c-1', label: 'Ada Lovelace' },
    ) {
      return from.startCall({ callee: to.uid, kind: 'video', context });
    }

    async function acceptedCall(from: SignalingChannel, to: SignalingChannel) {
      const call = await ringingCall(from, to);
      await to.accept(call.id);
      return call;
    }

    const peerSignal = (from: string, seq: number, extra: Record<string, unknown> = {}) => ({
      id: `${from}_${seq}`,
      from,
      seq,
      type: 'candidates',
      candidates: [contractCandidate(seq)],
      createdAt: Date.now(),
      expireAt: Date.now() + 3600_000,
      ...extra,
    });

    async function rejection(promise: Promise<unknown>): Promise<SignalingError> {
      const error = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, 'the operation should have been refused').toBeInstanceOf(SignalingError);
      return error as SignalingError;
    }

    describe('calls', () => {
      it('startCall creates a ringing call that only the callee sees as incoming', { timeout }, async () => {
        const { alice, bob, carol } = people();
        const bobs = incoming(bob);
        const carols = incoming(carol);
        const call = await ringingCall(alice, bob);
        expect(call).toMatchObject({
          caller: alice.uid,
          callee: bob.uid,
          kind: 'video',
          state: 'ringing',
          context: { recordType: 'contact', recordId: 'c-1', label: 'Ada Lovelace' },
        });
        expect(typeof call.id).toBe('string');
        await until(() => expect(bobs.latest().map((c) => c.id)).toEqual([call.id]));
        expect(bobs.latest()[0]).toMatchObject({ caller: alice.uid, callee: bob.uid, kind: 'video', state: 'ringing' });
        // Carol's listener answered (at least its first list) and never listed Alice's call.
        await until(() => expect(carols.lists.length).toBeGreaterThan(0));
        expect(carols.lists.flat().map((c) => c.id)).not.toContain(call.id);
      });

      it('the incoming list drops a call once it stops ringing', { timeout }, async () => {
        const { alice, bob } = people();
        const bobs = incoming(bob);
        const first = await ringingCall(alice, bob);
        const second = await alice.startCall({ callee: bob.uid, kind: 'voice' });
        await until(() =>
          expect(
            bobs
              .latest()
              .map((c) => c.id)
              .sort(),
          ).toEqual([first.id, second.id].sort()),
        );
        await alice.cancel(first.id);
        await until(() => expect(bobs.latest().map((c) => c.id)).toEqual([second.id]));
        await bob.accept(second.id);
        await until(() => expect(bobs.latest()).toEqual([]));
      });

      it('nobody calls themselves', { timeout }, async () => {
        const { alice } = people();
        const error = await rejection(alice.startCall({ callee: alice.uid, kind: 'video' }));
        expect(error.reason).toBe('invalid-transition');
      });

      it('the offer may go out right behind the create, before the create is acknowledged', { timeout }, async () => {
        const { alice, bob } = people();
        const bobs = incoming(bob);
        const id = alice.newCallId();
        // Both writes leave at once: this is how a caller saves a signaling round trip.
        const created = alice.startCall({ id, callee: bob.uid, kind: 'video' });
        const offered = alice.sendSignal(id, { type: 'description', description: { type: 'offer', sdp: CONTRACT_SDP } });
        const [call] = await Promise.all([created, offered]);
        expect(call.id).toBe(id);
        await until(() => expect(bobs.latest().map((c) => c.id)).toEqual([id]));
        const box = inbox(bob, id);
        await until(() => expect(seqs(box)).toEqual([1]));
        expect(box.signals[0]).toMatchObject({ type: 'description', description: { type: 'offer', sdp: CONTRACT_SDP } });
      });

      it('a call id that is not a plain document id is refused before anything is written', { timeout }, async () => {
        const { alice, bob } = people();
        for (const id of ['', 'a/b', 'x'.repeat(65), '../calls']) {
          const error = await rejection(alice.startCall({ id, callee: bob.uid, kind: 'voice' }));
          expect(error.reason).toBe('invalid-transition');
        }
      });

      it('watchCall reports each change: ringing, accepted, ended, with the call log fields', { timeout }, async () => {
        const { alice, bob } = people();
        const call = await ringingCall(alice, bob);
        const seen = states(alice, call.id);
        await until(() => expect(seen.latest()?.state).toBe('ringing'));
        await bob.accept(call.id);
        await until(() => expect(seen.latest()?.state).toBe('accepted'));
        await alice.end(call.id, 'hung-up');
        await until(() => expect(seen.latest()?.state).toBe('ended'));
        const distinct = seen.seen.map((c) => c.state).filter((s, i, all) => s !== all[i - 1]);
        expect(distinct).toEqual(['ringing', 'accepted', 'ended']);
        const log = seen.latest()!;
        expect(log).toMatchObject({
          id: call.id,
          caller: alice.uid,
          callee: bob.uid,
          endReason: 'hung-up',
          context: { recordType: 'contact', recordId: 'c-1' },
        });
        expect(log.acceptedAt).toEqual(expect.any(Number));
        expect(log.endedAt).toBeGreaterThanOrEqual(log.acceptedAt!);
      });
    });

    describe('state transitions, each by the right side', () => {
      const refused = async (promise: Promise<unknown>) => expect((await rejection(promise)).reason).toBe('invalid-transition');

      it('only the callee accepts a ringing call', { timeout }, async () => {
        const { alice, bob } = people();
        const call = await ringingCall(alice, bob);
        await refused(alice.accept(call.id));
        await bob.accept(call.id);
        await refused(bob.accept(call.id));
      });

      it('only the callee declines; the log says declined', { timeout }, async () => {
        const { alice, bob } = people();
        const call = await ringingCall(alice, bob);
        const seen = states(alice, call.id);
        await refused(alice.decline(call.id));
        await bob.decline(call.id);
        await until(() => expect(seen.latest()).toMatchObject({ state: 'declined', endReason: 'declined' }));
        expect(seen.latest()!.endedAt).toEqual(expect.any(Number));
        await refused(bob.accept(call.id));
      });

      it('only the caller cancels; a missed call reads as unavailable', { timeout }, async () => {
        const { alice, bob } = people();
        const cancelled = await ringingCall(alice, bob);
        const missed = await ringingCall(alice, bob);
        await refused(bob.cancel(cancelled.id));
        await alice.cancel(cancelled.id);
        await alice.cancel(missed.id, 'missed');
        const a = states(bob, cancelled.id);
        const b = states(bob, missed.id);
        await until(() => expect(a.latest()).toMatchObject({ state: 'cancelled', endReason: 'cancelled' }));
        await until(() => expect(b.latest()).toMatchObject({ state: 'missed', endReason: 'unavailable' }));
        await refused(bob.accept(cancelled.id));
      });

      it('a call that rang out is missed with no-answer; a busy callee declines with busy', { timeout }, async () => {
        const { alice, bob } = people();
        const rangOut = await ringingCall(alice, bob);
        const busy = await ringingCall(alice, bob);
        await refused(bob.cancel(rangOut.id, 'missed', 'no-answer'));
        await refused(alice.decline(busy.id, 'busy'));
        await alice.cancel(rangOut.id, 'missed', 'no-answer');
        await bob.decline(busy.id, 'busy');
        const a = states(alice, rangOut.id);
        const b = states(alice, busy.id);
        await until(() => expect(a.latest()).toMatchObject({ state: 'missed', endReason: 'no-answer' }));
        await until(() => expect(b.latest()).toMatchObject({ state: 'declined', endReason: 'busy' }));
      });

      it('the callee confirms delivery once; the caller sees it, the call still rings', { timeout }, async () => {
        const { alice, bob } = people();
        const call = await ringingCall(alice, bob);
        const seen = states(alice, call.id);
        await until(() => expect(seen.latest()?.state).toBe('ringing'));
        expect(seen.latest()!.deliveredAt).toBeUndefined();
        await refused(alice.confirmDelivery!(call.id));
        await bob.confirmDelivery!(call.id);
        await until(() => expect(seen.latest()).toMatchObject({ state: 'ringing', deliveredAt: expect.any(Number) }));
        await expect(bob.confirmDelivery!(call.id)).rejects.toBeInstanceOf(SignalingError);
        await bob.accept(call.id);
        await until(() => expect(seen.latest()?.state).toBe('accepted'));
      });

      it('either side ends an accepted call, once; a ringing call is not ended', { timeout }, async () => {
        const { alice, bob } = people();
        const ringing = await ringingCall(alice, bob);
        await refused(alice.end(ringing.id, 'hung-up'));
        const first = await acceptedCall(alice, bob);
        await bob.end(first.id, 'peer-left');
        await refused(alice.end(first.id, 'hung-up'));
        const second = await acceptedCall(alice, bob);
        await alice.end(second.id, 'hung-up');
        const seen = states(bob, second.id);
        await until(() => expect(seen.latest()).toMatchObject({ state: 'ended', endReason: 'hung-up' }));
      });

      it('a stranger cannot change a call', { timeout }, async () => {
        const { alice, bob, carol } = people();
        const call = await ringingCall(alice, bob);
        await rejection(carol.accept(call.id));
        await rejection(carol.cancel(call.id));
        const seen = states(alice, call.id);
        await until(() => expect(seen.latest()?.state).toBe('ringing'));
        await bob.accept(call.id); // still ringing: the refused writes left no trace
      });
    });

    describe('signals', () => {
      it("delivers each peer signal exactly once, in the sender's order", { timeout }, async () => {
        const { alice, bob } = people();
        const call = await acceptedCall(alice, bob);
        const bobs = inbox(bob, call.id);
        await Promise.all([
          alice.sendSignal(call.id, { type: 'description', description: { type: 'offer', sdp: CONTRACT_SDP } }),
          alice.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(1)] }),
          alice.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(2), contractCandidate(3)] }),
          alice.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(4)], done: true }),
        ]);
        await alice.sendSignal(call.id, { type: 'bye', reason: 'hung-up' });
        await until(() => expect(seqs(bobs)).toHaveLength(5));
        expect(bobs.errors).toEqual([]);
        expect(bobs.signals.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(bobs.signals.map((s) => s.type)).toEqual(['description', 'candidates', 'candidates', 'candidates', 'bye']);
        expect(bobs.signals.every((s) => s.from === alice.uid)).toBe(true);
        const [offer, , pair, last, bye] = bobs.signals;
        expect(offer).toMatchObject({ description: { type: 'offer', sdp: CONTRACT_SDP } });
        expect(pair).toMatchObject({
          candidates: [{ candidate: contractCandidate(2).candidate }, { candidate: contractCandidate(3).candidate }],
        });
        expect(last).toMatchObject({ done: true });
        expect(bye).toMatchObject({ reason: 'hung-up' });
        expect(new Set(bobs.signals.map((s) => s.id)).size).toBe(5);
      });

      it("never delivers one's own signals", { timeout }, async () => {
        const { alice, bob } = people();
        const call = await acceptedCall(alice, bob);
        const alices = inbox(alice, call.id);
        const bobs = inbox(bob, call.id);
        await alice.sendSignal(call.id, { type: 'description', description: { type: 'offer', sdp: CONTRACT_SDP } });
        await alice.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(1)] });
        await bob.sendSignal(call.id, { type: 'description', description: { type: 'answer', sdp: CONTRACT_SDP } });
        // Bob's answer was written after Alice's signals: once it is in, hers would be too.
        await until(() => expect(seqs(alices)).toEqual([1]));
        await until(() => expect(seqs(bobs)).toEqual([1, 2]));
        expect(alices.signals[0]).toMatchObject({ from: bob.uid, description: { type: 'answer' } });
        expect(bobs.signals.every((s) => s.from === alice.uid)).toBe(true);
      });

      it('holds a signal that arrives ahead of its predecessors and delivers in seq order', { timeout }, async () => {
        const { alice, bob } = people();
        const call = await acceptedCall(alice, bob);
        const alices = inbox(alice, call.id);
        await harness.injectSignal(call.id, peerSignal(bob.uid, 3));
        await harness.injectSignal(call.id, peerSignal(bob.uid, 2));
        await harness.injectSignal(call.id, peerSignal(bob.uid, 1));
        await until(() => expect(seqs(alices)).toEqual([1, 2, 3]));
        expect(alices.errors).toEqual([]);
      });

      it('a rewritten or replayed signal is not delivered again (create-only)', { timeout }, async () => {
        const { alice, bob } = people();
        const call = await acceptedCall(alice, bob);
        const alices = inbox(alice, call.id);
        await bob.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(1)] });
        await until(() => expect(seqs(alices)).toHaveLength(1));
        const original = alices.signals[0]!;
        // The same document rewritten, and the same seq under another id.
        await harness.injectSignal(call.id, peerSignal(bob.uid, 1, { id: original.id, candidates: [contractCandidate(9)] }));
        await harness.injectSignal(call.id, peerSignal(bob.uid, 1, { id: `${bob.uid}_1_again`, candidates: [contractCandidate(8)] }));
        await bob.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(2)], done: true });
        await until(() => expect(seqs(alices)).toEqual([1, 2]));
        const ports = alices.signals.flatMap((s) => (s.type === 'candidates' ? s.candidates.map((c) => c.candidate.split(' ')[5]) : []));
        expect(ports).toEqual(['50001', '50002']);
        expect(alices.signals[0]!.id).toBe(original.id);
        expect(alices.errors).toEqual([]);
      });

      it('a bad signal is reported as bad-signal, not delivered, and hurts no other call', { timeout }, async () => {
        const { alice, bob, carol } = people();
        const call = await acceptedCall(alice, bob);
        const other = await acceptedCall(carol, alice);
        const alices = inbox(alice, call.id);
        const alicesOther = inbox(alice, other.id);
        await harness.injectSignal(
          call.id,
          peerSignal(bob.uid, 1, {
            type: 'description',
            candidates: undefined,
            description: { type: 'offer', sdp: 'v=0\r\nthis is not SDP' },
          }),
        );
        await until(() => expect(alices.errors.map((e) => e.reason)).toEqual(['bad-signal']));
        expect(alices.errors[0]).toBeInstanceOf(SignalingError);
        expect(alices.errors[0]!.message.length).toBeGreaterThan(10);
        expect(alices.errors[0]!.callId).toBe(call.id);
        await carol.sendSignal(other.id, { type: 'description', description: { type: 'offer', sdp: CONTRACT_SDP } });
        await until(() => expect(seqs(alicesOther)).toEqual([1]));
        expect(alicesOther.signals[0]!.from).toBe(carol.uid);
        expect(alicesOther.errors).toEqual([]);
        expect(alices.signals).toEqual([]);
      });

      it('a signal from a third user is not delivered', { timeout }, async () => {
        const { alice, bob, carol } = people();
        const call = await acceptedCall(alice, bob);
        const alices = inbox(alice, call.id);
        await harness.injectSignal(call.id, peerSignal(carol.uid, 1));
        await bob.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(1)] });
        await until(() => expect(seqs(alices)).toHaveLength(1));
        expect(alices.signals[0]!.from).toBe(bob.uid);
        expect(alices.errors).toEqual([]);
      });

      it("a stranger cannot listen to a call's signals", { timeout }, async () => {
        const { alice, bob, carol } = people();
        const call = await acceptedCall(alice, bob);
        const carols = inbox(carol, call.id);
        await until(() => expect(carols.errors.length).toBe(1));
        expect(['not-found', 'unauthenticated']).toContain(carols.errors[0]!.reason);
        expect(carols.signals).toEqual([]);
      });
    });

    describe('delivery is asynchronous and nothing throws', () => {
      it('callbacks never run inside the call that caused them', { timeout }, async () => {
        const { alice, bob } = people();
        let inside = false;
        const calledInside: string[] = [];
        const note = (what: string) => () => {
          if (inside) calledInside.push(what);
        };
        inside = true;
        stops.push(bob.watchIncoming(note('incoming')));
        inside = false;
        const call = await ringingCall(alice, bob);
        inside = true;
        stops.push(alice.watchCall(call.id, note('call')));
        stops.push(bob.watchSignals(call.id, note('signal'), note('error')));
        inside = false;
        await bob.accept(call.id);
        const delivered: number[] = [];
        stops.push(alice.watchSignals(call.id, (s) => delivered.push(s.seq), note('error')));
        inside = true;
        const sent = bob.sendSignal(call.id, { type: 'candidates', candidates: [contractCandidate(1)] });
        inside = false;
        await sent;
        await until(() => expect(delivered).toEqual([1]));
        expect(calledInside).toEqual([]);
      });

      it('bad input rejects or reports, it never throws synchronously', { timeout }, async () => {
        const { alice, bob } = people();
        const call = await acceptedCall(alice, bob);
        const attempts: (() => Promise<unknown>)[] = [
          () => alice.startCall(undefined as never),
          () => alice.startCall({ callee: '', kind: 'video' }),
          () => alice.accept('no-such-call'),
          () => alice.end('no-such-call', 'hung-up'),
        ];
        for (const attempt of attempts) {
          let promise: Promise<unknown> | undefined;
          expect(() => {
            promise = attempt();
          }).not.toThrow();
          await rejection(promise!);
        }
        expect(() =>
          alice.watchSignals(
            'no-such-call',
            () => {},
            () => {},
          )(),
        ).not.toThrow();
        expect(() => alice.watchCall(call.id, () => {})()).not.toThrow();
      });
    });

    describe('call log', () => {
      it('callsForRecord lists my calls about one CRM record, newest first', { timeout }, async () => {
        const { alice, bob, carol } = people();
        const record = { recordType: 'deal', recordId: `d-${Math.random().toString(36).slice(2, 8)}`, label: 'Renewal' };
        const first = await alice.startCall({ callee: bob.uid, kind: 'video', context: record });
        await bob.accept(first.id);
        await alice.end(first.id, 'hung-up');
        const second = await bob.startCall({ callee: alice.uid, kind: 'voice', context: record });
        await bob.cancel(second.id);
        await alice.startCall({ callee: bob.uid, kind: 'video', context: { recordType: 'deal', recordId: 'another' } });
        const third = await alice.startCall({ callee: carol.uid, kind: 'voice', context: record });

        expect(alice.callsForRecord, 'adapters provide the call log').toBeTypeOf('function');
        const log = await until(async () => {
          const calls = await alice.callsForRecord!(record);
          expect(calls.map((c) => c.id)).toEqual([third.id, second.id, first.id]);
          return calls;
        });
        expect(log[2]).toMatchObject({ state: 'ended', endReason: 'hung-up', context: record, kind: 'video' });
        expect(log[2]!.endedAt).toBeGreaterThanOrEqual(log[2]!.acceptedAt!);
        expect(log[1]).toMatchObject({ state: 'cancelled' as CallDocState, caller: bob.uid });
        expect((await bob.callsForRecord!(record)).map((c) => c.id)).toEqual([second.id, first.id]);
      });
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reasonMessage } from './errors';
import { createPhones, settle, inboundBytes, nextIncoming, reach, sleep } from './testing/wrtc';
import { hostileCorpus, signal, VALID_CANDIDATE, VALID_SDP } from './testing/hostile';
import type { CallSessionApi, CallSnapshot } from './types';

/**
 * Hostile signals against sessions over the memory store, end to end. Each is
 * written into a ringing call to `victim` by its caller; a healthy call between two
 * other users runs the whole time and must not notice.
 */
describe('hostile signals', () => {
  const corpus = hostileCorpus();
  const world = createPhones(['alice', 'bob', 'victim']);
  const { store, storeLogs, phones } = world;
  let healthy: { caller: CallSessionApi; callee: CallSessionApi };
  const healthyChanges: string[] = [];
  const escaped: unknown[] = [];
  const onEscape = (error: unknown) => escaped.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    const incoming = nextIncoming(phones.bob!.client);
    const caller = phones.alice!.client.call({ callee: 'bob', kind: 'video' });
    const callee = await incoming;
    void callee.accept();
    await Promise.all([reach(caller, 'connected'), reach(callee, 'connected')]);
    healthy = { caller, callee };
    for (const s of [caller, callee]) s.on('state', (snap) => healthyChanges.push(snap.state));
  });

  afterAll(() => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
    world.dispose();
  });

  it(`has at least 200 cases (${corpus.length})`, () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
  });

  it('each case gives bad-signal with a message or is dropped with a log line; the healthy call stays connected', async () => {
    const victim = phones.victim!.client;
    const sessions = new Map<string, CallSessionApi>();
    victim.onIncoming((session) => sessions.set(session.snapshot.peer!, session));
    const bytesBefore = await inboundBytes(healthy.callee);
    const results: { name: string; ok: boolean; got: string }[] = [];

    // Small waves keep the event loop fair to the healthy call on 2 cores.
    const wave = 25;
    for (let start = 0; start < corpus.length; start += wave) {
      await Promise.all(
        corpus.slice(start, start + wave).map(async (testCase, offset) => {
          const attacker = `caller-${start + offset}`;
          const call = await store.channel(attacker).startCall({ callee: 'victim', kind: 'voice' });
          for (let i = 0; i < 1000 && !sessions.has(attacker); i++) await sleep(5);
          const session = sessions.get(attacker);
          if (!session) return results.push({ name: testCase.name, ok: false, got: 'never rang' });
          const logsBefore = storeLogs.filter((line) => line.includes(call.id)).length;
          for (const doc of testCase.docs(attacker)) store.injectSignal(call.id, doc);
          let snap: CallSnapshot;
          if (testCase.expect === 'bad-signal') {
            snap = await reach(session, 'failed', 8_000).catch(() => session.snapshot);
            const ok = snap.reason === 'bad-signal' && snap.message === reasonMessage('bad-signal') && !!snap.detail;
            results.push({ name: testCase.name, ok, got: `${snap.state}/${snap.reason}/${snap.detail}` });
          } else {
            // Poll (not a fixed sleep): on a loaded machine delivery can take a while.
            const logged = () => storeLogs.some((line) => line.includes(call.id) && testCase.log!.test(line));
            for (let i = 0; i < 150 && !logged() && session.snapshot.state !== 'failed'; i++) await sleep(20);
            const lines = storeLogs.filter((line) => line.includes(call.id));
            snap = session.snapshot;
            const ok = snap.state !== 'failed' && lines.length > logsBefore && lines.some((line) => testCase.log!.test(line));
            results.push({ name: testCase.name, ok, got: `${snap.state} logs=${lines.slice(-2).join(' | ')}` });
          }
          if (session.snapshot.state === 'ringing') await session.decline();
        }),
      );
    }
    const failures = results.filter((r) => !r.ok);
    expect(failures, JSON.stringify(failures.slice(0, 5), null, 1)).toEqual([]);
    expect(results).toHaveLength(corpus.length);
    console.log(
      `hostile corpus: ${corpus.length} cases, ${results.filter((r) => r.got.includes('bad-signal')).length} bad-signal, ${corpus.filter((c) => c.expect === 'dropped').length} dropped with a log line`,
    );

    expect(escaped).toEqual([]);
    expect(healthyChanges).toEqual([]);
    expect(healthy.caller.snapshot.state).toBe('connected');
    await sleep(300);
    expect(await inboundBytes(healthy.callee)).toBeGreaterThan(bytesBefore);
  });

  it('mid-call: an SDP the browser refuses fails the call; a stale answer and a useless candidate are dropped', async () => {
    const incoming = nextIncoming(phones.victim!.client);
    const attacker = phones.alice!.client.call({ callee: 'victim', kind: 'video' });
    const victimSession = await incoming;
    void victimSession.accept();
    await Promise.all([reach(attacker, 'connected'), reach(victimSession, 'connected')]);
    const callId = attacker.snapshot.callId!;
    const victimLogs = phones.victim!.logs;
    await settle(store, callId);
    let seq = Math.max(
      ...store
        .signalsOf(callId)
        .filter((s) => s.from === 'alice')
        .map((s) => Number(s.seq)),
    );

    // An answer while stable: harmless, dropped with a log line.
    store.injectSignal(callId, signal('alice', ++seq, { type: 'description', description: { type: 'answer', sdp: VALID_SDP } }));
    // A well-formed candidate for a media section that does not exist: dropped with a log line.
    store.injectSignal(
      callId,
      signal('alice', ++seq, { type: 'candidates', candidates: [{ ...VALID_CANDIDATE, sdpMid: 'nope', sdpMLineIndex: 7 }] }),
    );
    const bothLogged = () =>
      victimLogs.some((line) => /dropped an answer/.test(line)) && victimLogs.some((line) => /dropped a remote candidate/.test(line));
    for (let i = 0; i < 250 && !bothLogged(); i++) await sleep(20);
    expect(victimSession.snapshot.state).toBe('connected');
    expect(victimLogs.some((line) => /dropped an answer/.test(line))).toBe(true);
    expect(victimLogs.some((line) => /dropped a remote candidate/.test(line))).toBe(true);

    // A re-offer that does not match the negotiated media sections: the browser refuses it.
    store.injectSignal(callId, signal('alice', ++seq, { type: 'description', description: { type: 'offer', sdp: VALID_SDP } }));
    const failed = await reach(victimSession, 'failed');
    expect(failed.reason).toBe('bad-signal');
    expect(failed.detail).toMatch(/refused/);
    expect(healthy.caller.snapshot.state).toBe('connected');
    expect(healthyChanges).toEqual([]);
    await attacker.hangUp();
  });
});

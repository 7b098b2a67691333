import { describe, expect, it } from 'vitest';
import { createSignalInbox, validateSignal } from './validate';
import type { Signal } from './channel';
import { hostileCorpus, VALID_CANDIDATE, VALID_SDP } from '../call/testing/hostile';

const base = { id: 's1', from: 'alice', seq: 1, createdAt: 1 };

describe('validateSignal', () => {
  it('accepts a real-looking offer, candidates with done, and bye', () => {
    expect(validateSignal({ ...base, type: 'description', description: { type: 'offer', sdp: VALID_SDP } }).ok).toBe(true);
    expect(validateSignal({ ...base, type: 'candidates', candidates: [VALID_CANDIDATE], done: true })).toMatchObject({
      ok: true,
      signal: { done: true },
    });
    expect(validateSignal({ ...base, type: 'candidates', candidates: [], done: true }).ok).toBe(true);
    expect(validateSignal({ ...base, type: 'bye', reason: 'hung-up' }).ok).toBe(true);
    expect(validateSignal({ ...base, type: 'bye', expireAt: 5 }).ok).toBe(true);
  });

  it('says what is wrong', () => {
    expect(validateSignal({ ...base, type: 'description', description: { type: 'offer', sdp: 'hello' } })).toEqual({
      ok: false,
      message: 'SDP does not start with v=0',
    });
    expect(
      validateSignal({
        ...base,
        type: 'candidates',
        candidates: [{ ...VALID_CANDIDATE, candidate: VALID_CANDIDATE.candidate.replace('typ host', 'typ evil') }],
      }),
    ).toMatchObject({
      ok: false,
      message: expect.stringMatching(/candidate type/),
    });
    expect(validateSignal({ ...base, type: 'nudge' })).toMatchObject({ ok: false, message: expect.stringMatching(/unknown signal type/) });
  });

  it('returns clean copies, not the attacker object', () => {
    const raw = { ...base, type: 'candidates', candidates: [{ ...VALID_CANDIDATE }] };
    const verdict = validateSignal(raw);
    if (!verdict.ok || verdict.signal.type !== 'candidates') throw new Error(`refused a valid signal: ${JSON.stringify(verdict)}`);
    expect(verdict.signal.candidates[0]).toEqual(raw.candidates[0]);
    expect(verdict.signal.candidates[0]).not.toBe(raw.candidates[0]);
    expect(verdict.signal.candidates).not.toBe(raw.candidates);
  });

  it('refuses an offer without a DTLS fingerprint: unencrypted media is never negotiated', () => {
    const plain = VALID_SDP.split('\r\n')
      .filter((line) => !line.startsWith('a=fingerprint'))
      .join('\r\n');
    expect(validateSignal({ ...base, type: 'description', description: { type: 'offer', sdp: plain } })).toEqual({
      ok: false,
      message: 'SDP has no DTLS fingerprint (unencrypted media is refused)',
    });
  });
});

describe('signal inbox', () => {
  function inbox() {
    const delivered: Signal[] = [];
    const errors: string[] = [];
    const logs: string[] = [];
    const box = createSignalInbox({
      callId: 'c1',
      self: 'bob',
      peer: 'alice',
      onSignal: (s) => delivered.push(s),
      onError: (e) => errors.push(`${e.reason}: ${e.message}`),
      log: (l) => logs.push(l),
    });
    return { box, delivered, errors, logs };
  }
  const bye = (seq: number, id = `b${seq}`) => ({ ...base, id, seq, type: 'bye' });
  const cands = (seq: number, id = `c${seq}`) => ({ ...base, id, seq, type: 'candidates', candidates: [VALID_CANDIDATE] });

  it('delivers out-of-order signals in seq order, exactly once', () => {
    const { box, delivered, errors } = inbox();
    box.receive(cands(3));
    box.receive(cands(2));
    expect(delivered).toHaveLength(0);
    box.receive(cands(1));
    box.receive(cands(2));
    expect(delivered.map((s) => s.seq)).toEqual([1, 2, 3]);
    expect(errors).toEqual([]);
  });

  it('skips own echoes silently and logs foreign senders, replays and signals after bye', () => {
    const { box, delivered, logs, errors } = inbox();
    box.receive({ ...cands(1), from: 'bob' });
    expect(logs).toEqual([]);
    box.receive({ ...cands(1), from: 'eve' });
    box.receive(cands(1));
    box.receive(cands(1, 'other-id'));
    box.receive(bye(2));
    box.receive(cands(3));
    expect(delivered.map((s) => s.type)).toEqual(['candidates', 'bye']);
    expect(logs).toEqual([
      expect.stringMatching(/foreign sender/),
      expect.stringMatching(/replayed seq 1/),
      expect.stringMatching(/after bye/),
    ]);
    expect(errors).toEqual([]);
  });

  it('reports one bad-signal and then delivers nothing more', () => {
    const { box, delivered, errors } = inbox();
    box.receive({ ...base, type: 'description', description: { type: 'offer', sdp: 'v=0' } });
    box.receive(cands(1, 'late'));
    expect(errors).toEqual([expect.stringMatching(/^bad-signal: Call c1: SDP/)]);
    expect(delivered).toEqual([]);
  });

  it('accepts 400 signals from the peer in one call and fails the call on the 401st', () => {
    const { box, delivered, errors } = inbox();
    for (let seq = 1; seq <= 400; seq++) box.receive(cands(seq));
    expect(delivered).toHaveLength(400);
    expect(errors).toEqual([]);
    box.receive(cands(401));
    expect(errors).toEqual([expect.stringMatching(/^bad-signal: .*more than 400 signals/)]);
    expect(delivered).toHaveLength(400);
  });

  it('survives a signal object whose getters throw', () => {
    const { box, errors } = inbox();
    const trap = { ...cands(1) };
    Object.defineProperty(trap, 'candidates', {
      enumerable: true,
      get: () => {
        throw new Error('gotcha');
      },
    });
    expect(() => box.receive(trap)).not.toThrow();
    expect(errors).toEqual([expect.stringMatching(/unreadable signal/)]);
  });
});

describe('the hostile corpus against the inbox (what a malicious peer can write)', () => {
  /** What the inbox did with a case's documents: the reason it failed the call, or its log lines. */
  function outcome(docs: unknown[]) {
    const errors: string[] = [];
    const logs: string[] = [];
    const delivered: Signal[] = [];
    const box = createSignalInbox({
      callId: 'c1',
      self: 'victim',
      peer: 'mallory',
      onSignal: (s) => delivered.push(s),
      onError: (e) => errors.push(`${e.reason}: ${e.message}`),
      log: (l) => logs.push(l),
    });
    for (const doc of docs) box.receive(doc);
    return { errors, logs, delivered };
  }

  it.each(hostileCorpus().map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    const { errors, logs } = outcome(testCase.docs('mallory'));
    if (testCase.expect === 'bad-signal') {
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^bad-signal: Call c1: \S/);
    } else {
      expect(errors).toEqual([]);
      expect(
        logs.some((line) => testCase.log!.test(line)),
        logs.join('\n'),
      ).toBe(true);
    }
  });
});

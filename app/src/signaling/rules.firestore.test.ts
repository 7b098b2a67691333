/**
 * firestore.rules, as allow/deny pairs against the Firestore emulator.
 *
 * Every pair tries the forbidden variant first and then the allowed one on the same
 * documents, so each deny is proven to fail for the reason named, not because of the setup.
 * Run: npx firebase emulators:exec --only firestore --project demo-firecall "npx vitest run --project firestore"
 */
import { assertFails, assertSucceeds, type RulesTestEnvironment } from '@firebase/rules-unit-testing';
import {
  Timestamp,
  collection,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  limit,
  query,
  serverTimestamp,
  setDoc,
  updateDoc,
  where,
  type DocumentData,
  type Firestore,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { CallDocState } from './channel';
import { asModular, startRulesEnvironment } from './firestore.testenv';
import {
  CALL_STATES,
  CALL_TRANSITIONS,
  DELIVERY_RECEIPT,
  defaultEndReason,
  receiptRefusal,
  transitionRefusal,
  transitionTo,
  type CallRole,
} from './transitions';

let env: RulesTestEnvironment;
let serial = 0;

beforeAll(async () => {
  env = await startRulesEnvironment();
  await env.clearFirestore();
});

afterAll(async () => {
  await env?.cleanup();
});

const ALICE = 'alice';
const BOB = 'bob';
const CAROL = 'carol';

function as(uid: string | null): Firestore {
  return asModular(uid === null ? env.unauthenticatedContext().firestore() : env.authenticatedContext(uid).firestore());
}

function freshId(): string {
  serial += 1;
  return `call${serial}x${Date.now().toString(36)}`;
}

const HOUR = 3600_000;
const SDP =
  'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 00:11\r\n';
const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'abcd',
};

/** A new ringing call from alice to bob (as alice would create it). */
function ringing(overrides: DocumentData = {}): DocumentData {
  return {
    caller: ALICE,
    callee: BOB,
    kind: 'video',
    state: 'ringing',
    createdAt: serverTimestamp(),
    context: { recordType: 'contact', recordId: 'c-42', label: 'Ada Lovelace' },
    ...overrides,
  };
}

/** Writes a call document as the server would see it, bypassing the rules. */
async function seedCall(state: CallDocState = 'ringing', extra: DocumentData = {}): Promise<string> {
  const id = freshId();
  const now = Timestamp.now();
  const data: DocumentData = { ...ringing(), createdAt: now, state, ...extra };
  if (state === 'accepted' || state === 'ended') data.acceptedAt = now;
  if (state !== 'ringing' && state !== 'accepted') Object.assign(data, { endedAt: now, endReason: moveFields(state).endReason });
  await env.withSecurityRulesDisabled(async (context) => {
    await setDoc(doc(asModular(context.firestore()), 'calls', id), data);
  });
  return id;
}

async function seedSignal(callId: string, id: string, data: DocumentData): Promise<void> {
  await env.withSecurityRulesDisabled(async (context) => {
    await setDoc(doc(asModular(context.firestore()), 'calls', callId, 'signals', id), data);
  });
}

function callRef(uid: string | null, callId: string) {
  return doc(as(uid), 'calls', callId);
}

function signalRef(uid: string | null, callId: string, id: string) {
  return doc(as(uid), 'calls', callId, 'signals', id);
}

/** A valid signal body from `from` with `seq`; overrides replace or (with undefined) remove fields. */
function signal(from: string, seq: number, overrides: DocumentData = {}): DocumentData {
  const data: DocumentData = {
    from,
    seq,
    type: 'description',
    description: { type: 'offer', sdp: SDP },
    createdAt: serverTimestamp(),
    expireAt: Timestamp.fromMillis(Date.now() + 24 * HOUR),
    ...overrides,
  };
  for (const key of Object.keys(data)) if (data[key] === undefined) delete data[key];
  return data;
}

function candidates(count: number, extra: DocumentData = {}): DocumentData {
  return { type: 'candidates', description: undefined, candidates: Array.from({ length: count }, () => ({ ...CANDIDATE })), ...extra };
}

/** The fields a client writes to move a call into `to` (recording `reason`), as the signaling stores write them. */
function moveFields(to: CallDocState, reason?: string): DocumentData {
  const reasons = transitionTo(to)?.endReasons ?? null;
  if (reasons === null) return { state: to, acceptedAt: serverTimestamp() };
  return { state: to, endedAt: serverTimestamp(), endReason: reason ?? defaultEndReason(to) ?? 'hung-up' };
}

/** The delivery receipt as the signaling stores write it. */
const receipt = () => ({ [DELIVERY_RECEIPT.field]: serverTimestamp() });

/** The pair: the forbidden write must fail, then the allowed one must succeed. */
async function pair(deny: () => Promise<unknown>, allow: () => Promise<unknown>): Promise<void> {
  await assertFails(deny());
  await assertSucceeds(allow());
}

describe('calls: create', () => {
  it('only a signed-in user creates a call', async () => {
    const id = freshId();
    await pair(
      () => setDoc(callRef(null, id), ringing()),
      () => setDoc(callRef(ALICE, id), ringing()),
    );
  });

  it('the caller field is the author', async () => {
    const id = freshId();
    await pair(
      () => setDoc(callRef(ALICE, id), ringing({ caller: CAROL })),
      () => setDoc(callRef(ALICE, id), ringing()),
    );
  });

  it('nobody calls themselves', async () => {
    const id = freshId();
    await pair(
      () => setDoc(callRef(ALICE, id), ringing({ callee: ALICE })),
      () => setDoc(callRef(ALICE, id), ringing()),
    );
  });

  it('a call starts ringing', async () => {
    const id = freshId();
    await pair(
      () => setDoc(callRef(ALICE, id), ringing({ state: 'accepted', acceptedAt: serverTimestamp() })),
      () => setDoc(callRef(ALICE, id), ringing()),
    );
  });

  it('createdAt is the server time', async () => {
    const id = freshId();
    await pair(
      () => setDoc(callRef(ALICE, id), ringing({ createdAt: Timestamp.fromMillis(Date.now() - HOUR) })),
      () => setDoc(callRef(ALICE, id), ringing()),
    );
  });

  it('the field set is fixed: no extra fields', async () => {
    const id = freshId();
    await pair(
      () => setDoc(callRef(ALICE, id), ringing({ admin: true })),
      () => setDoc(callRef(ALICE, id), ringing()),
    );
  });

  it('the field set is fixed: kind is required and is video or voice', async () => {
    const id = freshId();
    const { kind: _kind, ...withoutKind } = ringing();
    await assertFails(setDoc(callRef(ALICE, id), withoutKind));
    await pair(
      () => setDoc(callRef(ALICE, id), ringing({ kind: 'fax' })),
      () => setDoc(callRef(ALICE, id), ringing({ kind: 'voice' })),
    );
  });

  it('the CRM context is optional but has a fixed, bounded shape', async () => {
    const id = freshId();
    await assertFails(setDoc(callRef(ALICE, id), ringing({ context: { recordType: 'contact' } })));
    await assertFails(setDoc(callRef(ALICE, id), ringing({ context: { recordType: 'contact', recordId: 'c-1', owner: 'x' } })));
    await assertFails(setDoc(callRef(ALICE, id), ringing({ context: { recordType: 'contact', recordId: 'c-1', label: 'x'.repeat(201) } })));
    await pair(
      () => setDoc(callRef(ALICE, id), ringing({ context: { recordType: 'contact', recordId: 'r'.repeat(257) } })),
      () => setDoc(callRef(ALICE, id), ringing({ context: { recordType: 'contact', recordId: 'r'.repeat(256), label: 'x'.repeat(200) } })),
    );
    const bare = freshId();
    const { context: _context, ...noContext } = ringing();
    await assertSucceeds(setDoc(callRef(ALICE, bare), noContext));
  });

  it('the callee id is bounded', async () => {
    const id = freshId();
    await pair(
      () => setDoc(callRef(ALICE, id), ringing({ callee: 'b'.repeat(129) })),
      () => setDoc(callRef(ALICE, id), ringing({ callee: 'b'.repeat(128) })),
    );
  });

  it('call ids are short tokens', async () => {
    await pair(
      () => setDoc(callRef(ALICE, 'x'.repeat(65)), ringing()),
      () => setDoc(callRef(ALICE, 'x'.repeat(64)), ringing()),
    );
    await assertFails(setDoc(callRef(ALICE, 'bad id!'), ringing()));
  });

  it('an existing call cannot be created again (overwritten)', async () => {
    const id = await seedCall('ended');
    const other = freshId();
    await pair(
      () => setDoc(callRef(ALICE, id), ringing()),
      () => setDoc(callRef(ALICE, other), ringing()),
    );
  });
});

describe('calls: read and query', () => {
  it('participants read a call, others do not', async () => {
    const id = await seedCall();
    await pair(
      () => getDoc(callRef(CAROL, id)),
      () => getDoc(callRef(ALICE, id)),
    );
    await pair(
      () => getDoc(callRef(null, id)),
      () => getDoc(callRef(BOB, id)),
    );
  });

  it('incoming calls: only callee == me', async () => {
    await seedCall();
    const calls = (uid: string) => collection(as(uid), 'calls');
    await pair(
      () => getDocs(query(calls(CAROL), where('callee', '==', BOB), where('state', '==', 'ringing'), limit(50))),
      () => getDocs(query(calls(BOB), where('callee', '==', BOB), where('state', '==', 'ringing'), limit(50))),
    );
  });

  it("a query must be pinned to one's own calls", async () => {
    await seedCall();
    const calls = collection(as(BOB), 'calls');
    await pair(
      () => getDocs(query(calls, where('state', '==', 'ringing'), limit(50))),
      () => getDocs(query(calls, where('caller', '==', BOB), limit(50))),
    );
  });

  it('queries are bounded by a limit of at most 100', async () => {
    const calls = collection(as(BOB), 'calls');
    await assertFails(getDocs(query(calls, where('callee', '==', BOB))));
    await pair(
      () => getDocs(query(calls, where('callee', '==', BOB), limit(101))),
      () => getDocs(query(calls, where('callee', '==', BOB), limit(100))),
    );
  });

  it("a record's call log: my calls about that record", async () => {
    await seedCall('ended');
    const calls = (uid: string) => collection(as(uid), 'calls');
    const about = [where('context.recordType', '==', 'contact'), where('context.recordId', '==', 'c-42'), limit(50)] as const;
    await pair(
      () => getDocs(query(calls(CAROL), where('caller', '==', ALICE), ...about)),
      () => getDocs(query(calls(ALICE), where('caller', '==', ALICE), ...about)),
    );
    await pair(
      () => getDocs(query(calls(CAROL), ...about)),
      () => getDocs(query(calls(BOB), where('callee', '==', BOB), ...about)),
    );
  });
});

describe('calls: every move of the transition table, by every side (generated)', () => {
  const actors: [string, CallRole | null][] = [
    [ALICE, 'caller'],
    [BOB, 'callee'],
    [CAROL, null],
  ];
  const moves = CALL_STATES.flatMap((from) =>
    CALL_STATES.filter((to) => to !== from).flatMap((to) => actors.map(([uid, role]) => [from, to, uid, role] as const)),
  );

  it(`the table has ${CALL_TRANSITIONS.length} allowed moves and the walk covers ${moves.length} attempts`, () => {
    const allowed = moves.filter(([from, to, , role]) => role !== null && transitionRefusal(from, to, role) === null);
    // accept, decline, cancel, missed, and end by either side.
    if (allowed.length !== 6) throw new Error(`expected 6 allowed (move, side) pairs, got ${allowed.length}`);
  });

  it.each(moves)('%s -> %s by %s', async (from, to, uid, role) => {
    const id = await seedCall(from);
    const write = updateDoc(callRef(uid, id), moveFields(to));
    await (role !== null && transitionRefusal(from, to, role) === null ? assertSucceeds(write) : assertFails(write));
  });

  // Every end reason a move may record, by its side; one the table does not list is refused.
  const reasoned = CALL_TRANSITIONS.flatMap((step) =>
    Array.isArray(step.endReasons) ? [...step.endReasons, 'hung-up'].map((reason) => [step.from, step.to, reason, step.by] as const) : [],
  );
  it.each(reasoned)('%s -> %s recording %s', async (from, to, reason, by) => {
    const id = await seedCall(from);
    const write = updateDoc(callRef(by === 'callee' ? BOB : ALICE, id), moveFields(to, reason));
    const listed = (transitionTo(to)!.endReasons as readonly string[]).includes(reason);
    await (listed ? assertSucceeds(write) : assertFails(write));
  });

  // The delivery receipt, in every state (and once more on a delivered ringing call), by every side.
  const receipts = [...CALL_STATES.map((state) => [state, false] as const), ['ringing', true] as const].flatMap(([state, delivered]) =>
    actors.map(([uid, role]) => [state, delivered ? 'already delivered' : 'not delivered', uid, role, delivered] as const),
  );
  it.each(receipts)('receipt on a %s call (%s) by %s', async (state, _label, uid, role, delivered) => {
    const id = await seedCall(state, delivered ? { deliveredAt: Timestamp.now() } : {});
    const write = updateDoc(callRef(uid, id), receipt());
    const call = { state, ...(delivered ? { deliveredAt: 1 } : {}) };
    await (role !== null && receiptRefusal(call, role) === null ? assertSucceeds(write) : assertFails(write));
  });
});

describe('calls: state transitions', () => {
  const accept = { state: 'accepted', acceptedAt: serverTimestamp() };

  it('only the callee accepts', async () => {
    const id = await seedCall();
    await pair(
      () => updateDoc(callRef(ALICE, id), accept),
      () => updateDoc(callRef(BOB, id), accept),
    );
  });

  it('a stranger cannot accept', async () => {
    const id = await seedCall();
    await pair(
      () => updateDoc(callRef(CAROL, id), accept),
      () => updateDoc(callRef(BOB, id), accept),
    );
  });

  it('acceptedAt is the server time', async () => {
    const id = await seedCall();
    await pair(
      () => updateDoc(callRef(BOB, id), { state: 'accepted', acceptedAt: Timestamp.now() }),
      () => updateDoc(callRef(BOB, id), accept),
    );
  });

  it('accepting changes nothing else (participants, kind, context are fixed)', async () => {
    const id = await seedCall();
    await assertFails(updateDoc(callRef(BOB, id), { ...accept, callee: CAROL }));
    await assertFails(updateDoc(callRef(BOB, id), { ...accept, kind: 'voice' }));
    await pair(
      () => updateDoc(callRef(BOB, id), { ...accept, 'context.label': 'changed' }),
      () => updateDoc(callRef(BOB, id), accept),
    );
  });

  it('only a ringing call is accepted', async () => {
    const ended = await seedCall('declined');
    const id = await seedCall();
    await pair(
      () => updateDoc(callRef(BOB, ended), accept),
      () => updateDoc(callRef(BOB, id), accept),
    );
  });

  it('only the callee declines, recording when and why', async () => {
    const id = await seedCall();
    const decline = { state: 'declined', endedAt: serverTimestamp(), endReason: 'declined' };
    await assertFails(updateDoc(callRef(BOB, id), { ...decline, endReason: 'cancelled' }));
    await assertFails(updateDoc(callRef(BOB, id), { state: 'declined', endReason: 'declined' }));
    await pair(
      () => updateDoc(callRef(ALICE, id), decline),
      () => updateDoc(callRef(BOB, id), decline),
    );
  });

  it('only the caller cancels', async () => {
    const id = await seedCall();
    const cancel = { state: 'cancelled', endedAt: serverTimestamp(), endReason: 'cancelled' };
    await pair(
      () => updateDoc(callRef(BOB, id), cancel),
      () => updateDoc(callRef(ALICE, id), cancel),
    );
  });

  it('only the caller marks a call missed, with reason unavailable', async () => {
    const id = await seedCall();
    const missed = { state: 'missed', endedAt: serverTimestamp(), endReason: 'unavailable' };
    await assertFails(updateDoc(callRef(BOB, id), missed));
    await pair(
      () => updateDoc(callRef(ALICE, id), { ...missed, endReason: 'cancelled' }),
      () => updateDoc(callRef(ALICE, id), missed),
    );
  });

  it('either side ends an accepted call; a stranger does not', async () => {
    const end = { state: 'ended', endedAt: serverTimestamp(), endReason: 'hung-up' };
    const first = await seedCall('accepted');
    await pair(
      () => updateDoc(callRef(CAROL, first), end),
      () => updateDoc(callRef(ALICE, first), end),
    );
    const second = await seedCall('accepted');
    await pair(
      () => updateDoc(callRef(null, second), end),
      () => updateDoc(callRef(BOB, second), end),
    );
  });

  it('a ringing call is not ended (it is cancelled or declined)', async () => {
    const end = { state: 'ended', endedAt: serverTimestamp(), endReason: 'hung-up' };
    const ringingId = await seedCall('ringing');
    const acceptedId = await seedCall('accepted');
    await pair(
      () => updateDoc(callRef(ALICE, ringingId), end),
      () => updateDoc(callRef(ALICE, acceptedId), end),
    );
  });

  it('an ended call stays ended (no reopening, no second end)', async () => {
    const ended = await seedCall('ended');
    const accepted = await seedCall('accepted');
    await assertFails(updateDoc(callRef(BOB, ended), { state: 'accepted', acceptedAt: serverTimestamp() }));
    await pair(
      () => updateDoc(callRef(BOB, ended), { state: 'ended', endedAt: serverTimestamp(), endReason: 'hung-up' }),
      () => updateDoc(callRef(BOB, accepted), { state: 'ended', endedAt: serverTimestamp(), endReason: 'hung-up' }),
    );
  });

  it('the end reason is a reason code and endedAt the server time', async () => {
    const id = await seedCall('accepted');
    await assertFails(updateDoc(callRef(ALICE, id), { state: 'ended', endedAt: Timestamp.now(), endReason: 'hung-up' }));
    await assertFails(updateDoc(callRef(ALICE, id), { state: 'ended', endedAt: serverTimestamp() }));
    await pair(
      () => updateDoc(callRef(ALICE, id), { state: 'ended', endedAt: serverTimestamp(), endReason: 'Hung up!' }),
      () => updateDoc(callRef(ALICE, id), { state: 'ended', endedAt: serverTimestamp(), endReason: 'no-route' }),
    );
  });

  it('ending changes only state, endedAt and endReason', async () => {
    const id = await seedCall('accepted');
    const end = { state: 'ended', endedAt: serverTimestamp(), endReason: 'hung-up' };
    await pair(
      () => updateDoc(callRef(ALICE, id), { ...end, acceptedAt: serverTimestamp() }),
      () => updateDoc(callRef(ALICE, id), end),
    );
  });

  it('clients never delete a call (it is the call log)', async () => {
    const id = await seedCall('ended');
    await assertFails(deleteDoc(callRef(ALICE, id)));
    await assertFails(deleteDoc(callRef(BOB, id)));
    await assertSucceeds(getDoc(callRef(ALICE, id)));
  });
});

describe('calls: delivery receipt', () => {
  it('only the callee confirms delivery', async () => {
    const id = await seedCall();
    await pair(
      () => updateDoc(callRef(ALICE, id), receipt()),
      () => updateDoc(callRef(BOB, id), receipt()),
    );
  });

  it('a stranger or a signed-out user confirms nothing', async () => {
    const id = await seedCall();
    await assertFails(updateDoc(callRef(null, id), receipt()));
    await pair(
      () => updateDoc(callRef(CAROL, id), receipt()),
      () => updateDoc(callRef(BOB, id), receipt()),
    );
  });

  it('deliveredAt is the server time', async () => {
    const id = await seedCall();
    await pair(
      () => updateDoc(callRef(BOB, id), { deliveredAt: Timestamp.now() }),
      () => updateDoc(callRef(BOB, id), receipt()),
    );
  });

  it('a call is confirmed once (a second tab of the callee is refused)', async () => {
    const id = await seedCall();
    await assertSucceeds(updateDoc(callRef(BOB, id), receipt()));
    const fresh = await seedCall();
    await pair(
      () => updateDoc(callRef(BOB, id), receipt()),
      () => updateDoc(callRef(BOB, fresh), receipt()),
    );
  });

  it('only a ringing call is confirmed', async () => {
    const cancelled = await seedCall('cancelled');
    const id = await seedCall();
    await assertFails(updateDoc(callRef(BOB, await seedCall('accepted')), receipt()));
    await pair(
      () => updateDoc(callRef(BOB, cancelled), receipt()),
      () => updateDoc(callRef(BOB, id), receipt()),
    );
  });

  it('the receipt changes nothing else', async () => {
    const id = await seedCall();
    await assertFails(updateDoc(callRef(BOB, id), { ...receipt(), kind: 'voice' }));
    await pair(
      () => updateDoc(callRef(BOB, id), { ...receipt(), 'context.label': 'changed' }),
      () => updateDoc(callRef(BOB, id), receipt()),
    );
  });

  it('the caller cannot create a call as already delivered', async () => {
    const id = freshId();
    await pair(
      () => setDoc(callRef(ALICE, id), ringing({ deliveredAt: serverTimestamp() })),
      () => setDoc(callRef(ALICE, id), ringing()),
    );
  });

  it('a delivered call is accepted as usual, and accepting does not touch the receipt', async () => {
    const id = await seedCall('ringing', { deliveredAt: Timestamp.now() });
    await pair(
      () => updateDoc(callRef(BOB, id), { state: 'accepted', acceptedAt: serverTimestamp(), deliveredAt: serverTimestamp() }),
      () => updateDoc(callRef(BOB, id), { state: 'accepted', acceptedAt: serverTimestamp() }),
    );
  });
});

describe('calls: busy and why a call was missed', () => {
  const busy = { state: 'declined', endedAt: serverTimestamp(), endReason: 'busy' };

  it("only the callee's phone declines a call as busy", async () => {
    const id = await seedCall();
    await pair(
      () => updateDoc(callRef(ALICE, id), busy),
      () => updateDoc(callRef(BOB, id), busy),
    );
  });

  it('a declined call records declined or busy, nothing else', async () => {
    const id = await seedCall();
    await pair(
      () => updateDoc(callRef(BOB, id), { ...busy, endReason: 'on-another-call' }),
      () => updateDoc(callRef(BOB, id), busy),
    );
  });

  it('busy records when, in server time', async () => {
    const id = await seedCall();
    await assertFails(updateDoc(callRef(BOB, id), { state: 'declined', endReason: 'busy' }));
    await pair(
      () => updateDoc(callRef(BOB, id), { ...busy, endedAt: Timestamp.now() }),
      () => updateDoc(callRef(BOB, id), busy),
    );
  });

  it('only a ringing call is declined as busy', async () => {
    const accepted = await seedCall('accepted');
    const id = await seedCall();
    await pair(
      () => updateDoc(callRef(BOB, accepted), busy),
      () => updateDoc(callRef(BOB, id), busy),
    );
  });

  it('the caller logs a call that rang out as missed with no-answer; the callee cannot', async () => {
    const id = await seedCall('ringing', { deliveredAt: Timestamp.now() });
    const noAnswer = { state: 'missed', endedAt: serverTimestamp(), endReason: 'no-answer' };
    await pair(
      () => updateDoc(callRef(BOB, id), noAnswer),
      () => updateDoc(callRef(ALICE, id), noAnswer),
    );
  });

  it('busy is not a reason to cancel or to miss a call', async () => {
    const id = await seedCall();
    await assertFails(updateDoc(callRef(ALICE, id), { state: 'missed', endedAt: serverTimestamp(), endReason: 'busy' }));
    await pair(
      () => updateDoc(callRef(ALICE, id), { state: 'cancelled', endedAt: serverTimestamp(), endReason: 'busy' }),
      () => updateDoc(callRef(ALICE, id), { state: 'cancelled', endedAt: serverTimestamp(), endReason: 'cancelled' }),
    );
  });
});

describe('signals', () => {
  it('a participant writes a signal in their own name', async () => {
    const id = await seedCall();
    await pair(
      () => setDoc(signalRef(ALICE, id, 'bob_1'), signal(BOB, 1)),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1)),
    );
  });

  it('a stranger or a signed-out user writes no signal', async () => {
    const id = await seedCall();
    await assertFails(setDoc(signalRef(null, id, 'alice_1'), signal(ALICE, 1)));
    await pair(
      () => setDoc(signalRef(CAROL, id, 'carol_1'), signal(CAROL, 1)),
      () => setDoc(signalRef(BOB, id, 'bob_1'), signal(BOB, 1, { description: { type: 'answer', sdp: SDP } })),
    );
  });

  it('no signal for a call that does not exist', async () => {
    const id = await seedCall();
    await pair(
      () => setDoc(signalRef(ALICE, 'no-such-call', 'alice_1'), signal(ALICE, 1)),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1)),
    );
  });

  it('the document id is <from>_<seq>, so a seq is used once', async () => {
    const id = await seedCall();
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_2'), signal(ALICE, 1)),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1)),
    );
    // The same seq again is an overwrite, which create-only refuses.
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { description: { type: 'offer', sdp: `${SDP}a=x\r\n` } })));
  });

  it('seq is an integer from 1 to 400', async () => {
    const id = await seedCall();
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_0'), signal(ALICE, 0)));
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, '1' as unknown as number)));
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_401'), signal(ALICE, 401)),
      () => setDoc(signalRef(ALICE, id, 'alice_400'), signal(ALICE, 400)),
    );
  });

  it('createdAt is the server time', async () => {
    const id = await seedCall();
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { createdAt: Timestamp.now() })),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1)),
    );
  });

  it('expireAt lies in the future, within two days of the server time', async () => {
    const id = await seedCall();
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { expireAt: Timestamp.fromMillis(Date.now() - HOUR) })));
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { expireAt: undefined })));
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { expireAt: Date.now() + HOUR })));
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { expireAt: Timestamp.fromMillis(Date.now() + 49 * HOUR) })),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { expireAt: Timestamp.fromMillis(Date.now() + 47 * HOUR) })),
    );
  });

  it('a description carries an SDP of at most 64 KiB that starts with v=0', async () => {
    const id = await seedCall();
    const padded = (size: number) => SDP + 'a='.padEnd(size - SDP.length, 'x');
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { description: { type: 'offer', sdp: 'hello' } })));
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { description: { type: 'offer', sdp: '' } })));
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { description: { type: 'offer', sdp: padded(65537) } })),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { description: { type: 'offer', sdp: padded(65536) } })),
    );
  });

  it('a description is an offer or an answer with exactly type and sdp', async () => {
    const id = await seedCall();
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { description: { type: 'pranswer', sdp: SDP } })));
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { description: { type: 'offer', sdp: SDP, extra: 1 } })));
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { candidates: [CANDIDATE] })),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1)),
    );
  });

  it("a candidates signal holds at most 12 candidates (the rules' expression budget)", async () => {
    const id = await seedCall();
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, candidates(13))),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, candidates(12, { done: true }))),
    );
  });

  it('every candidate in the batch is checked, the last one too', async () => {
    const id = await seedCall();
    const batch = (last: DocumentData) => signal(ALICE, 1, { ...candidates(11), candidates: [...candidates(11).candidates, last] });
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), batch({ ...CANDIDATE, candidate: 'c'.repeat(513) })));
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), batch({ ...CANDIDATE, sdpMid: 'm'.repeat(33) })));
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), batch({ ...CANDIDATE, usernameFragment: 'u'.repeat(257) })));
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), batch({ sdpMid: '0', sdpMLineIndex: 0 })));
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), batch({ ...CANDIDATE, port: 1 })),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), batch({ ...CANDIDATE, usernameFragment: 'u'.repeat(256) })),
    );
  });

  it('candidate fields are left out rather than null', async () => {
    const id = await seedCall();
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { ...candidates(0), candidates: [{ ...CANDIDATE, sdpMid: null }] })),
      () =>
        setDoc(
          signalRef(ALICE, id, 'alice_1'),
          signal(ALICE, 1, { ...candidates(0), candidates: [{ candidate: CANDIDATE.candidate, sdpMLineIndex: 0 }] }),
        ),
    );
  });

  it('an empty candidates signal must mark end-of-candidates', async () => {
    const id = await seedCall();
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, candidates(0, { done: 'yes' }))));
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, candidates(0))),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, candidates(0, { done: true }))),
    );
  });

  it('a bye carries at most a short reason token', async () => {
    const id = await seedCall('accepted');
    const bye = (extra: DocumentData) => signal(BOB, 1, { type: 'bye', description: undefined, ...extra });
    await assertFails(setDoc(signalRef(BOB, id, 'bob_1'), bye({ reason: 'r'.repeat(65) })));
    await pair(
      () => setDoc(signalRef(BOB, id, 'bob_1'), bye({ reason: 'hung up' })),
      () => setDoc(signalRef(BOB, id, 'bob_1'), bye({ reason: 'hung-up' })),
    );
  });

  it('only the known signal types are admitted', async () => {
    const id = await seedCall();
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { type: 'chat', description: undefined, text: 'hi' })),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { type: 'bye', description: undefined })),
    );
  });

  it('after the call, only a bye is admitted', async () => {
    const id = await seedCall('ended');
    await assertFails(setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, candidates(1))));
    await pair(
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1)),
      () => setDoc(signalRef(ALICE, id, 'alice_1'), signal(ALICE, 1, { type: 'bye', description: undefined, reason: 'hung-up' })),
    );
  });

  it('signals are create-only: no update, no delete', async () => {
    const id = await seedCall();
    await seedSignal(id, 'alice_1', { ...signal(ALICE, 1), createdAt: Timestamp.now() });
    await assertFails(updateDoc(signalRef(ALICE, id, 'alice_1'), { description: { type: 'offer', sdp: `${SDP}a=y\r\n` } }));
    await pair(
      () => deleteDoc(signalRef(ALICE, id, 'alice_1')),
      () => setDoc(signalRef(ALICE, id, 'alice_2'), signal(ALICE, 2)),
    );
  });

  it('only participants read the signals', async () => {
    const id = await seedCall();
    await seedSignal(id, 'alice_1', { ...signal(ALICE, 1), createdAt: Timestamp.now() });
    const signals = (uid: string | null) => collection(as(uid), 'calls', id, 'signals');
    await assertFails(getDoc(signalRef(CAROL, id, 'alice_1')));
    await assertFails(getDocs(signals(null)));
    await pair(
      () => getDocs(query(signals(CAROL), where('from', '==', ALICE))),
      () => getDocs(query(signals(BOB), where('from', '==', ALICE))),
    );
  });
});

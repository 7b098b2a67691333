/**
 * Production signaling over Cloud Firestore (modular firebase@12 SDK).
 *
 *   calls/{callId}               the call document; stays as the call log
 *   calls/{callId}/signals/{id}  create-only messages, id `${from}_${seq}`, removed by a TTL policy on expireAt
 *
 * firestore.rules enforces who may write what; this adapter keeps to those rules and turns
 * Firestore failures into `SignalingError`s the engine understands:
 *   permission-denied / unauthenticated  -> 'unauthenticated' (or 'invalid-transition' when a
 *                                           re-read of the call shows the state or side was wrong)
 *   offline, unavailable, write timeout  -> 'signaling-unavailable'
 *
 * Cost of one call setup as the engine runs it (measured on the emulator through `meter`,
 * see firestore.firestore.test.ts):
 *   writes 7: call create, offer, caller's candidate batch, the callee's delivery receipt,
 *          accept, answer, callee's batch
 *   reads  8-12 delivered to listeners (call document: ringing + accepted on each side; the
 *          incoming list; the receipt, on the caller's call listener and the callee's incoming
 *          list; each peer signal; at least 1 per query answer), plus ~6 reads billed
 *          for the rules' get() of the call document (each signal create, each signals listener).
 *   Hang-up adds 2 writes (bye, end) and 3-4 reads. The adapter itself adds no reads on this
 *   path: it knows the call from startCall / the incoming list, and re-reads a call only to
 *   explain a refused write.
 */
import {
  Timestamp,
  collection,
  doc,
  getDoc,
  getDocs,
  limit,
  onSnapshot,
  orderBy,
  query,
  serverTimestamp,
  setDoc,
  updateDoc,
  where,
  type DocumentData,
  type Firestore,
  type QuerySnapshot,
} from 'firebase/firestore';
import {
  SignalingError,
  type CallDocState,
  type CallKind,
  type CallRecord,
  type CandidateInit,
  type CrmContext,
  type DeclineReason,
  type MissedReason,
  type Signal,
  type SignalBody,
  type SignalingChannel,
  type SignalingErrorReason,
  type StartCallInput,
  type Unsubscribe,
} from './channel';
import { SIGNAL_LIMITS } from './limits';
import {
  CALL_STATES,
  FINAL_STATES,
  defaultEndReason,
  endReasonProblem,
  receiptRefusal,
  transitionRefusal,
  transitionTo,
  type CallRole,
} from './transitions';
import { createSignalInbox, startCallProblem } from './validate';

export interface FirestoreSignalingOptions {
  /** An initialized Firestore instance whose Auth user is `uid`. */
  db: Firestore;
  /** The signed-in user's uid (request.auth.uid in the rules). */
  uid: string;
  /** A write not acknowledged by the server within this time fails as 'signaling-unavailable'. Default 10 s. */
  writeTimeoutMs?: number;
  /** Signals expire (TTL) this long after they are written. Must stay below the rules' 2-day bound. Default 24 h. */
  signalTtlMs?: number;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** New call ids; default Firestore's random 20-character ids. */
  newId?: () => string;
  /** Where dropped or malformed documents are reported, one line each. Quiet by default. */
  log?: (message: string) => void;
  /**
   * Told about every billable document read or write this channel causes, per call (null: a
   * query across calls). Reads are documents delivered by the server to a listener or a get,
   * at least one per query answer, as Firestore bills them; the rules' own get() is not seen here.
   */
  meter?: (cost: FirestoreCost) => void;
}

export interface FirestoreCost {
  callId: string | null;
  reads: number;
  writes: number;
}

const CALLS = 'calls';
const SIGNALS = 'signals';
/** Matches `request.query.limit <= 100` in the rules. */
const QUERY_LIMIT = 50;

/** A SignalingChannel acting as `options.uid` on Firestore. */
export function createFirestoreSignaling(options: FirestoreSignalingOptions): SignalingChannel {
  return new FirestoreSignaling(options);
}

class FirestoreSignaling implements SignalingChannel {
  readonly uid: string;
  private readonly db: Firestore;
  private readonly writeTimeoutMs: number;
  private readonly signalTtlMs: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly newId: () => string;
  private readonly log: (message: string) => void;
  private readonly meter: (cost: FirestoreCost) => void;
  /** Last server-confirmed version of each call this channel has seen (participants never change). */
  private readonly known = new Map<string, CallRecord>();
  private readonly seqs = new Map<string, number>();

  constructor(options: FirestoreSignalingOptions) {
    this.db = options.db;
    this.uid = options.uid;
    this.writeTimeoutMs = options.writeTimeoutMs ?? 10_000;
    this.signalTtlMs = options.signalTtlMs ?? 24 * 3600_000;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimeout ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    this.newId = options.newId ?? (() => doc(collection(this.db, CALLS)).id);
    this.log = options.log ?? (() => {});
    this.meter = options.meter ?? (() => {});
  }

  newCallId(): string {
    return this.newId();
  }

  async startCall(input: StartCallInput): Promise<CallRecord> {
    const problem = startCallProblem(input, this.uid);
    if (problem) throw new SignalingError('invalid-transition', problem);
    const id = input.id ?? this.newId();
    const context = input.context && {
      recordType: input.context.recordType,
      recordId: input.context.recordId,
      ...(input.context.label !== undefined ? { label: input.context.label } : {}),
    };
    const ref = doc(this.db, CALLS, id);
    try {
      await this.write(
        () =>
          setDoc(ref, {
            caller: this.uid,
            callee: input.callee,
            kind: input.kind,
            state: 'ringing',
            createdAt: serverTimestamp(),
            ...(context ? { context } : {}),
          }),
        `start a call to ${input.callee}`,
        id,
      );
    } catch (error) {
      if (error instanceof SignalingError && error.reason === 'signaling-unavailable') {
        // The SDK keeps the timed-out create queued and sends it once the network is back.
        // Queue the cancel right behind it, so the callee never rings for a call given up here.
        updateDoc(ref, { state: 'cancelled', endedAt: serverTimestamp(), endReason: 'cancelled' }).catch(() => {});
      }
      throw error;
    }
    const call: CallRecord = {
      id,
      caller: this.uid,
      callee: input.callee,
      kind: input.kind,
      state: 'ringing',
      createdAt: this.now(),
      ...(context ? { context } : {}),
    };
    this.known.set(id, call);
    return { ...call };
  }

  watchIncoming(onCalls: (calls: CallRecord[]) => void, onError?: (error: SignalingError) => void): Unsubscribe {
    const incoming = query(
      collection(this.db, CALLS),
      where('callee', '==', this.uid),
      where('state', '==', 'ringing'),
      orderBy('createdAt', 'desc'),
      limit(QUERY_LIMIT),
    );
    let answered = false;
    return this.listen(
      () =>
        onSnapshot(
          incoming,
          (snapshot) => {
            if (!snapshot.metadata.fromCache) {
              this.meterQuery(snapshot, !answered, null);
              answered = true;
            }
            const calls = snapshot.docs.flatMap((d) => this.remember(d.id, d.data({ serverTimestamps: 'estimate' })) ?? []);
            onCalls(calls);
          },
          (error) => onError?.(toSignalingError(error, 'watch incoming calls')),
        ),
      (error) => onError?.(error),
      'watch incoming calls',
    );
  }

  watchCall(callId: string, onChange: (call: CallRecord) => void, onError?: (error: SignalingError) => void): Unsubscribe {
    let last = '';
    return this.listen(
      () =>
        onSnapshot(
          doc(this.db, CALLS, callId),
          (snapshot) => {
            // Only what the server accepted: a local change the rules refuse is rolled back.
            if (snapshot.metadata.hasPendingWrites) return;
            if (!snapshot.metadata.fromCache) this.meter({ callId, reads: 1, writes: 0 });
            if (!snapshot.exists()) {
              // Offline, the SDK answers from an empty cache first; only the server knows.
              if (snapshot.metadata.fromCache) return;
              onError?.(new SignalingError('not-found', `Call ${callId} does not exist any more.`, callId));
              return;
            }
            const call = this.remember(callId, snapshot.data());
            if (!call) return;
            const key = JSON.stringify(call);
            if (key === last) return;
            last = key;
            onChange(call);
          },
          (error) => onError?.(toSignalingError(error, `watch call ${callId}`, callId)),
        ),
      (error) => onError?.(error),
      `watch call ${callId}`,
      callId,
    );
  }

  async confirmDelivery(callId: string): Promise<void> {
    const cached = this.known.get(callId);
    // Only who is the callee is judged from the cache: another tab may have written the receipt meanwhile.
    const refusal = cached && cached.callee !== this.uid ? receiptRefusal(cached, 'caller') : null;
    if (refusal) throw new SignalingError('invalid-transition', `Call ${callId}: ${refusal}`, callId);
    // No re-read on a refusal: two tabs of the callee race for the one receipt, and losing costs nothing.
    await this.write(
      () => updateDoc(doc(this.db, CALLS, callId), { deliveredAt: serverTimestamp() }),
      `confirm delivery of call ${callId}`,
      callId,
    );
  }

  accept(callId: string): Promise<void> {
    return this.transition(callId, 'accepted');
  }

  decline(callId: string, reason?: DeclineReason): Promise<void> {
    return this.transition(callId, 'declined', reason);
  }

  cancel(callId: string, state: 'cancelled' | 'missed' = 'cancelled', reason?: MissedReason): Promise<void> {
    return this.transition(callId, state, state === 'missed' ? reason : undefined);
  }

  end(callId: string, reason: string): Promise<void> {
    return this.transition(callId, 'ended', reason);
  }

  async sendSignal(callId: string, body: SignalBody): Promise<void> {
    // Seqs are taken before the first await, so concurrent sends keep their call order.
    const writes = signalDocuments(body).map((fields) => {
      const seq = (this.seqs.get(callId) ?? 0) + 1;
      this.seqs.set(callId, seq);
      const data = {
        ...fields,
        from: this.uid,
        seq,
        createdAt: serverTimestamp(),
        expireAt: Timestamp.fromMillis(this.now() + this.signalTtlMs),
      };
      // A fixed id per (sender, seq): the rules refuse a second document for the same seq.
      const ref = doc(this.db, CALLS, callId, SIGNALS, `${this.uid}_${seq}`);
      // Not timed out: a signal waits in the SDK's queue through an outage of any length, and the
      // call's own recovery deadline decides when the call is lost, not a write's timer.
      return this.write(() => setDoc(ref, data), `send a ${String(body?.type ?? 'malformed')} signal`, callId, { timed: false });
    });
    try {
      await Promise.all(writes);
    } catch (error) {
      if (!(error instanceof SignalingError) || error.reason !== 'unauthenticated') throw error;
      // Most refusals here are late signals for a call that is over, not a sign-in problem.
      const current = await this.readCall(callId).catch(() => null);
      if (current && FINAL_STATES.has(current.state) && body?.type !== 'bye') {
        throw new SignalingError(
          'invalid-transition',
          `Call ${callId} is ${current.state}; it takes no more descriptions or candidates.`,
          callId,
        );
      }
      throw error;
    }
  }

  watchSignals(callId: string, onSignal: (signal: Signal) => void, onError: (error: SignalingError) => void): Unsubscribe {
    let stopped = false;
    let stopListener: Unsubscribe = () => {};
    let inbox: ReturnType<typeof createSignalInbox> | null = null;
    const fail = (error: SignalingError) => {
      if (stopped) return;
      stopped = true;
      inbox?.close();
      stopListener();
      onError(error);
    };

    const listenTo = (call: CallRecord) => {
      const peer = call.caller === this.uid ? call.callee : call.callee === this.uid ? call.caller : null;
      if (!peer) return fail(new SignalingError('unauthenticated', `You are not a participant of call ${callId}.`, callId));
      const box = createSignalInbox({ callId, self: this.uid, peer, onSignal, onError: fail, log: this.log });
      inbox = box;
      // Only the peer's documents: our own writes never cost a read and never echo back.
      const peerSignals = query(collection(this.db, CALLS, callId, SIGNALS), where('from', '==', peer));
      let answered = false;
      stopListener = onSnapshot(
        peerSignals,
        (snapshot) => {
          if (!snapshot.metadata.fromCache) {
            this.meterQuery(snapshot, !answered, callId);
            answered = true;
          }
          for (const change of snapshot.docChanges()) {
            // Signals are create-only: 'modified' cannot come from a client, 'removed' is the TTL.
            if (change.type !== 'added') continue;
            box.receive(rawSignal(change.doc.id, change.doc.data({ serverTimestamps: 'estimate' })));
          }
        },
        (error) => fail(toSignalingError(error, `receive signals of call ${callId}`, callId)),
      );
    };

    const stop = () => {
      stopped = true;
      inbox?.close();
      stopListener();
    };
    const known = this.known.get(callId);
    if (known) {
      // Deferred, so that even a refusal reaches onError after this call returned.
      queueMicrotask(() => {
        if (!stopped) listenTo(known);
      });
      return stop;
    }
    // The peer is not known yet: learn it from the call document. A listener, not getDoc,
    // because it waits out a slow or offline start instead of failing the call.
    stopListener = this.listen(
      () =>
        onSnapshot(
          doc(this.db, CALLS, callId),
          (snapshot) => {
            if (stopped || inbox) return;
            if (!snapshot.metadata.fromCache) this.meter({ callId, reads: 1, writes: 0 });
            if (!snapshot.exists()) {
              if (!snapshot.metadata.fromCache) fail(new SignalingError('not-found', `Call ${callId} does not exist.`, callId));
              return;
            }
            const call = this.remember(callId, snapshot.data({ serverTimestamps: 'estimate' }));
            if (!call) return fail(new SignalingError('not-found', `Call ${callId} is not a readable call document.`, callId));
            stopListener();
            listenTo(call);
          },
          (error) => fail(toSignalingError(error, `receive signals of call ${callId}`, callId)),
        ),
      fail,
      `receive signals of call ${callId}`,
      callId,
    );
    return stop;
  }

  async callsForRecord(context: Pick<CrmContext, 'recordType' | 'recordId'>): Promise<CallRecord[]> {
    // The rules admit only queries pinned to one's own calls, so: mine as caller + mine as callee.
    const bySide = (side: 'caller' | 'callee') =>
      query(
        collection(this.db, CALLS),
        where(side, '==', this.uid),
        where('context.recordType', '==', context.recordType),
        where('context.recordId', '==', context.recordId),
        orderBy('createdAt', 'desc'),
        limit(QUERY_LIMIT),
      );
    try {
      const [asCaller, asCallee] = await Promise.all([getDocs(bySide('caller')), getDocs(bySide('callee'))]);
      for (const answer of [asCaller, asCallee]) this.meter({ callId: null, reads: Math.max(1, answer.size), writes: 0 });
      const calls = [...asCaller.docs, ...asCallee.docs].flatMap((d) => toCallRecord(d.id, d.data({ serverTimestamps: 'estimate' })) ?? []);
      return calls.sort((a, b) => b.createdAt - a.createdAt).slice(0, QUERY_LIMIT);
    } catch (error) {
      throw toSignalingError(error, `load the call log of ${context.recordType} ${context.recordId}`);
    }
  }

  // ---- internals ----------------------------------------------------------------------

  /** Moves the call to `to` with the fields the move records (server times, the end reason). */
  private async transition(callId: string, to: CallDocState, reason?: string): Promise<void> {
    const step = transitionTo(to)!;
    const endReason = reason ?? defaultEndReason(to);
    const reasonProblem = endReasonProblem(to, endReason);
    if (reasonProblem) throw new SignalingError('invalid-transition', reasonProblem, callId);
    const fields: DocumentData = endReason === undefined ? { acceptedAt: serverTimestamp() } : { endedAt: serverTimestamp(), endReason };
    const cached = this.known.get(callId);
    const refusal = cached && this.refusal(cached, to, true);
    if (refusal) throw new SignalingError('invalid-transition', refusal, callId);
    try {
      await this.write(() => updateDoc(doc(this.db, CALLS, callId), { state: to, ...fields }), `${step.verb} call ${callId}`, callId);
    } catch (error) {
      if (!(error instanceof SignalingError) || error.reason !== 'unauthenticated') throw error;
      // The rules said no. Read the call once to tell "wrong state or side" from "not allowed at all".
      const current = await this.readCall(callId).catch(() => null);
      const why = current && this.refusal(current, to, false);
      if (why) throw new SignalingError('invalid-transition', why, callId);
      throw error;
    }
  }

  /** Why this user cannot move `call` to `to`, or null. With a cached call, only what can never change is judged. */
  private refusal(call: CallRecord, to: CallDocState, cached: boolean): string | null {
    const role: CallRole | null = call.caller === this.uid ? 'caller' : call.callee === this.uid ? 'callee' : null;
    if (!role) return cached ? null : `You are not a participant of call ${call.id}.`;
    const why = transitionRefusal(call.state, to, role);
    // States only move forward; a cached 'ringing' may already be 'accepted' on the server.
    if (why && cached && call.state === 'ringing' && transitionRefusal('accepted', to, role) === null) return null;
    return why && `Call ${call.id}: ${why}`;
  }

  private async readCall(callId: string): Promise<CallRecord> {
    let snapshot;
    try {
      snapshot = await getDoc(doc(this.db, CALLS, callId));
      this.meter({ callId, reads: 1, writes: 0 });
    } catch (error) {
      throw toSignalingError(error, `read call ${callId}`, callId);
    }
    if (!snapshot.exists()) throw new SignalingError('not-found', `Call ${callId} does not exist.`, callId);
    const call = this.remember(callId, snapshot.data({ serverTimestamps: 'estimate' }));
    if (!call) throw new SignalingError('not-found', `Call ${callId} is not a readable call document.`, callId);
    return call;
  }

  private remember(callId: string, data: DocumentData): CallRecord | null {
    const call = toCallRecord(callId, data);
    if (call) this.known.set(callId, call);
    else this.log(`call ${callId}: ignored a malformed call document`);
    return call;
  }

  /** Runs a write; no server acknowledgement within the timeout means the service is unreachable. */
  private write(run: () => Promise<void>, what: string, callId?: string, { timed = true } = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = timed
        ? this.setTimer(() => {
            if (settled) return;
            settled = true;
            reject(
              new SignalingError(
                'signaling-unavailable',
                `Could not ${what}: the signaling service did not answer within ${Math.round(this.writeTimeoutMs / 1000)} s. Check the network connection.`,
                callId,
              ),
            );
          }, this.writeTimeoutMs)
        : null;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        if (timer !== null) this.clearTimer(timer);
        if (error === undefined) {
          this.meter({ callId: callId ?? null, reads: 0, writes: 1 });
          resolve();
        } else reject(toSignalingError(error, what, callId));
      };
      let pending: Promise<void>;
      try {
        pending = run();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        () => finish(),
        (error: unknown) => finish(error ?? new Error('unknown failure')),
      );
    });
  }

  /** A server answer to a query bills each added or changed document, and at least one read at first. */
  private meterQuery(snapshot: QuerySnapshot, first: boolean, callId: string | null): void {
    const changed = snapshot.docChanges().filter((change) => change.type !== 'removed');
    if (callId !== null) {
      const reads = first ? Math.max(1, changed.length) : changed.length;
      if (reads > 0) this.meter({ callId, reads, writes: 0 });
      return;
    }
    for (const change of changed) this.meter({ callId: change.doc.id, reads: 1, writes: 0 });
    if (first && changed.length === 0) this.meter({ callId: null, reads: 1, writes: 0 });
  }

  /** Starts a listener; a synchronous SDK throw is reported asynchronously like any other failure. */
  private listen(start: () => Unsubscribe, onError: (error: SignalingError) => void, what: string, callId?: string): Unsubscribe {
    try {
      return start();
    } catch (error) {
      const mapped = toSignalingError(error, what, callId);
      queueMicrotask(() => onError(mapped));
      return () => {};
    }
  }
}

// ---- document <-> model -------------------------------------------------------------

function millis(value: unknown): number | undefined {
  if (value instanceof Timestamp) return value.toMillis();
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return undefined;
}

function toCallRecord(id: string, data: DocumentData): CallRecord | null {
  const { caller, callee, kind, state, context } = data;
  const createdAt = millis(data.createdAt);
  if (typeof caller !== 'string' || typeof callee !== 'string' || (kind !== 'video' && kind !== 'voice')) return null;
  if (typeof state !== 'string' || !CALL_STATES.includes(state as CallDocState) || createdAt === undefined) return null;
  const call: CallRecord = { id, caller, callee, kind: kind as CallKind, state: state as CallDocState, createdAt };
  const deliveredAt = millis(data.deliveredAt);
  if (deliveredAt !== undefined) call.deliveredAt = deliveredAt;
  const acceptedAt = millis(data.acceptedAt);
  const endedAt = millis(data.endedAt);
  if (acceptedAt !== undefined) call.acceptedAt = acceptedAt;
  if (endedAt !== undefined) call.endedAt = endedAt;
  if (typeof data.endReason === 'string') call.endReason = data.endReason;
  if (context && typeof context === 'object' && typeof context.recordType === 'string' && typeof context.recordId === 'string') {
    call.context = {
      recordType: context.recordType,
      recordId: context.recordId,
      ...(typeof context.label === 'string' ? { label: context.label } : {}),
    };
  }
  return call;
}

/** The document as validate.ts expects it: plain values, times in ms, the id included. */
function rawSignal(id: string, data: DocumentData): Record<string, unknown> {
  const raw: Record<string, unknown> = { ...data, id };
  if (data.createdAt instanceof Timestamp) raw.createdAt = data.createdAt.toMillis();
  if (data.expireAt instanceof Timestamp) raw.expireAt = data.expireAt.toMillis();
  return raw;
}

/**
 * The documents one signal becomes: only the fields the rules admit, no `undefined` (Firestore
 * refuses it) and no nulls (the rules want absent fields). A candidate batch larger than the
 * rules admit is split; end-of-candidates rides on the last part.
 */
function signalDocuments(body: SignalBody): DocumentData[] {
  switch (body?.type) {
    case 'description':
      return [{ type: 'description', description: { type: body.description?.type ?? null, sdp: body.description?.sdp ?? null } }];
    case 'candidates': {
      const all = (Array.isArray(body.candidates) ? body.candidates : []).map(candidateFields);
      const parts: DocumentData[] = [];
      for (let start = 0; start < all.length || parts.length === 0; start += SIGNAL_LIMITS.maxCandidatesPerSignal) {
        parts.push({ type: 'candidates', candidates: all.slice(start, start + SIGNAL_LIMITS.maxCandidatesPerSignal) });
      }
      if (body.done === true) parts[parts.length - 1]!.done = true;
      return parts;
    }
    case 'bye':
      return [{ type: 'bye', ...(body.reason !== undefined && body.reason !== null ? { reason: body.reason } : {}) }];
    default:
      return [{ type: String((body as { type?: unknown } | undefined)?.type) }];
  }
}

function candidateFields(c: CandidateInit): DocumentData {
  const out: DocumentData = { candidate: c?.candidate ?? null };
  if (c?.sdpMid !== undefined && c.sdpMid !== null) out.sdpMid = c.sdpMid;
  if (c?.sdpMLineIndex !== undefined && c.sdpMLineIndex !== null) out.sdpMLineIndex = c.sdpMLineIndex;
  if (c?.usernameFragment !== undefined && c.usernameFragment !== null) out.usernameFragment = c.usernameFragment;
  return out;
}

// ---- errors ---------------------------------------------------------------------------

const UNAVAILABLE_CODES = new Set([
  'unavailable',
  'deadline-exceeded',
  'resource-exhausted',
  'cancelled',
  'aborted',
  'internal',
  'unknown',
  'failed-precondition',
]);

function toSignalingError(error: unknown, what: string, callId?: string): SignalingError {
  if (error instanceof SignalingError) return error;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const detail = (error as Error)?.message ?? String(error);
  let reason: SignalingErrorReason;
  let advice: string;
  if (code === 'permission-denied' || code === 'unauthenticated') {
    reason = 'unauthenticated';
    advice = 'Sign in again; only the two participants of a call may see or change it.';
  } else if (code === 'not-found') {
    reason = 'not-found';
    advice = 'The call no longer exists.';
  } else {
    reason = 'signaling-unavailable';
    advice = UNAVAILABLE_CODES.has(code)
      ? 'The signaling service is unreachable; check the network connection.'
      : 'The signaling service failed unexpectedly.';
  }
  return new SignalingError(reason, `Could not ${what}: ${advice} (${code || 'error'}: ${detail.slice(0, 200)})`, callId);
}

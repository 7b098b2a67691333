/**
 * The signaling document model in memory, with Firestore's semantics, for tests and the lab.
 *
 * - Writes are asynchronous and apply in order per writer (server order per sender);
 *   listeners get batched snapshots a tick later, never inside the write call.
 * - Signals are create-only; call state changes follow the same transitions as firestore.rules.
 * - Faults (all off by default): per-write latency (+ jitter), reordering across senders,
 *   duplicate deliveries, a user going offline and back (writes queue, listeners pause).
 * - Cost: reads (documents delivered to listeners) and writes per call, like Firestore bills them.
 *
 * One `MemoryStore` is shared by several channels (`store.channel(uid)`), one per user.
 * Between two browsers (the lab), each page runs its own store and a harness relays the
 * plain-JSON `StoreOp`s: `store.onWrite(op => relay(op))` on one side,
 * `store.applyRemote(op)` on the other. broadcast.ts does the same over BroadcastChannel.
 */
import {
  SignalingError,
  type CallDocState,
  type CallRecord,
  type DeclineReason,
  type MissedReason,
  type Signal,
  type SignalBody,
  type SignalingChannel,
  type StartCallInput,
  type Unsubscribe,
} from './channel';
import { FINAL_STATES, defaultEndReason, endReasonProblem, receiptRefusal, transitionRefusal } from './transitions';
import { createSignalInbox, startCallProblem } from './validate';

/** A write as sent, with when it lands (send time + modeled latency, epoch ms), for relaying ahead of time. */
export interface SentWrite {
  op: StoreOp;
  actor: string;
  dueAt: number;
}

/** One write, as plain JSON (what a harness relays between stores). */
export type StoreOp =
  | { op: 'createCall'; call: CallRecord }
  | { op: 'updateCall'; callId: string; patch: Partial<CallRecord> }
  | { op: 'createSignal'; callId: string; signal: Record<string, unknown> };

export interface MemoryStoreOptions {
  /** Milliseconds from a write to its visibility (Firestore round trip). Default 0. */
  latencyMs?: number;
  /** Extra random latency per write, up to this many ms; a sender's writes stay in order. */
  jitterMs?: number;
  /** Shuffle signals from different senders inside one snapshot (per-sender order kept). */
  reorderAcrossSenders?: boolean;
  /** Probability (0..1) that a delivered signal is delivered again in a later snapshot. */
  duplicateRate?: number;
  /** Signal documents expire (Firestore TTL) this long after creation. */
  signalTtlMs?: number;
  random?: () => number;
  now?: () => number;
  newId?: () => string;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  /** Where adapters report dropped signals. */
  log?: (message: string) => void;
}

export interface CallCost {
  reads: number;
  writes: number;
}

interface Listener {
  owner: string;
  kind: 'incoming' | 'call' | 'signals';
  key: string;
  /** Signals: index of the next stored signal this listener has not seen. */
  cursor: number;
  duplicates: Record<string, unknown>[];
  scheduled: boolean;
  dirty: boolean;
  closed: boolean;
  deliver: (docs: unknown) => void;
}

interface PendingWrite {
  applied: boolean;
  apply: () => void;
}

let fallbackId = 0;

export class MemoryStore {
  private readonly calls = new Map<string, CallRecord>();
  private readonly signals = new Map<string, Record<string, unknown>[]>();
  private readonly costs = new Map<string, CallCost>();
  private readonly listeners = new Set<Listener>();
  private readonly offline = new Set<string>();
  private readonly queued = new Map<string, (() => void)[]>();
  private readonly lastApplyAt = new Map<string, number>();
  /** Per sender, writes sent and not yet applied, in send order. */
  private readonly pending = new Map<string, PendingWrite[]>();
  private readonly writeListeners = new Set<(op: StoreOp) => void>();
  private readonly sendListeners = new Set<(write: SentWrite) => void>();
  private readonly options: Required<Omit<MemoryStoreOptions, 'log'>> & { log: (message: string) => void };

  constructor(options: MemoryStoreOptions = {}) {
    this.options = {
      latencyMs: 0,
      jitterMs: 0,
      reorderAcrossSenders: false,
      duplicateRate: 0,
      signalTtlMs: 24 * 3600_000,
      random: Math.random,
      now: Date.now,
      newId: () => `m${Date.now().toString(36)}${(++fallbackId).toString(36)}${Math.random().toString(36).slice(2, 8)}`,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      log: () => {},
      ...options,
    };
  }

  /** Changes fault injection on a live store (e.g. add latency mid-test). */
  configure(options: Pick<MemoryStoreOptions, 'latencyMs' | 'jitterMs' | 'reorderAcrossSenders' | 'duplicateRate'>): void {
    Object.assign(this.options, options);
  }

  /** A SignalingChannel acting as `uid` on this store. */
  channel(uid: string): SignalingChannel {
    return new MemorySignaling(this, uid);
  }

  /** Takes a user offline (their writes queue, their listeners pause) or back online. */
  setOnline(uid: string, online: boolean): void {
    if (online) {
      if (!this.offline.delete(uid)) return;
      for (const run of this.queued.get(uid) ?? []) run();
      this.queued.delete(uid);
      for (const listener of this.listeners) if (listener.owner === uid && listener.dirty) this.schedule(listener);
    } else {
      this.offline.add(uid);
    }
  }

  /** Reads and writes billed to one call so far. */
  costOf(callId: string): CallCost {
    return { ...(this.costs.get(callId) ?? { reads: 0, writes: 0 }) };
  }

  getCall(callId: string): CallRecord | undefined {
    const call = this.calls.get(callId);
    return call && { ...call };
  }

  /** Every stored signal document of a call, in server order (for tests and support). */
  signalsOf(callId: string): Record<string, unknown>[] {
    return [...(this.signals.get(callId) ?? [])];
  }

  /** The whole store as ops, to seed another replica. */
  dump(): StoreOp[] {
    const ops: StoreOp[] = [];
    for (const call of this.calls.values()) ops.push({ op: 'createCall', call: { ...call } });
    for (const [callId, list] of this.signals) for (const signal of list) ops.push({ op: 'createSignal', callId, signal: { ...signal } });
    return ops;
  }

  /** Every write applied here that originated here (not from applyRemote), for relaying. */
  onWrite(listener: (op: StoreOp) => void): Unsubscribe {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /**
   * Every write of this replica as it is sent, with the time it lands here. A harness that
   * relays these and applies them with `applyRelayedWrite` gives both replicas the same modeled
   * latency, with no relay time added on top (onWrite fires only once the write landed).
   */
  onSend(listener: (write: SentWrite) => void): Unsubscribe {
    this.sendListeners.add(listener);
    return () => this.sendListeners.delete(listener);
  }

  /**
   * Applies another replica's write (from onSend) at the time it lands there (`dueAt`), in
   * that sender's order, after checking it against the rules here as the sender's replica
   * does there. Writes of different senders are not ordered against each other, so two
   * conflicting writes due at about the same time may be judged differently on the two
   * replicas (the lab's calls do not race like that); unlike applyRemote, this one checks.
   */
  applyRelayedWrite({ op, actor, dueAt }: SentWrite): void {
    const write: PendingWrite = {
      applied: false,
      apply: () => {
        const refusal = this.refusal(actor, op);
        if (refusal) this.options.log(`relayed ${op.op} from ${actor} refused: ${refusal}`);
        else this.applyRemote(op);
      },
    };
    const late = this.options.now() - dueAt;
    if (late > 0) this.options.log(`relayed ${op.op} from ${actor} arrived ${late} ms after it was due`);
    this.enqueue(`relayed:${actor}`, write, -late);
  }

  /** Applies a write relayed from another replica, as the server would: no checks, no re-emit. */
  applyRemote(op: StoreOp): void {
    const copy = JSON.parse(JSON.stringify(op)) as StoreOp;
    if (copy.op === 'createCall') {
      const existing = this.calls.get(copy.call.id);
      // A later state wins when replicas seed each other.
      if (existing && !(existing.state === 'ringing' || (existing.state === 'accepted' && FINAL_STATES.has(copy.call.state)))) return;
    }
    if (copy.op === 'createSignal' && (this.signals.get(copy.callId) ?? []).some((s) => s.id === copy.signal.id)) return;
    this.apply(copy);
  }

  /**
   * Writes a signal document as-is, as a misbehaving client could if rules were weaker.
   * Tests use it to feed hostile input; it still takes the modeled latency.
   */
  injectSignal(callId: string, raw: unknown): void {
    this.options.setTimeout(
      () => this.apply({ op: 'createSignal', callId, signal: raw as Record<string, unknown> }),
      this.options.latencyMs,
    );
  }

  // ---- used by MemorySignaling -------------------------------------------------------

  /** @internal Queues a write by `actor`; resolves once applied, rejects when the rules refuse it. */
  write(actor: string, op: StoreOp): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const send = () => {
        const { latencyMs, jitterMs, random, now } = this.options;
        const due = Math.max(now() + latencyMs + (jitterMs > 0 ? random() * jitterMs : 0), this.lastApplyAt.get(actor) ?? 0);
        this.lastApplyAt.set(actor, due);
        for (const listener of this.sendListeners) listener({ op: JSON.parse(JSON.stringify(op)) as StoreOp, actor, dueAt: due });
        const write: PendingWrite = {
          applied: false,
          apply: () => {
            const refusal = this.refusal(actor, op);
            if (refusal) return reject(new SignalingError('invalid-transition', refusal, callIdOf(op)));
            this.apply(op);
            for (const listener of this.writeListeners) listener(JSON.parse(JSON.stringify(op)) as StoreOp);
            resolve();
          },
        };
        this.enqueue(actor, write, due - now());
      };
      if (this.offline.has(actor)) {
        const queue = this.queued.get(actor) ?? [];
        queue.push(send);
        this.queued.set(actor, queue);
      } else send();
    });
  }

  /** Queues `write` behind `sender`'s other pending writes; it lands in `delayMs` (at once when <= 0). */
  private enqueue(sender: string, write: PendingWrite, delayMs: number): void {
    const pending = this.pending.get(sender) ?? [];
    pending.push(write);
    this.pending.set(sender, pending);
    this.options.setTimeout(() => this.applyThrough(sender, write), Math.max(0, delayMs));
  }

  /**
   * Applies `actor`'s pending writes up to and including `write`, oldest first.
   * Timers due in the same millisecond may fire in any order; a sender's writes must not.
   */
  private applyThrough(actor: string, write: PendingWrite): void {
    const pending = this.pending.get(actor);
    if (!pending || write.applied) return;
    while (pending.length > 0) {
      const next = pending.shift()!;
      next.applied = true;
      next.apply();
      if (next === write) break;
    }
    if (pending.length === 0) this.pending.delete(actor);
  }

  /** @internal */
  listen(owner: string, kind: Listener['kind'], key: string, deliver: (docs: unknown) => void): Unsubscribe {
    const listener: Listener = { owner, kind, key, cursor: 0, duplicates: [], scheduled: false, dirty: true, closed: false, deliver };
    this.listeners.add(listener);
    this.schedule(listener);
    return () => {
      listener.closed = true;
      this.listeners.delete(listener);
    };
  }

  /** @internal */
  now(): number {
    return this.options.now();
  }

  /** @internal */
  newId(): string {
    return this.options.newId();
  }

  /** @internal */
  get signalTtlMs(): number {
    return this.options.signalTtlMs;
  }

  /** @internal */
  get log(): (message: string) => void {
    return this.options.log;
  }

  // ---- server side --------------------------------------------------------------------

  /** What firestore.rules would say to this write, or null when allowed. */
  private refusal(actor: string, op: StoreOp): string | null {
    if (op.op === 'createCall') {
      if (this.calls.has(op.call.id)) return 'call already exists';
      if (op.call.caller !== actor || op.call.callee === actor || op.call.state !== 'ringing')
        return 'only the caller may create a ringing call';
      return null;
    }
    const call = this.calls.get(op.callId);
    if (!call) return `call ${op.callId} does not exist`;
    const role = call.caller === actor ? 'caller' : call.callee === actor ? 'callee' : null;
    if (!role) return 'not a participant of this call';
    if (op.op === 'createSignal') {
      if (op.signal.from !== actor) return 'signals must carry their author';
      // As firestore.rules: negotiation stops with the call; only a bye may still go out.
      if (FINAL_STATES.has(call.state) && op.signal.type !== 'bye') return `no ${String(op.signal.type)} once the call is ${call.state}`;
      return null;
    }
    if (op.patch.state === undefined) {
      // The only change that keeps the state: the delivery receipt, one field.
      const fields = Object.keys(op.patch);
      if (fields.length !== 1 || fields[0] !== 'deliveredAt') return `a call update must change its state or only deliveredAt`;
      return receiptRefusal(call, role);
    }
    const next = op.patch.state;
    return transitionRefusal(call.state, next, role) ?? endReasonProblem(next!, op.patch.endReason);
  }

  private apply(op: StoreOp): void {
    const callId = callIdOf(op);
    const cost = this.costs.get(callId) ?? { reads: 0, writes: 0 };
    cost.writes += 1;
    this.costs.set(callId, cost);
    if (op.op === 'createCall') this.calls.set(op.call.id, { ...op.call });
    else if (op.op === 'updateCall') {
      const call = this.calls.get(op.callId);
      if (call) this.calls.set(op.callId, { ...call, ...op.patch });
    } else {
      const list = this.signals.get(op.callId) ?? [];
      list.push(op.signal);
      this.signals.set(op.callId, list);
    }
    for (const listener of this.listeners) {
      const affected =
        listener.kind === 'incoming'
          ? op.op !== 'createSignal' && this.calls.get(callId)?.callee === listener.key
          : listener.key === callId && (listener.kind === 'signals') === (op.op === 'createSignal');
      if (affected) {
        listener.dirty = true;
        this.schedule(listener);
      }
    }
  }

  private schedule(listener: Listener): void {
    if (listener.scheduled || this.offline.has(listener.owner)) return;
    listener.scheduled = true;
    // A macrotask, so writes landing together make one snapshot, like Firestore.
    this.options.setTimeout(() => {
      listener.scheduled = false;
      if (listener.closed || this.offline.has(listener.owner) || !listener.dirty) return;
      listener.dirty = false;
      this.flush(listener);
    }, 0);
  }

  private flush(listener: Listener): void {
    const bill = (callId: string, reads: number) => {
      const cost = this.costs.get(callId) ?? { reads: 0, writes: 0 };
      cost.reads += reads;
      this.costs.set(callId, cost);
    };
    if (listener.kind === 'incoming') {
      const ringing = [...this.calls.values()].filter((c) => c.callee === listener.key && c.state === 'ringing');
      for (const call of ringing) bill(call.id, 1);
      return listener.deliver(ringing.map((c) => ({ ...c })));
    }
    if (listener.kind === 'call') {
      const call = this.calls.get(listener.key);
      if (!call) return;
      bill(call.id, 1);
      return listener.deliver({ ...call });
    }
    const all = this.signals.get(listener.key) ?? [];
    const fresh = all.slice(listener.cursor);
    listener.cursor = all.length;
    let batch = [...listener.duplicates, ...fresh];
    listener.duplicates = [];
    if (this.options.duplicateRate > 0) {
      for (const doc of fresh) if (this.options.random() < this.options.duplicateRate) listener.duplicates.push(doc);
      if (listener.duplicates.length > 0) {
        listener.dirty = true;
        this.schedule(listener);
      }
    }
    if (this.options.reorderAcrossSenders) batch = this.interleave(batch);
    if (batch.length === 0) return;
    bill(listener.key, fresh.length);
    listener.deliver(batch.map((doc) => (doc && typeof doc === 'object' ? { ...doc } : doc)));
  }

  /** Random merge of per-sender queues: senders interleave, each sender stays in order. */
  private interleave(batch: Record<string, unknown>[]): Record<string, unknown>[] {
    const bySender = new Map<unknown, Record<string, unknown>[]>();
    for (const doc of batch) {
      const key = doc && typeof doc === 'object' ? doc.from : undefined;
      bySender.set(key, [...(bySender.get(key) ?? []), doc]);
    }
    const queues = [...bySender.values()];
    const out: Record<string, unknown>[] = [];
    while (queues.length > 0) {
      const index = Math.floor(this.options.random() * queues.length) % queues.length;
      const queue = queues[index]!;
      out.push(queue.shift()!);
      if (queue.length === 0) queues.splice(index, 1);
    }
    return out;
  }
}

function callIdOf(op: StoreOp): string {
  return op.op === 'createCall' ? op.call.id : op.callId;
}

/** A SignalingChannel for one user over a MemoryStore. */
class MemorySignaling implements SignalingChannel {
  private readonly seqs = new Map<string, number>();

  constructor(
    private readonly store: MemoryStore,
    readonly uid: string,
  ) {}

  newCallId(): string {
    return this.store.newId();
  }

  async startCall(input: StartCallInput): Promise<CallRecord> {
    const problem = startCallProblem(input, this.uid);
    if (problem) throw new SignalingError('invalid-transition', problem);
    const call: CallRecord = {
      id: input.id ?? this.store.newId(),
      caller: this.uid,
      callee: input.callee,
      kind: input.kind,
      state: 'ringing',
      createdAt: this.store.now(),
      ...(input.context ? { context: { ...input.context } } : {}),
    };
    await this.store.write(this.uid, { op: 'createCall', call });
    return { ...call };
  }

  watchIncoming(onCalls: (calls: CallRecord[]) => void): Unsubscribe {
    return this.store.listen(this.uid, 'incoming', this.uid, (calls) => onCalls(calls as CallRecord[]));
  }

  watchCall(callId: string, onChange: (call: CallRecord) => void): Unsubscribe {
    return this.store.listen(this.uid, 'call', callId, (call) => onChange(call as CallRecord));
  }

  confirmDelivery(callId: string): Promise<void> {
    return this.update(callId, { deliveredAt: this.store.now() });
  }

  accept(callId: string): Promise<void> {
    return this.update(callId, { state: 'accepted', acceptedAt: this.store.now() });
  }

  decline(callId: string, reason?: DeclineReason): Promise<void> {
    return this.close(callId, 'declined', reason);
  }

  cancel(callId: string, state: 'cancelled' | 'missed' = 'cancelled', reason?: MissedReason): Promise<void> {
    return this.close(callId, state, state === 'missed' ? reason : undefined);
  }

  end(callId: string, reason: string): Promise<void> {
    return this.close(callId, 'ended', reason);
  }

  sendSignal(callId: string, body: SignalBody): Promise<void> {
    const seq = (this.seqs.get(callId) ?? 0) + 1;
    this.seqs.set(callId, seq);
    const createdAt = this.store.now();
    const signal = { ...body, id: this.store.newId(), from: this.uid, seq, createdAt, expireAt: createdAt + this.store.signalTtlMs };
    return this.store.write(this.uid, { op: 'createSignal', callId, signal: JSON.parse(JSON.stringify(signal)) });
  }

  watchSignals(callId: string, onSignal: (signal: Signal) => void, onError: (error: SignalingError) => void): Unsubscribe {
    const call = this.store.getCall(callId);
    if (!call || (call.caller !== this.uid && call.callee !== this.uid)) {
      const error = new SignalingError('not-found', `Call ${callId} is not one of yours.`, callId);
      queueMicrotask(() => onError(error));
      return () => {};
    }
    const inbox = createSignalInbox({
      callId,
      self: this.uid,
      peer: call.caller === this.uid ? call.callee : call.caller,
      onSignal,
      onError,
      log: this.store.log,
    });
    const stop = this.store.listen(this.uid, 'signals', callId, (docs) => {
      for (const doc of docs as unknown[]) inbox.receive(doc);
    });
    return () => {
      inbox.close();
      stop();
    };
  }

  async callsForRecord(context: { recordType: string; recordId: string }): Promise<CallRecord[]> {
    const calls = this.store
      .dump()
      .flatMap((op) => (op.op === 'createCall' ? [op.call] : []))
      .filter(
        (c) =>
          (c.caller === this.uid || c.callee === this.uid) &&
          c.context?.recordType === context.recordType &&
          c.context?.recordId === context.recordId,
      );
    return calls.sort((a, b) => b.createdAt - a.createdAt);
  }

  private update(callId: string, patch: Partial<CallRecord>): Promise<void> {
    return this.store.write(this.uid, { op: 'updateCall', callId, patch });
  }

  /** Ends a call in `state`, recording when and why (the move's default reason when none is given). */
  private close(callId: string, state: CallDocState, reason?: string): Promise<void> {
    const endReason = reason ?? defaultEndReason(state);
    return this.update(callId, { state, endedAt: this.store.now(), ...(endReason === undefined ? {} : { endReason }) });
  }
}

/** Shorthand: a store plus one channel per uid. */
export function createMemorySignaling(
  uids: string[],
  options?: MemoryStoreOptions,
): { store: MemoryStore; channels: Record<string, SignalingChannel> } {
  const store = new MemoryStore(options);
  return { store, channels: Object.fromEntries(uids.map((uid) => [uid, store.channel(uid)])) };
}

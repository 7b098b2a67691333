/**
 * ⚠ DEMO TRANSPORT — NOT FOR PRODUCTION. ⚠
 *
 * Signaling between tabs of ONE browser over BroadcastChannel, so the demo page works
 * on a machine without Firebase or its emulator. Every tab keeps a replica of the
 * memory store (memory.ts) and relays its writes to the other tabs; a new tab asks the
 * others for their state. There is no server: no authentication (any script of the same
 * origin can read and write every call), no persistence, no ordering across tabs beyond
 * what BroadcastChannel gives, and it never leaves the browser. Incoming signals are still
 * validated (validate.ts) like with every adapter.
 */
import type { SignalingChannel } from './channel';
import { MemoryStore, type MemoryStoreOptions, type StoreOp } from './memory';

type BroadcastChannelLike = {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: { data: unknown }) => void) | null;
};
type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

export interface BroadcastStoreOptions extends MemoryStoreOptions {
  /** Channel name shared by the tabs. Default 'firecall-demo'. */
  name?: string;
  /** Defaults to the global BroadcastChannel. */
  BroadcastChannel?: BroadcastChannelConstructor;
}

export interface BroadcastStore {
  /** This tab's replica; `store.channel(uid)` gives a SignalingChannel. */
  store: MemoryStore;
  close(): void;
}

type Message = { kind: 'op'; op: StoreOp } | { kind: 'hello' } | { kind: 'state'; ops: StoreOp[] };

const OPS = new Set(['createCall', 'updateCall', 'createSignal']);

/** Only well-shaped ops are applied; signal contents are validated later by the inbox. */
function isStoreOp(value: unknown): value is StoreOp {
  if (typeof value !== 'object' || value === null) return false;
  const op = value as Record<string, unknown>;
  if (!OPS.has(op.op as string)) return false;
  if (op.op === 'createCall') {
    const call = op.call as Record<string, unknown> | null;
    return (
      typeof call === 'object' &&
      call !== null &&
      typeof call.id === 'string' &&
      typeof call.caller === 'string' &&
      typeof call.callee === 'string' &&
      typeof call.state === 'string'
    );
  }
  return typeof op.callId === 'string' && typeof (op.op === 'updateCall' ? op.patch : op.signal) === 'object';
}

/** One replica for this tab, kept in step with the other tabs. */
export function createBroadcastStore(options: BroadcastStoreOptions = {}): BroadcastStore {
  const { name = 'firecall-demo', BroadcastChannel: Channel, ...storeOptions } = options;
  const Ctor = Channel ?? (globalThis as { BroadcastChannel?: BroadcastChannelConstructor }).BroadcastChannel;
  if (!Ctor) throw new Error('BroadcastChannel is not available in this environment (demo transport).');
  const store = new MemoryStore(storeOptions);
  const channel = new Ctor(name);
  const post = (message: Message) => channel.postMessage(message);
  const stopRelay = store.onWrite((op) => post({ kind: 'op', op }));
  channel.onmessage = (event) => {
    const message = event.data as Message | null;
    try {
      if (message?.kind === 'op' && isStoreOp(message.op)) store.applyRemote(message.op);
      else if (message?.kind === 'hello') post({ kind: 'state', ops: store.dump() });
      else if (message?.kind === 'state' && Array.isArray(message.ops))
        for (const op of message.ops) if (isStoreOp(op)) store.applyRemote(op);
    } catch {
      /* a malformed message from another tab must not break this one */
    }
  };
  post({ kind: 'hello' });
  return {
    store,
    close() {
      stopRelay();
      channel.onmessage = null;
      channel.close();
    },
  };
}

const shared = new Map<string, BroadcastStore>();

/** The demo's SignalingChannel for `uid`; tabs with the same `name` see each other's calls. */
export function createBroadcastSignaling(uid: string, options: BroadcastStoreOptions = {}): SignalingChannel {
  const name = options.name ?? 'firecall-demo';
  let replica = shared.get(name);
  if (!replica) {
    replica = createBroadcastStore(options);
    shared.set(name, replica);
  }
  return replica.store.channel(uid);
}

/**
 * Signaling for the demo without a Firestore emulator: every page keeps its own
 * memory store (the engine's memory adapter) and relays its writes to the other pages.
 *   broadcast  BroadcastChannel between tabs of one browser profile
 *   harness    window hooks a test harness bridges (two isolated browser contexts)
 */
import type { SignalingChannel } from '../src/signaling/channel';
import { MemoryStore, type StoreOp } from '../src/signaling/memory';

export type RelayKind = 'broadcast' | 'harness';

type Message = { type: 'op'; op: StoreOp } | { type: 'hello' } | { type: 'seed'; ops: StoreOp[] };

interface Port {
  post(message: Message): void;
  subscribe(onMessage: (message: Message) => void): void;
}

declare global {
  interface Window {
    /** harness relay: the page calls this with each outgoing message (exposed by the test). */
    firecallRelayOut?: (message: Message) => void;
    /** harness relay: the test calls this with each message from the other page. */
    firecallRelayIn?: (message: Message) => void;
  }
}

function portFor(kind: RelayKind): Port {
  if (kind === 'broadcast') {
    const channel = new BroadcastChannel('firecall-demo');
    return {
      post: (message) => channel.postMessage(message),
      subscribe: (onMessage) => channel.addEventListener('message', (event) => onMessage(event.data as Message)),
    };
  }
  return {
    post: (message) => window.firecallRelayOut?.(message),
    subscribe: (onMessage) => {
      window.firecallRelayIn = onMessage;
    },
  };
}

/** A signaling channel for `uid` whose writes reach every other demo page. */
export function relayedSignaling(uid: string, kind: RelayKind): SignalingChannel {
  const store = new MemoryStore();
  const port = portFor(kind);
  port.subscribe((message) => {
    if (message.type === 'op') store.applyRemote(message.op);
    else if (message.type === 'seed') for (const op of message.ops) store.applyRemote(op);
    else if (message.type === 'hello') port.post({ type: 'seed', ops: store.dump() });
  });
  store.onWrite((op) => port.post({ type: 'op', op }));
  // A page that opens late learns the calls (and call logs) the others know.
  port.post({ type: 'hello' });
  return store.channel(uid);
}

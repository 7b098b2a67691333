/**
 * Browser side: the firecall engine (app/src/call) on a bare page, over the
 * memory signaling store. Each page runs its own store with the modeled
 * per-write latency; the Node harness relays every write to the other page's
 * store (`labStoreOp` out, `labApplyRemote` in), like Firestore between two
 * clients. TURN credentials come from Node (`labIceServers`), which gets them
 * from the `iceServers` callable.
 */
import { probe, now } from './probe';
import { createCallClient, type CallClient, type CallSessionApi, type CallSnapshot, type IceServerGrant } from '../../../app/src/call/index';
import { MemoryStore, type StoreOp } from '../../../app/src/signaling/memory';

export interface StateMark {
  at: number;
  state: string;
  reason: string | null;
}

export interface FirecallOutcome {
  click: number | null;
  marks: StateMark[];
  state: string | null;
  reason: string | null;
  message: string | null;
  timings: Record<string, number>;
  path: CallSnapshot['path'];
  error: string | null;
}

interface FirecallApi {
  setup(input: { uid: string; latencyMs: number }): void;
  /** Caller: the user clicks "call"; returns the click time (epoch ms). */
  call(callee: string): number;
  /** Callee: accept every incoming call as soon as it rings. */
  answerOnRing(): void;
  hangUp(): Promise<void>;
  outcome(): FirecallOutcome;
}

declare global {
  interface Window {
    labStoreOp(op: StoreOp): Promise<void>;
    labApplyRemote(op: StoreOp): void;
    labIceServers(): Promise<IceServerGrant>;
    firecall: FirecallApi;
  }
}

let store: MemoryStore | null = null;
let client: CallClient | null = null;
let session: CallSessionApi | null = null;
let click: number | null = null;
let error: string | null = null;
const marks: StateMark[] = [];

function label(snapshot: CallSnapshot): string {
  return snapshot.state === 'connecting' && snapshot.phase ? `connecting:${snapshot.phase}` : snapshot.state;
}

function follow(s: CallSessionApi): void {
  session = s;
  const mark = (snapshot: CallSnapshot) => {
    const state = label(snapshot);
    if (marks[marks.length - 1]?.state !== state) marks.push({ at: now(), state, reason: snapshot.reason });
  };
  mark(s.snapshot);
  s.on('state', mark);
  s.on('error', (e) => (error ??= `${e.name}: ${e.message}`));
}

const api: FirecallApi = {
  setup({ uid, latencyMs }) {
    store = new MemoryStore({ latencyMs });
    store.onWrite((op) => void window.labStoreOp(op).catch(() => undefined));
    client = createCallClient({
      signaling: store.channel(uid),
      iceServers: () => window.labIceServers(),
      prepareMediaOnRing: true,
      onPageHide: null,
    });
  },
  call(callee) {
    click = now();
    follow(client!.call({ callee, kind: 'video' }));
    return click;
  },
  answerOnRing() {
    client!.onIncoming((incoming) => {
      click ??= now();
      follow(incoming);
      void incoming.accept().catch((e: unknown) => (error ??= String(e)));
    });
  },
  async hangUp() {
    await session?.hangUp();
  },
  outcome() {
    const snapshot = session?.snapshot;
    return {
      click,
      marks: [...marks],
      state: snapshot?.state ?? null,
      reason: snapshot?.reason ?? null,
      message: snapshot?.message ?? null,
      timings: { ...(snapshot?.timings ?? {}) },
      path: snapshot?.path ? { ...snapshot.path } : null,
      error,
    };
  },
};

window.labApplyRemote = (op) => store?.applyRemote(op);
window.firecall = api;
void probe;

/**
 * Browser side: the firecall engine (app/src/call) on a bare page, over the
 * memory signaling store. Each page runs its own store with the modeled
 * per-write latency; the Node harness relays every write to the other page's
 * store as it is sent (`labStoreOp` out, `labApplyRemote` in), where it lands at
 * the same modeled time as on its own page (no relay time on top), like Firestore between two
 * clients. TURN credentials come from Node (`labIceServers`), which gets them
 * from the `iceServers` callable.
 */
import { probe, now, show, showTracksOfConnections } from './probe';
import {
  createCallClient,
  type CallClient,
  type CallSessionApi,
  type CallSnapshot,
  type CallTimeouts,
  type IceServerGrant,
} from '../../../app/src/call/index';
import { MemoryStore, type SentWrite } from '../../../app/src/signaling/memory';
import type { CallRecord } from '../../../app/src/signaling/channel';

export interface StateMark {
  at: number;
  state: string;
  reason: string | null;
  /** What the screen said with it (why the call ended). */
  message: string | null;
  /** While reconnecting: whose connection the screen last said dropped ('own' or 'peer'), if the engine says. */
  dropped: string | null;
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
  /** `timeouts` shortens the engine's waits where a test cannot sit through the product's (e.g. the reconnect deadline). */
  setup(input: { uid: string; latencyMs: number; timeouts?: Partial<CallTimeouts> }): void;
  /** Caller: the user clicks "call"; returns the click time (epoch ms). */
  call(callee: string, kind?: 'video' | 'voice'): number;
  /** Callee: accept every incoming call as soon as it rings. */
  answerOnRing(): void;
  hangUp(): Promise<void>;
  outcome(): FirecallOutcome;
  /** This page's signaling goes offline (writes queue, listeners pause) or comes back, as Firestore's client does. */
  setOnline(online: boolean): void;
  /** The call document as this page's store holds it (the call log entry), once there is a call. */
  record(): CallRecord | null;
  /** The next ring takes this page's signaling offline at that very moment (bring it back with setOnline). */
  offlineOnRing(): void;
  /** The engine's recent log lines, each prefixed with its time (epoch ms), for diagnosing a failed test. */
  logs(): string[];
  /** This page's store writes that landed so far (what Firestore would bill). */
  writes(): number;
}

declare global {
  interface Window {
    labStoreOp(write: SentWrite): Promise<void>;
    labApplyRemote(write: SentWrite): void;
    labIceServers(): Promise<IceServerGrant>;
    firecall: FirecallApi;
  }
}

let store: MemoryStore | null = null;
let uid: string | null = null;
let client: CallClient | null = null;
let session: CallSessionApi | null = null;
let click: number | null = null;
/** This page's writes that landed (refused ones are not billed). */
let writes = 0;
let offlineOnRing = false;
let error: string | null = null;
const marks: StateMark[] = [];
const logLines: string[] = [];

function label(snapshot: CallSnapshot): string {
  return snapshot.state === 'connecting' && snapshot.phase ? `connecting:${snapshot.phase}` : snapshot.state;
}

function follow(s: CallSessionApi): void {
  session = s;
  const dropped = (snapshot: CallSnapshot) => snapshot.droppedConnection ?? null;
  const mark = (snapshot: CallSnapshot) => {
    const state = label(snapshot);
    if (marks[marks.length - 1]?.state !== state)
      marks.push({ at: now(), state, reason: snapshot.reason, message: snapshot.message, dropped: dropped(snapshot) });
  };
  mark(s.snapshot);
  s.on('state', mark);
  traceVideoWhileReconnecting(s);
  let shown = '';
  s.on('change', (snapshot) => {
    // The quality the user is shown goes into the trace too: a picture may wait on it after an outage.
    const quality = `quality ${snapshot.quality ?? '-'}${snapshot.videoPausedForBandwidth ? ', our video paused' : ''}${snapshot.peerVideoPaused ? ', peer video paused' : ''}`;
    if (quality !== shown) logLines.push(`${Math.round(now())} info lab:shown ${(shown = quality)}`);
    // Remote media is shown the way the product's elements get it: from the engine's snapshot.
    snapshot.remoteStream?.getTracks().forEach(show);
    // Whose connection dropped may be learnt after reconnecting began: the mark keeps the latest.
    const last = marks[marks.length - 1];
    if (last && last.state === label(snapshot) && snapshot.state === 'reconnecting') last.dropped = dropped(snapshot) ?? last.dropped;
  });
  s.on('error', (e) => (error ??= `${e.name}: ${e.message}`));
}

/** While reconnecting and for 4 s after, the video counters go into the log every 200 ms: what the picture waits for. */
function traceVideoWhileReconnecting(s: CallSessionApi): void {
  let until = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  s.on('state', (snapshot) => {
    if (snapshot.state === 'reconnecting') until = Infinity;
    else if (until === Infinity) until = now() + 4_000;
    if (snapshot.state === 'ended' || snapshot.state === 'failed') until = 0;
    if (until > now() && !timer)
      timer = setInterval(() => {
        if (now() > until && timer) return void (clearInterval(timer), (timer = null));
        void window.probe.videoCounters().then((line) => logLines.push(`${Math.round(now())} debug lab:video ${line}`));
      }, 200);
  });
}

const api: FirecallApi = {
  setup({ uid: me, latencyMs, timeouts }) {
    uid = me;
    store = new MemoryStore({ latencyMs });
    store.onSend((write) => void window.labStoreOp(write).catch(() => undefined));
    store.onWrite(() => (writes += 1));
    client = createCallClient({
      signaling: store.channel(me),
      iceServers: () => window.labIceServers(),
      prepareMediaOnRing: true,
      quality: true, // as the product's elements run the engine (app/src/configure.ts)
      onPageHide: null,
      ...(timeouts ? { timeouts } : {}),
      log: (level, name, message) => {
        logLines.push(`${Math.round(now())} ${level} ${name} ${message}`);
        if (logLines.length > 400) logLines.shift();
      },
    });
  },
  call(callee, kind = 'video') {
    click = now();
    follow(client!.call({ callee, kind }));
    return click;
  },
  answerOnRing() {
    client!.onIncoming((incoming) => {
      click ??= now();
      if (offlineOnRing) {
        offlineOnRing = false;
        store!.setOnline(uid!, false);
      }
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
  setOnline(online) {
    store?.setOnline(uid!, online);
  },
  offlineOnRing() {
    offlineOnRing = true;
  },
  logs() {
    return [...logLines];
  },
  writes() {
    return writes;
  },
  record() {
    const callId = session?.snapshot.callId;
    return (callId && store?.getCall(callId)) || null;
  },
};

showTracksOfConnections(false);
window.labApplyRemote = (write) => store?.applyRelayedWrite(write);
window.firecall = api;
void probe;

/**
 * Test support (not part of the engine): real WebRTC in Node via @roamhq/wrtc,
 * fake camera and microphone from its nonstandard sources, and helpers to build
 * call clients over one memory store.
 */
import wrtc from '@roamhq/wrtc';
import { MemoryStore, type MemoryStoreOptions } from '../../signaling/memory';
import { createCallClient, type CallClient, type CallClientOptions } from '../client';
import type { MediaDevicesLike } from '../media';
import type { CallSessionApi, CallSnapshot, CallState, IceServerProvider } from '../types';
import type { CallKind, SignalingChannel } from '../../signaling/channel';

const { nonstandard } = wrtc as unknown as {
  nonstandard: {
    RTCVideoSource: new () => {
      createTrack(): MediaStreamTrack;
      onFrame(frame: { width: number; height: number; data: Uint8ClampedArray }): void;
    };
    RTCAudioSource: new () => { createTrack(): MediaStreamTrack; onData(data: object): void };
  };
};
export const RTCPeerConnection = wrtc.RTCPeerConnection as unknown as new (config?: RTCConfiguration) => RTCPeerConnection;
export const MediaStream = wrtc.MediaStream as unknown as new (tracks?: MediaStreamTrack[]) => MediaStream;

/** Fake devices that pump small frames; `paused` stops all media (a dead camera or link). */
export class FakeDevices implements MediaDevicesLike {
  paused = false;
  calls = 0;
  deny: string | null = null;
  private readonly timers = new Set<ReturnType<typeof setInterval>>();
  private readonly tracks = new Set<MediaStreamTrack>();

  /** A slow camera start (ms), like a real one on a busy machine. */
  delayMs = 0;

  async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    this.calls += 1;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.deny) throw Object.assign(new Error('denied by test'), { name: this.deny });
    const tracks: MediaStreamTrack[] = [];
    if (constraints.audio) tracks.push(this.audio());
    if (constraints.video) tracks.push(this.video());
    return new MediaStream(tracks);
  }

  async getDisplayMedia(): Promise<MediaStream> {
    return new MediaStream([this.video()]);
  }

  stopAll(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    for (const track of this.tracks) track.stop();
    this.tracks.clear();
  }

  private video(): MediaStreamTrack {
    const source = new nonstandard.RTCVideoSource();
    const width = 64;
    const height = 48;
    const data = new Uint8ClampedArray(width * height * 1.5);
    let n = 0;
    this.timers.add(
      setInterval(() => {
        if (this.paused) return;
        data[0] = n++ % 255; // changing content so the encoder keeps sending
        source.onFrame({ width, height, data });
      }, 100),
    );
    return this.keep(source.createTrack());
  }

  private audio(): MediaStreamTrack {
    const source = new nonstandard.RTCAudioSource();
    const samples = new Int16Array(480);
    this.timers.add(
      setInterval(() => {
        if (this.paused) return;
        for (let i = 0; i < 2; i++) source.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
      }, 20),
    );
    return this.keep(source.createTrack());
  }

  private keep(track: MediaStreamTrack): MediaStreamTrack {
    this.tracks.add(track);
    return track;
  }
}

/** Host candidates only: a grant without TURN that never expires during a test. */
export const noTurn: IceServerProvider = async () => ({ iceServers: [], expiresAt: Date.now() + 3_600_000 });

export interface Phone {
  uid: string;
  client: CallClient;
  devices: FakeDevices;
  logs: string[];
}

/** A client over `signaling` with node WebRTC, fake devices and no TURN; the caller disposes both. */
export function createTestClient(
  signaling: SignalingChannel,
  options: Partial<CallClientOptions> = {},
): { client: CallClient; devices: FakeDevices } {
  const devices = new FakeDevices();
  const client = createCallClient({
    signaling,
    iceServers: noTurn,
    mediaDevices: devices,
    RTCPeerConnection,
    MediaStream,
    onPageHide: null,
    onNetworkChange: null,
    ...options,
  });
  return { client, devices };
}

/** The same channel as a host adapter written before delivery receipts existed. */
export function withoutReceipts(channel: SignalingChannel): SignalingChannel {
  return new Proxy(channel, {
    get(target, key) {
      if (key === 'confirmDelivery') return undefined;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Builds one client per uid over one store; call `hangUpAll` in afterEach. */
export function createPhones(uids: string[], storeOptions: MemoryStoreOptions = {}, clientOptions: Partial<CallClientOptions> = {}) {
  const storeLogs: string[] = [];
  const store = new MemoryStore({ log: (line) => storeLogs.push(line), ...storeOptions });
  const phones: Record<string, Phone> = {};
  for (const uid of uids) {
    const logs: string[] = [];
    const { client, devices } = createTestClient(store.channel(uid), {
      log: (level, name, message) => logs.push(`${level} ${name} ${message}`),
      ...clientOptions,
      timeouts: { statsIntervalMs: 100, ...clientOptions.timeouts },
    });
    phones[uid] = { uid, client, devices, logs };
  }
  const dispose = () => {
    for (const phone of Object.values(phones)) {
      phone.client.dispose();
      phone.devices.stopAll();
    }
  };
  return { store, storeLogs, phones, dispose };
}

/** Resolves with the snapshot once `session` reaches `state` (rejects if it ends otherwise). */
export function reach(session: CallSessionApi, state: CallState, timeoutMs = 15_000): Promise<CallSnapshot> {
  return new Promise((resolve, reject) => {
    const check = (snap: CallSnapshot) => {
      if (snap.state === state) {
        done();
        resolve(snap);
      } else if (snap.state === 'ended' || snap.state === 'failed') {
        done();
        reject(new Error(`expected ${state}, call ${snap.state} (${snap.reason}: ${snap.detail ?? ''})`));
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${state}; still ${session.snapshot.state}:${session.snapshot.phase ?? ''}`));
    }, timeoutMs);
    const stop = session.on('state', check);
    const done = () => {
      clearTimeout(timer);
      stop();
    };
    check(session.snapshot);
  });
}

/** The next incoming session on `client`. */
export function nextIncoming(client: CallClient): Promise<CallSessionApi> {
  return new Promise((resolve) => {
    const stop = client.onIncoming((session) => {
      stop();
      resolve(session);
    });
  });
}

/** alice calls bob, bob answers on ring; resolves once both sides are connected. */
export async function connectCall(
  phones: Record<string, Phone>,
  kind: CallKind = 'video',
): Promise<{ caller: CallSessionApi; callee: CallSessionApi }> {
  const incoming = nextIncoming(phones.bob!.client);
  const caller = phones.alice!.client.call({ callee: 'bob', kind });
  const callee = await incoming;
  void callee.accept();
  await Promise.all([reach(caller, 'connected'), reach(callee, 'connected')]);
  return { caller, callee };
}

/** Total inbound RTP bytes on a session's peer connection (proves media flows). */
export async function inboundBytes(session: CallSessionApi): Promise<number> {
  const pc = (session as unknown as { link: { pc: RTCPeerConnection } | null }).link?.pc;
  if (!pc) return 0;
  const stats = await pc.getStats();
  let total = 0;
  stats.forEach((stat: { type: string; bytesReceived?: number }) => {
    if (stat.type === 'inbound-rtp') total += stat.bytesReceived ?? 0;
  });
  return total;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The track a session currently sends for `kind` (what the peer sees). */
export function sentTrack(session: CallSessionApi, kind: 'audio' | 'video'): MediaStreamTrack | null {
  const pc = (session as unknown as { link: { pc: RTCPeerConnection } | null }).link?.pc;
  return pc?.getSenders().find((s) => s.track?.kind === kind)?.track ?? null;
}

/** Waits until a call's signaling goes quiet (late candidates written), so counts and forged seqs are stable. */
export async function settle(store: MemoryStore, callId: string): Promise<void> {
  for (let count = -1; count !== store.costOf(callId).writes;) {
    count = store.costOf(callId).writes;
    await sleep(300);
  }
}

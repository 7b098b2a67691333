/**
 * A scripted stand-in for the call engine, for element tests and the element
 * fixture page: tests push snapshots and read back what the user asked for.
 */
import type { CallClientApi, CallEvents, CallSessionApi, CallSnapshot } from '../../call/types';
import type { CallKind, CrmContext } from '../../signaling/channel';
import { idleSnapshot } from '../../call/snapshot';

type Listeners = { [K in keyof CallEvents]: Set<CallEvents[K]> };

export function baseSnapshot(partial: Partial<CallSnapshot> = {}): CallSnapshot {
  return { ...idleSnapshot({ callId: 'call-1', direction: 'outgoing', kind: 'video', peer: 'ana' }), ...partial };
}

export class FakeSession implements CallSessionApi {
  snapshot: CallSnapshot;
  /** What the user asked for, in order: 'accept', 'mute:true', 'device:videoinput:cam2'... */
  readonly requests: string[] = [];
  private readonly listeners: Listeners = { state: new Set(), change: new Set(), ended: new Set(), error: new Set() };

  constructor(snapshot: CallSnapshot) {
    this.snapshot = snapshot;
  }

  on<K extends keyof CallEvents>(event: K, listener: CallEvents[K]): () => void {
    (this.listeners[event] as Set<CallEvents[K]>).add(listener);
    return () => (this.listeners[event] as Set<CallEvents[K]>).delete(listener);
  }

  /** Moves the fake call on, firing the events the real engine would. */
  push(partial: Partial<CallSnapshot>): void {
    const before = this.snapshot;
    this.snapshot = { ...before, ...partial };
    const stateChanged = before.state !== this.snapshot.state || before.phase !== this.snapshot.phase;
    if (stateChanged) for (const l of this.listeners.state) l(this.snapshot);
    for (const l of this.listeners.change) l(this.snapshot);
    if (stateChanged && (this.snapshot.state === 'ended' || this.snapshot.state === 'failed')) {
      for (const l of this.listeners.ended) l(this.snapshot);
    }
  }

  fail(error: Error): void {
    for (const l of this.listeners.error) l(error);
  }

  async accept(): Promise<void> {
    this.requests.push('accept');
    this.push({ state: 'connecting', phase: 'signaling' });
  }

  async decline(): Promise<void> {
    this.requests.push('decline');
    this.push({ state: 'ended', reason: 'declined' });
  }

  async hangUp(): Promise<void> {
    this.requests.push('hangUp');
    this.push({ state: 'ended', reason: 'hung-up' });
  }

  setMuted(muted: boolean): void {
    this.requests.push(`mute:${muted}`);
    this.push({ muted });
  }

  setCameraOff(off: boolean): void {
    this.requests.push(`camera-off:${off}`);
    this.push({ cameraOff: off });
  }

  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    this.requests.push(`device:${kind}:${deviceId}`);
  }

  async startScreenShare(): Promise<void> {
    this.requests.push('share:start');
    this.push({ screenSharing: true });
  }

  async stopScreenShare(): Promise<void> {
    this.requests.push('share:stop');
    this.push({ screenSharing: false });
  }
}

export class FakeCallClient implements CallClientApi {
  readonly sessions: FakeSession[] = [];
  readonly placed: Array<{ callee: string; kind: CallKind; context?: CrmContext }> = [];
  private readonly incoming = new Set<(session: CallSessionApi) => void>();

  constructor(readonly uid = 'ben') {}

  call(input: { callee: string; kind: CallKind; context?: CrmContext }): FakeSession {
    this.placed.push(input);
    const session = new FakeSession(
      baseSnapshot({
        callId: `call-${this.sessions.length + 1}`,
        kind: input.kind,
        peer: input.callee,
        state: 'requesting-media',
        ...(input.context ? { context: input.context } : {}),
      }),
    );
    this.sessions.push(session);
    return session;
  }

  onIncoming(listener: (session: CallSessionApi) => void): () => void {
    this.incoming.add(listener);
    return () => this.incoming.delete(listener);
  }

  private readonly watchErrors = new Set<(error: Error | null) => void>();

  onIncomingError(listener: (error: Error | null) => void): () => void {
    this.watchErrors.add(listener);
    return () => this.watchErrors.delete(listener);
  }

  /** Incoming calls cannot be watched (error) or can again (null), as the real client reports it. */
  watchFails(error: Error | null): void {
    for (const listener of [...this.watchErrors]) listener(error);
  }

  /** Rings this user as if `from` called. */
  ring(from: string, kind: CallKind = 'video', context?: CrmContext): FakeSession {
    const session = new FakeSession(
      baseSnapshot({
        callId: `in-${this.sessions.length + 1}`,
        direction: 'incoming',
        kind,
        peer: from,
        state: 'ringing',
        ...(context ? { context } : {}),
      }),
    );
    this.sessions.push(session);
    for (const l of this.incoming) l(session);
    return session;
  }

  get last(): FakeSession | undefined {
    return this.sessions[this.sessions.length - 1];
  }

  dispose(): void {
    this.incoming.clear();
  }
}

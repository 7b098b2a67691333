/**
 * CallSession: one call, outgoing or incoming, as a typed state machine.
 *
 *   idle -> requesting-media -> ringing -> connecting(signaling|checking|relaying)
 *        -> connected <-> reconnecting ; any -> ended(reason) | failed(reason)
 *
 * All state changes go through `setState`, which times the phase it leaves and emits.
 * The session talks to signaling only through the SignalingChannel port, and to the
 * network only through the injected RTCPeerConnection.
 */
import {
  SignalingError,
  type CallDocState,
  type CallKind,
  type CallRecord,
  type CrmContext,
  type Signal,
  type SignalingChannel,
} from '../signaling/channel';
import { Timer, type Clock } from './clock';
import { CallError, isFailure, reasonMessage } from './errors';
import type { IceServerCache } from './ice-servers';
import type { Logger } from './logger';
import { LocalMedia, type MediaDevicesLike } from './media';
import { PeerLink, type PeerConnectionConstructor } from './negotiation';
import { mediaAllowedWithoutPrompt, type PermissionsLike } from './permissions';
import { Reconnector } from './reconnector';
import { idleSnapshot } from './snapshot';
import type { CallTimeouts } from './timeouts';
import type {
  CallEvents,
  CallPath,
  CallReason,
  CallSessionApi,
  CallSnapshot,
  CallState,
  ConnectingPhase,
  Direction,
  QualityLevel,
} from './types';
import { MediaWatchdog } from './watchdog';

export { DEFAULT_TIMEOUTS, type CallTimeouts } from './timeouts';

/** How long past the ring time a callee waits for a silent caller before it stops ringing. */
const CALLER_SILENT_GRACE_MS = 5_000;

/**
 * Seam for the ABR controller (app/src/call/quality): started when the call connects,
 * stopped when it ends; publishes into `snapshot.quality`, `videoPausedForBandwidth` and `peerVideoPaused`.
 */
export type QualityMonitorFactory = (
  pc: RTCPeerConnection,
  // peerVideoPaused is optional: monitors written before it existed still fit.
  publish: (update: { quality: QualityLevel; videoPausedForBandwidth: boolean; peerVideoPaused?: boolean }) => void,
) => { stop(): void };

/** How every call's connection is configured (the client's warm line makes its connection the same way). */
export function connectionConfiguration(
  iceServers: RTCIceServer[],
  iceTransportPolicy: RTCIceTransportPolicy | undefined,
): RTCConfiguration {
  // max-bundle: one transport, so one set of candidates to gather and send.
  return { iceServers, bundlePolicy: 'max-bundle', ...(iceTransportPolicy ? { iceTransportPolicy } : {}) };
}

export interface SessionDeps {
  signaling: SignalingChannel;
  ice: IceServerCache;
  clock: Clock;
  mediaDevices: MediaDevicesLike | undefined;
  /** Tells whether starting media will prompt the user (absent: assume it will not). */
  permissions?: PermissionsLike | null | undefined;
  RTCPeerConnection: PeerConnectionConstructor;
  MediaStream: (new (tracks?: MediaStreamTrack[]) => MediaStream) | undefined;
  timeouts: CallTimeouts;
  log: Logger;
  iceTransportPolicy: RTCIceTransportPolicy | undefined;
  prepareMediaOnRing: boolean;
  quality: QualityMonitorFactory | undefined;
  /** Rewrites the peer's SDP before it is applied (e.g. Opus FEC/DTX for ABR). */
  mungeRemoteSdp: ((sdp: string) => string) | undefined;
  /** The client's bookkeeping (glare, page hide); called once when the call is over. */
  onFinished: (session: CallSession) => void;
}

export interface SessionInit {
  direction: Direction;
  peer: string;
  kind: CallKind;
  context?: CrmContext;
  record?: CallRecord;
}

type Listeners = { [K in keyof CallEvents]: Set<CallEvents[K]> };

const TERMINAL: ReadonlySet<CallState> = new Set(['ended', 'failed']);

export class CallSession implements CallSessionApi {
  private snap: CallSnapshot;
  private readonly listeners: Listeners = { state: new Set(), change: new Set(), ended: new Set(), error: new Set() };
  private readonly media: LocalMedia;
  private readonly log: Logger;
  private record: CallRecord | null = null;
  /** Last known state of the call document (ours optimistically after our own write). */
  private docState: CallDocState | null = null;
  /**
   * This session answered the call. The callee may have several tabs open, each ringing its
   * own session: only the one that answered may end the call document.
   */
  private acceptedHere = false;
  private link: PeerLink | null = null;
  private watchdog: MediaWatchdog | null = null;
  private recovery: Reconnector | null = null;
  private quality: { stop(): void } | null = null;
  private unwatch: (() => void)[] = [];
  private pendingSignals: Signal[] = [];
  private phaseStartedAt: number;
  private readonly startedAt: number;
  /** Set when a glare merge hands this session the peer's call. */
  private adopted: CallRecord | null = null;
  /** ICE failed before the call ever connected and one fresh try was made. */
  private setupRestarted = false;
  private readonly timers: Record<'ring' | 'reach' | 'noRoute' | 'relayHint' | 'connect', Timer>;

  constructor(
    private readonly deps: SessionDeps,
    init: SessionInit,
  ) {
    this.log = deps.log;
    this.media = new LocalMedia(deps.mediaDevices);
    this.startedAt = this.phaseStartedAt = deps.clock.now();
    const timer = () => new Timer(deps.clock);
    this.timers = { ring: timer(), reach: timer(), noRoute: timer(), relayHint: timer(), connect: timer() };
    this.snap = Object.freeze(
      idleSnapshot({ callId: init.record?.id ?? null, direction: init.direction, kind: init.kind, peer: init.peer, context: init.context }),
    );
    if (init.record) {
      this.record = init.record;
      this.docState = init.record.state;
    }
  }

  get snapshot(): CallSnapshot {
    return this.snap;
  }

  get isOver(): boolean {
    return TERMINAL.has(this.snap.state);
  }

  on<K extends keyof CallEvents>(event: K, listener: CallEvents[K]): () => void {
    const set = this.listeners[event] as Set<CallEvents[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  // ---- outgoing --------------------------------------------------------------------

  /**
   * @internal Started by CallClient.call(). The camera starts while the call document and
   * the offer go out (the offer carries sendrecv slots the tracks fill later), so the
   * callee rings one signaling hop after the click instead of after camera + two hops.
   */
  async placeCall(): Promise<void> {
    this.setState('requesting-media');
    const media = this.acquireMedia();
    const [grant, allowed] = await Promise.all([this.fetchIceServers(), mediaAllowedWithoutPrompt(this.deps.permissions, this.snap.kind)]);
    if (!grant || this.isOver) return;
    // The browser is asking the user for the camera: ring only once they allowed it.
    if (!allowed && !(await media)) return;
    if (this.isOver) return;
    if (this.adopted) return this.answerAdopted();
    const signaling = this.deps.signaling;
    const { peer, kind, context } = this.snap;
    const id = signaling.newCallId();
    const created = signaling.startCall({ id, callee: peer!, kind, ...(context ? { context } : {}) });
    // Optimistic, like Firestore's own cache: the offer and candidates queue behind the create,
    // and hanging up now queues the cancel behind it too.
    this.record = {
      id,
      caller: signaling.uid,
      callee: peer!,
      kind,
      state: 'ringing',
      createdAt: this.deps.clock.now(),
      ...(context ? { context } : {}),
    };
    this.docState = 'ringing';
    this.patch({ callId: id });
    this.openLink(false, media, grant.iceServers);
    let record: CallRecord;
    try {
      record = await created;
    } catch (error) {
      if (!this.adopted) this.fail(signalingReason(error), `could not start the call: ${(error as Error)?.message}`);
      return;
    }
    // Hung up, failed, or merged with the peer's call while the document was being created.
    if (this.isOver || this.adopted) return;
    this.record = record;
    this.log.info(`calling ${record.callee} (call ${record.id})`);
    // "Calling Ana" until a device of hers confirms the call; without receipts, "Ringing" at once.
    if (signaling.confirmDelivery) {
      this.patch({ reachingPeer: true });
      this.timers.reach.start(this.deps.timeouts.reachMs, () =>
        this.finishLocal('unavailable', `no device of the callee confirmed the call within ${this.deps.timeouts.reachMs} ms`),
      );
    }
    this.setState('ringing');
    this.timers.ring.start(this.deps.timeouts.ringMs, () => this.finishLocal('no-answer'));
    // Listening needs the document to exist (the rules read it), so only now.
    this.watchDocument(record.id);
    this.watchPeerSignals(record.id);
  }

  /**
   * @internal Glare: both users called each other at once. The call placed by the
   * smaller uid survives; the other caller's session drops its own call and answers
   * the surviving one, so exactly one call results and both sides agree without talking.
   */
  adoptIncoming(record: CallRecord): boolean {
    if (this.isOver || this.snap.direction !== 'outgoing' || this.adopted) return false;
    if (this.snap.state !== 'idle' && this.snap.state !== 'requesting-media' && this.snap.state !== 'ringing') return false;
    this.log.info(`glare with ${record.caller}: answering their call ${record.id}`);
    this.adopted = record;
    if (this.record) {
      const own = this.record.id;
      this.deps.signaling.cancel(own).catch((error) => this.log.warn(`cancel of own call failed: ${error?.message}`));
      this.detachCall();
      this.answerAdopted();
    }
    return true;
  }

  private answerAdopted(): void {
    const record = this.adopted!;
    this.record = record;
    this.docState = 'ringing';
    this.patch({ callId: record.id, direction: 'incoming' });
    this.watchDocument(record.id);
    this.watchPeerSignals(record.id);
    void this.answer();
  }

  // ---- incoming --------------------------------------------------------------------

  /** @internal Started by CallClient for a new ringing call. */
  ring(): void {
    const record = this.record!;
    this.setState('ringing');
    // The caller marks the call missed after ringMs; if its browser died first, nobody will.
    // Stop ringing here a little later (local time: the caller's clock may be off).
    this.timers.ring.start(this.deps.timeouts.ringMs + CALLER_SILENT_GRACE_MS, () => {
      this.log.info('the caller never ended the ringing call: stopping');
      this.finishRemote('cancelled');
    });
    this.watchDocument(record.id);
    this.watchPeerSignals(record.id);
    // Credentials (and, if allowed, the camera) get ready while the user decides.
    void this.deps.ice.get().catch((error) => this.log.warn(`ICE servers prefetch failed: ${error?.message}`));
    if (this.deps.prepareMediaOnRing) void this.media.acquire(this.snap.kind).catch(() => undefined);
  }

  async accept(): Promise<void> {
    if (this.snap.direction !== 'incoming' || this.snap.state !== 'ringing' || this.adopted) {
      this.log.warn(`accept() ignored in state ${this.snap.state}`);
      return;
    }
    await this.answer();
  }

  async decline(): Promise<void> {
    if (this.snap.direction !== 'incoming' || this.snap.state !== 'ringing') {
      this.log.warn(`decline() ignored in state ${this.snap.state}`);
      return;
    }
    this.finishLocal('declined');
  }

  /** Answers before the camera is up: the answer offers to send, and the tracks follow. */
  private async answer(): Promise<void> {
    this.setState('requesting-media');
    const media = this.acquireMedia();
    const grant = await this.fetchIceServers();
    if (!grant || this.isOver) return;
    const callId = this.record!.id;
    this.timers.ring.stop();
    this.docState = 'accepted';
    this.acceptedHere = true;
    this.deps.signaling.accept(callId).catch((error) => {
      // Refused because the caller cancelled meanwhile: that is the story to tell.
      if (error instanceof SignalingError && error.reason === 'invalid-transition') this.finishRemote('cancelled');
      else this.fail(signalingReason(error), `could not accept: ${(error as Error)?.message}`);
    });
    this.setState('connecting', 'signaling');
    this.timers.connect.start(this.deps.timeouts.connectMs, () => this.fail('timeout', 'not connected in time'));
    this.openLink(true, media, grant.iceServers);
  }

  // ---- both sides ------------------------------------------------------------------

  async hangUp(): Promise<void> {
    if (this.isOver) return;
    const { state, direction } = this.snap;
    if (direction === 'incoming' && state === 'ringing') return this.finishLocal('declined');
    if (this.docState === 'accepted') return this.finishLocal('hung-up');
    this.finishLocal(direction === 'outgoing' ? 'cancelled' : 'declined');
  }

  /** @internal The page is going away: tell the peer at once, without waiting. */
  leave(): void {
    if (!this.isOver) void this.hangUp();
  }

  setMuted(muted: boolean): void {
    this.media.setMuted(muted);
    this.patch({ muted });
  }

  setCameraOff(off: boolean): void {
    this.media.setCameraOff(off);
    this.patch({ cameraOff: off });
  }

  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    try {
      const track = await this.media.switchDevice(kind, deviceId);
      if (track && this.link) await this.link.replaceTrack(track.kind as 'audio' | 'video', track);
      this.patch({});
    } catch (error) {
      this.report(error);
      throw error;
    }
  }

  async startScreenShare(): Promise<void> {
    try {
      const track = await this.media.startScreen(() => void this.stopScreenShare());
      if (this.link) await this.link.replaceTrack('video', track);
      this.patch({ screenSharing: true });
    } catch (error) {
      this.report(error);
      throw error;
    }
  }

  async stopScreenShare(): Promise<void> {
    if (!this.media.sharingScreen) return;
    const camera = this.media.stopScreen();
    if (this.link) await this.link.replaceTrack('video', camera).catch((error) => this.report(error));
    this.patch({ screenSharing: false });
  }

  // ---- wiring --------------------------------------------------------------------

  private async acquireMedia(): Promise<MediaStream | null> {
    try {
      const stream = await this.media.acquire(this.snap.kind);
      if (this.isOver) {
        this.media.stop();
        return null;
      }
      this.patch({ localStream: stream });
      return stream;
    } catch (error) {
      const callError = error instanceof CallError ? error : new CallError('media-unavailable', undefined, String(error));
      this.fail(callError.reason, callError.detail ?? callError.message);
      return null;
    }
  }

  private async fetchIceServers(): Promise<{ iceServers: RTCIceServer[] } | null> {
    try {
      return await this.deps.ice.get();
    } catch (error) {
      this.fail(signalingReason(error), `could not get ICE servers: ${(error as Error)?.message}`);
      return null;
    }
  }

  private watchDocument(callId: string): void {
    this.unwatch.push(
      this.deps.signaling.watchCall(
        callId,
        (call) => this.onDocument(call),
        (error) => this.fail(signalingReason(error), error.message),
      ),
    );
  }

  private watchPeerSignals(callId: string): void {
    this.unwatch.push(
      this.deps.signaling.watchSignals(
        callId,
        (signal) => this.onSignal(signal),
        (error) => this.fail(error.reason === 'bad-signal' ? 'bad-signal' : signalingReason(error), error.message),
      ),
    );
  }

  private onDocument(call: CallRecord): void {
    if (this.isOver || call.id !== this.record?.id) return;
    this.record = call;
    const previous = this.docState;
    this.docState = call.state;
    const outgoing = this.snap.direction === 'outgoing';
    if (!outgoing && !this.acceptedHere && call.state !== 'ringing') {
      // Answered or declined in another tab of ours (or cancelled, or busy): stop ringing here, write nothing.
      if (call.state === 'accepted') return this.finish('answered-elsewhere', 'answered in another tab');
      return this.finish(ringingOutcome(call), call.state === 'declined' ? 'declined in another tab' : undefined);
    }
    if (outgoing && call.state === 'ringing' && call.deliveredAt !== undefined) this.peerReached();
    switch (call.state) {
      case 'accepted':
        if (outgoing && previous === 'ringing') this.onAccepted();
        break;
      case 'declined':
        if (outgoing) this.finishRemote(ringingOutcome(call));
        break;
      case 'cancelled':
      case 'missed':
        if (!outgoing) this.finishRemote(ringingOutcome(call));
        break;
      case 'ended':
        this.finishRemote(sharedFailure(call.endReason) ?? 'peer-left');
        break;
    }
  }

  /** A device of the callee confirmed the call: it rings there. */
  private peerReached(): void {
    if (!this.snap.reachingPeer) return;
    this.timers.reach.stop();
    this.patch({ reachingPeer: false });
  }

  private onAccepted(): void {
    if (this.snap.state !== 'ringing') return;
    this.docState = 'accepted';
    this.peerReached();
    this.timers.ring.stop();
    this.setState('connecting', 'signaling');
    this.timers.connect.start(this.deps.timeouts.connectMs, () => this.fail('timeout', 'not connected in time'));
    this.onLinkState();
  }

  private onSignal(signal: Signal): void {
    if (this.isOver) return;
    if (signal.type === 'bye') {
      this.log.info(`peer said bye${signal.reason ? ` (${signal.reason})` : ''}`);
      return this.finishRemote(
        this.docState === 'ringing' && this.snap.direction === 'incoming' ? 'cancelled' : (sharedFailure(signal.reason) ?? 'peer-left'),
      );
    }
    if (signal.type === 'description' && signal.description.type === 'offer') this.recovery?.peerRestarting();
    if (this.link) void this.link.handleSignal(signal);
    else this.pendingSignals.push(signal);
  }

  private openLink(polite: boolean, media: Promise<MediaStream | null>, iceServers: RTCIceServer[]): void {
    const callId = this.record!.id;
    let link: PeerLink;
    try {
      link = this.createLink(callId, polite, iceServers);
    } catch (error) {
      // RTCPeerConnection throws on a malformed TURN URL from the provider: fail now, not after the ring timeout.
      return this.fail('turn-unreachable', `TURN server configuration was refused: ${(error as Error)?.message}`);
    }
    this.link = link;
    this.watchRecovery(link, polite);
    if (!polite) link.offerToSend(this.snap.kind === 'video' ? ['audio', 'video'] : ['audio']);
    void media.then((stream) => {
      if (stream && this.link === link) link.setLocalMedia(stream);
    });
    for (const signal of this.pendingSignals.splice(0)) void link.handleSignal(signal);
  }

  private createLink(callId: string, polite: boolean, iceServers: RTCIceServer[]): PeerLink {
    return new PeerLink({
      RTCPeerConnection: this.deps.RTCPeerConnection,
      MediaStream: this.deps.MediaStream,
      configuration: connectionConfiguration(iceServers, this.deps.iceTransportPolicy),
      polite,
      clock: this.deps.clock,
      candidateWindowMs: this.deps.timeouts.candidateWindowMs,
      send: (body) => this.recovery!.trackWrite(this.deps.signaling.sendSignal(callId, body)),
      log: this.log.child('pc'),
      onTrack: (track, streams) => this.onRemoteTrack(track, streams),
      onStateChange: () => this.onLinkState(),
      onBadSignal: (detail) => this.fail('bad-signal', detail),
      mungeRemoteSdp: this.deps.mungeRemoteSdp,
      onSendError: (error) => {
        // Refused because the call document is already final (the peer ended it): signaling works;
        // the document listener reports how the call ended.
        if (error instanceof SignalingError && error.reason === 'invalid-transition')
          return this.log.info(`signal refused, the call is over: ${error.message}`);
        this.fail(signalingReason(error), `could not send a signal: ${(error as Error)?.message}`);
      },
    });
  }

  private onRemoteTrack(track: MediaStreamTrack, streams: readonly MediaStream[]): void {
    let remote = this.snap.remoteStream ?? streams[0] ?? null;
    if (!remote && this.deps.MediaStream) remote = new this.deps.MediaStream();
    if (remote && !remote.getTracks().includes(track)) {
      try {
        remote.addTrack(track);
      } catch {
        /* some implementations add it themselves */
      }
    }
    this.patch({ remoteStream: remote });
  }

  private onLinkState(): void {
    const link = this.link;
    if (!link || this.isOver) return;
    const pc = link.pc;
    const { state, phase } = this.snap;
    const connection = pc.connectionState;
    if (state === 'ringing' && this.snap.direction === 'outgoing' && link.negotiated) return this.onAccepted();
    if (state === 'connecting') {
      if (connection === 'connected') return this.onConnected();
      if (phase === 'signaling' && (link.negotiated || pc.iceConnectionState === 'checking')) {
        this.setState('connecting', 'checking');
        this.timers.noRoute.start(this.deps.timeouts.noRouteMs, () =>
          this.fail('no-route', `no ICE path within ${this.deps.timeouts.noRouteMs} ms of checking`),
        );
        this.timers.relayHint.start(this.deps.timeouts.relayHintMs, () => {
          if (this.snap.state === 'connecting' && this.snap.phase === 'checking') this.setState('connecting', 'relaying');
        });
      }
      // Failed before ever connecting: one fresh try is cheap; the no-route timer bounds it.
      if (connection === 'failed' && !this.setupRestarted && this.timers.noRoute.running) void this.restartSetup(link);
      return;
    }
    // Only the media watchdog says reconnecting: ICE's 'disconnected' comes ~7 s late, and during
    // the two sides' restarts it also blips while media flows (the screen flapped on it).
    if ((state === 'connected' || state === 'reconnecting') && connection === 'failed') this.recovery?.iceFailed();
  }

  private async restartSetup(link: PeerLink): Promise<void> {
    this.setupRestarted = true;
    let iceServers: RTCIceServer[] | undefined;
    try {
      iceServers = (await this.deps.ice.refresh()).iceServers;
    } catch (error) {
      this.log.warn(`fresh ICE servers unavailable, restarting with the old ones: ${(error as Error)?.message}`);
    }
    if (this.link === link && !this.isOver) link.restartIce(iceServers);
  }

  private onConnected(): void {
    for (const name of ['noRoute', 'relayHint', 'connect'] as const) this.timers[name].stop();
    this.setState('connected');
    const pc = this.link!.pc;
    this.watchdog?.start();
    this.recovery?.start();
    if (this.deps.quality) {
      try {
        this.quality = this.deps.quality(pc, ({ quality, videoPausedForBandwidth, peerVideoPaused }) => {
          if (!this.isOver) this.patch({ quality, videoPausedForBandwidth, peerVideoPaused: peerVideoPaused ?? false });
        });
      } catch (error) {
        this.log.warn(`quality monitor did not start: ${(error as Error).message}`);
      }
    }
  }

  /** The watchdog reports media; the Reconnector decides what that means for the call. */
  private watchRecovery(link: PeerLink, polite: boolean): void {
    const watchdog = new MediaWatchdog({
      pc: link.pc,
      clock: this.deps.clock,
      intervalMs: this.deps.timeouts.statsIntervalMs,
      silenceMs: this.deps.timeouts.silenceMs,
      log: this.log.child('watchdog'),
      onSilent: () => this.recovery?.mediaStopped('no inbound media'),
      onFlowing: () => this.recovery?.mediaFlowing(),
      onPath: (path: CallPath | null) => this.patch({ path }),
    });
    this.watchdog = watchdog;
    this.recovery = new Reconnector({
      clock: this.deps.clock,
      log: this.log.child('recovery'),
      timeouts: this.deps.timeouts,
      polite,
      link,
      media: watchdog,
      ice: this.deps.ice,
      relayed: () => this.snap.path?.local === 'relay' || this.snap.path?.remote === 'relay',
      onReconnecting: (droppedConnection) => {
        this.patch({ droppedConnection });
        this.setState('reconnecting');
      },
      onRecovered: () => {
        this.setState('connected');
        this.patch({ droppedConnection: null });
      },
      onGiveUp: (detail) => this.fail('connection-lost', detail),
    });
  }

  /** @internal The browser is online again or changed networks: restart ICE now. */
  networkChanged(): void {
    this.recovery?.networkChanged();
  }

  /** @internal The browser went offline: our own connection dropped. */
  networkLost(): void {
    this.recovery?.networkLost();
  }

  // ---- endings ------------------------------------------------------------------

  /** We end the call: update the document (and tell a connected peer) so they end too. */
  private finishLocal(reason: CallReason, detail?: string): void {
    if (this.isOver) return;
    const callId = this.record?.id;
    const signaling = this.deps.signaling;
    const warn = (what: string) => (error: unknown) => this.log.warn(`${what} failed: ${(error as Error)?.message}`);
    if (callId) {
      if (this.docState === 'ringing') {
        if (this.snap.direction !== 'outgoing') signaling.decline(callId).catch(warn('decline'));
        else if (reason === 'unavailable' || reason === 'no-answer')
          signaling.cancel(callId, 'missed', reason).catch(warn('mark as missed'));
        else signaling.cancel(callId).catch(warn('cancel'));
      } else if (this.docState === 'accepted' && (this.snap.direction === 'outgoing' || this.acceptedHere)) {
        // Only the tab that answered (or the caller) may end the call; another tab of ours just stops.
        // bye reaches a connected peer through the signal listener it already has.
        if (this.link) signaling.sendSignal(callId, { type: 'bye', reason }).catch(warn('bye'));
        signaling.end(callId, reason).catch(warn('end'));
      }
    }
    this.finish(reason, detail);
  }

  /** The other side ended the call; nothing to write. */
  private finishRemote(reason: CallReason): void {
    this.finish(reason);
  }

  private fail(reason: CallReason, detail: string): void {
    if (this.isOver) return;
    this.log.warn(`failed (${reason}): ${detail}`);
    this.emit('error', new CallError(reason, reasonMessage(reason), detail));
    this.finishLocal(reason, detail);
  }

  private finish(reason: CallReason, detail?: string): void {
    if (this.isOver) return;
    this.setState(isFailure(reason) ? 'failed' : 'ended', null, reason, detail);
  }

  private detachCall(): void {
    for (const stop of this.unwatch.splice(0)) stop();
    this.watchdog?.stop();
    this.recovery?.stop();
    this.link?.close();
    this.link = null;
    this.pendingSignals = [];
    this.timers.ring.stop();
    this.timers.reach.stop();
  }

  private teardown(): void {
    for (const timer of Object.values(this.timers)) timer.stop();
    this.quality?.stop();
    this.quality = null;
    this.detachCall();
    this.media.stop();
  }

  // ---- state and events ----------------------------------------------------------

  /** The one place where state changes: times the phase it leaves, then emits. */
  private setState(state: CallState, phase: ConnectingPhase | null = null, reason: CallReason | null = null, detail?: string): void {
    const previous = this.snap;
    if (TERMINAL.has(previous.state)) return;
    const nextPhase = state === 'connecting' ? (phase ?? 'signaling') : null;
    if (previous.state === state && previous.phase === nextPhase) return;
    const now = this.deps.clock.now();
    const key = previous.phase ? `${previous.state}:${previous.phase}` : previous.state;
    const timings =
      previous.state === 'idle'
        ? { ...previous.timings }
        : { ...previous.timings, [key]: (previous.timings[key] ?? 0) + (now - this.phaseStartedAt) };
    // `setup`: from the first user action to the first connection (the benchmark figure).
    if (state === 'connected' && timings.setup === undefined) timings.setup = now - this.startedAt;
    this.phaseStartedAt = now;
    this.snap = Object.freeze({
      ...previous,
      state,
      phase: nextPhase,
      reason,
      message: reason ? reasonMessage(reason) : null,
      ...(detail ? { detail } : {}),
      connectedAt: previous.connectedAt ?? (state === 'connected' ? now : null),
      timings,
      // Nothing is paused once the call is over (a page mirroring the snapshot said "video paused" after hang-up).
      ...(TERMINAL.has(state) ? { videoPausedForBandwidth: false, peerVideoPaused: false, reachingPeer: false } : {}),
    });
    this.log.debug(`state ${key} -> ${nextPhase ? `${state}:${nextPhase}` : state}${reason ? ` (${reason})` : ''}`);
    const terminal = TERMINAL.has(state);
    if (terminal) this.teardown();
    this.emit('state', this.snap);
    this.emit('change', this.snap);
    if (terminal) {
      this.emit('ended', this.snap);
      this.deps.onFinished(this);
    }
  }

  /** Non-state changes (mute, streams, path, quality). */
  private patch(changes: Partial<CallSnapshot>): void {
    this.snap = Object.freeze({ ...this.snap, ...changes });
    this.emit('change', this.snap);
  }

  private report(error: unknown): void {
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  private emit<K extends keyof CallEvents>(event: K, ...args: Parameters<CallEvents[K]>): void {
    for (const listener of [...this.listeners[event]] as ((...a: Parameters<CallEvents[K]>) => void)[]) {
      try {
        listener(...args);
      } catch (error) {
        // A broken UI listener must not break the call.
        this.log.error(`${event} listener threw: ${(error as Error)?.message}`);
      }
    }
  }
}

/** How a call that was still ringing ended, from the document both sides see. */
function ringingOutcome(call: CallRecord): CallReason {
  if (call.state === 'declined') return call.endReason === 'busy' ? 'busy' : 'declined';
  if (call.state === 'missed') return call.endReason === 'no-answer' ? 'no-answer' : 'unavailable';
  return 'cancelled';
}

/** Failures that are true for both ends (no path between them): the peer shows the same reason. */
function sharedFailure(reason: string | undefined): CallReason | null {
  return reason === 'no-route' || reason === 'timeout' || reason === 'connection-lost' ? reason : null;
}

function signalingReason(error: unknown): CallReason {
  const reason = (error as SignalingError | { code?: string } | null) ?? null;
  const code = reason instanceof SignalingError ? reason.reason : String((reason as { code?: string })?.code ?? '');
  return code.includes('unauthenticated') || code.includes('permission-denied') ? 'unauthenticated' : 'signaling-unavailable';
}

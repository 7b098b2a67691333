/**
 * CallClient: the signed-in user's phone. Places calls, surfaces incoming ones
 * (once each, confirming delivery to the caller), answers "busy" for the user while
 * they are on a call, resolves glare, and says bye for every live call when the page hides.
 *
 *   const client = createCallClient({ signaling, iceServers });
 *   const session = client.call({ callee: 'u2', kind: 'video' });
 *   client.onIncoming((session) => session.accept());
 */
import type { CallKind, CallRecord, CrmContext, SignalingChannel } from '../signaling/channel';
import { systemClock, type Clock } from './clock';
import { ourCallYields } from './glare';
import { IceServerCache } from './ice-servers';
import { watchIncomingCalls } from './incoming-watch';
import { createListeners } from './listeners';
import { onNetworkTypeChange, type ConnectionLike } from './network-change';
import { createLogger, type LogSink } from './logger';
import { qualityMonitor, VIDEO_START_KBPS, withOpusFecAndDtx, withVideoStartBitrate } from './quality';
import type { MediaDevicesLike } from './media';
import type { PermissionsLike } from './permissions';
import type { PeerConnectionConstructor } from './negotiation';
import { CallSession, connectionConfiguration, DEFAULT_TIMEOUTS, type CallTimeouts, type QualityMonitorFactory } from './session';
import { WarmLine } from './warm-line';
import { browserWarmLineLeadership, type WarmLineLeadership } from './warm-line-leader';
import type { CallClientApi, CallSessionApi, IceServerProvider } from './types';

type Subscribe = (listener: () => void) => () => void;

/**
 * A ringing call this old was left behind by a caller that vanished (a live caller gives up
 * after 45 s). Far above the ring time, so a client clock that runs minutes off still rings.
 */
const STALE_RING_MS = 10 * 60_000;

export interface CallClientOptions {
  signaling: SignalingChannel;
  /** ICE servers with TURN credentials (the `iceServers` callable in production). */
  iceServers: IceServerProvider;
  clock?: Clock;
  /** Local session ids (logs only). */
  newId?: () => string;
  /** Defaults to `navigator.mediaDevices`. */
  mediaDevices?: MediaDevicesLike;
  /** Defaults to `navigator.permissions`; null: never wait for a permission prompt before ringing. */
  permissions?: PermissionsLike | null;
  /** Defaults to the global RTCPeerConnection. */
  RTCPeerConnection?: PeerConnectionConstructor;
  /** Defaults to the global MediaStream (used when a remote track arrives without a stream). */
  MediaStream?: new (tracks?: MediaStreamTrack[]) => MediaStream;
  timeouts?: Partial<CallTimeouts>;
  /** 'relay' forces TURN (useful to test the relay path). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Start the callee's camera while it rings (faster answer; the camera light goes on before answering). Default false. */
  prepareMediaOnRing?: boolean;
  /** Fetch TURN credentials as soon as the client exists, so the first call does not wait. Default true. */
  prefetchIceServers?: boolean;
  /**
   * Keep the next call's connection ready (warm-line.ts): the next call, placed or answered,
   * starts with its candidates gathered, TURN allocation included. Holds one TURN allocation
   * while idle. Needs prefetchIceServers. Default true.
   */
  keepLineWarm?: boolean;
  /** Which tab of the browser keeps the warm line (default: Web Locks where there are any; null: every tab). */
  warmLineLeadership?: WarmLineLeadership | null;
  /**
   * Adaptive bitrate (app/src/call/quality): `true` runs the ABR controller on every
   * connected call (publishing snapshot.quality and videoPausedForBandwidth) and asks
   * the peer for Opus FEC/DTX; a factory replaces it; default off.
   */
  quality?: boolean | QualityMonitorFactory;
  /**
   * Where Chromium's bandwidth estimate starts for our video, kbit/s (quality/sdp.ts);
   * default VIDEO_START_KBPS (1000); null keeps the browser's own start (300 in Chromium).
   */
  videoStartKbps?: number | null;
  /** Where engine logs go; silent by default. */
  log?: LogSink;
  /** Page-hide notifications; defaults to window 'pagehide'. Pass null to disable. */
  onPageHide?: Subscribe | null;
  /** Network-change notifications; defaults to window 'online' and a change of navigator.connection's type. */
  onNetworkChange?: Subscribe | null;
  /** Network-loss notifications (says "Your connection dropped"); defaults to window 'offline'. Pass null to disable. */
  onNetworkLost?: Subscribe | null;
}

export interface CallClient extends CallClientApi {
  call(input: { callee: string; kind: CallKind; context?: CrmContext }): CallSession;
  onIncoming(listener: (session: CallSessionApi) => void): () => void;
  /**
   * Incoming calls cannot be watched right now (the client retries with backoff by itself);
   * the UI can say "you may miss calls". Called on every failed attempt, and with null once
   * calls are watched again.
   */
  onIncomingError(listener: (error: Error | null) => void): () => void;
  /** Live sessions (not ended or failed). */
  readonly sessions: readonly CallSession[];
}

export function createCallClient(options: CallClientOptions): CallClient {
  const clock = options.clock ?? systemClock;
  const sink = options.log;
  const log = createLogger(`call:${options.signaling.uid}`, sink);
  const timeouts: CallTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const ice = new IceServerCache(options.iceServers, clock, timeouts.iceRefreshMarginMs);
  const PeerConnection = options.RTCPeerConnection ?? (globalThis as { RTCPeerConnection?: PeerConnectionConstructor }).RTCPeerConnection;
  const mediaDevices = options.mediaDevices ?? (globalThis as { navigator?: { mediaDevices?: MediaDevicesLike } }).navigator?.mediaDevices;
  const permissions =
    options.permissions === undefined
      ? (globalThis as { navigator?: { permissions?: PermissionsLike } }).navigator?.permissions
      : options.permissions;
  const MediaStreamCtor =
    options.MediaStream ?? (globalThis as { MediaStream?: new (tracks?: MediaStreamTrack[]) => MediaStream }).MediaStream;
  let counter = 0;
  const newId = options.newId ?? (() => `s${++counter}`);
  const uid = options.signaling.uid;
  const quality: QualityMonitorFactory | undefined =
    options.quality === true
      ? qualityMonitor({ clock, onError: (error) => log.warn(`quality: ${error.message}`) })
      : options.quality || undefined;

  // Our video starts sharper and its first frame comes sooner (quality/sdp.ts); with ABR, Opus FEC and DTX too.
  const startKbps = options.videoStartKbps === undefined ? VIDEO_START_KBPS : options.videoStartKbps;
  const startVideo = (sdp: string) => (startKbps === null ? sdp : withVideoStartBitrate(sdp, startKbps));
  const remoteSdp = options.quality ? (sdp: string) => withOpusFecAndDtx(startVideo(sdp)) : startKbps === null ? undefined : startVideo;
  const live = new Set<CallSession>();
  const warmLine =
    (options.prefetchIceServers ?? true) && (options.keepLineWarm ?? true) && PeerConnection
      ? new WarmLine({
          PeerConnection,
          ice,
          clock,
          configurationFor: (iceServers) => connectionConfiguration(iceServers, options.iceTransportPolicy),
          idle: () => live.size === 0,
          log,
          leadership:
            options.warmLineLeadership === undefined
              ? browserWarmLineLeadership({ uid: options.signaling.uid })
              : options.warmLineLeadership,
        })
      : null;
  const incomingListeners = createListeners<CallSessionApi>(log, 'incoming');
  const incomingTroubleListeners = createListeners<Error | null>(log, 'incoming error');
  /** Ringing calls already turned into a session (or merged), so each rings once. */
  const handled = new Set<string>();
  let lastIncoming: CallRecord[] = [];
  let disposed = false;

  const makeSession = (init: ConstructorParameters<typeof CallSession>[1]) => {
    if (!PeerConnection) throw new Error('RTCPeerConnection is not available: pass one in createCallClient options.');
    warmLine?.resume();
    const id = newId();
    const session = new CallSession(
      {
        signaling: options.signaling,
        ice,
        clock,
        mediaDevices,
        permissions,
        RTCPeerConnection: warmLine?.constructorForSessions ?? PeerConnection,
        MediaStream: MediaStreamCtor,
        timeouts,
        log: log.child(id),
        iceTransportPolicy: options.iceTransportPolicy,
        prepareMediaOnRing: options.prepareMediaOnRing ?? false,
        quality,
        mungeRemoteSdp: remoteSdp,
        onFinished: (done) => {
          live.delete(done);
          // A call we held back for glare may deserve to ring now.
          if (!disposed) queueMicrotask(() => onIncomingCalls(lastIncoming));
          warmLine?.keepWarm();
        },
      },
      init,
    );
    live.add(session);
    return session;
  };

  /** The user is on a call in this tab: placing one, answering one or talking (a call that only rings is not one). */
  const onAnotherCall = () => [...live].some((s) => !s.isOver && (s.snapshot.direction === 'outgoing' || s.snapshot.state !== 'ringing'));

  /** Tells the caller the call reached this user's device; a second tab of ours losing the race is fine. */
  const confirmDelivery = (call: CallRecord) => {
    if (call.deliveredAt !== undefined || !options.signaling.confirmDelivery) return;
    options.signaling.confirmDelivery(call.id).catch((error) => log.info(`delivery of call ${call.id} not confirmed: ${error?.message}`));
  };

  /** An outgoing, not yet answered session to `peer`, if any (glare candidate). */
  const pendingCallTo = (peer: string) =>
    [...live].find(
      (s) =>
        s.snapshot.direction === 'outgoing' &&
        s.snapshot.peer === peer &&
        ['idle', 'requesting-media', 'ringing'].includes(s.snapshot.state),
    );

  const onIncomingCalls = (calls: CallRecord[]) => {
    lastIncoming = calls;
    if (disposed) return;
    for (const call of calls) {
      if (handled.has(call.id) || call.state !== 'ringing' || call.callee !== uid) continue;
      if (clock.now() - call.createdAt > STALE_RING_MS) {
        // Left ringing by a caller whose browser died: ringing now would be a ghost call.
        handled.add(call.id);
        log.info(`ignoring call ${call.id} from ${call.caller}: it has been ringing since ${new Date(call.createdAt).toISOString()}`);
        continue;
      }
      const mine = pendingCallTo(call.caller);
      if (mine && ourCallYields(uid, call.caller) && mine.adoptIncoming(call)) {
        handled.add(call.id);
        continue;
      }
      if ([...live].some((s) => s.snapshot.peer === call.caller)) {
        // Our call to them wins (or we already talk): theirs will be cancelled, don't ring.
        log.info(`holding back call ${call.id} from ${call.caller}: a call with them is already under way`);
        continue;
      }
      handled.add(call.id);
      if (onAnotherCall()) {
        // As a desk phone does: the second caller hears "busy" instead of ringing out.
        log.info(`call ${call.id} from ${call.caller}: busy, on another call`);
        options.signaling.decline(call.id, 'busy').catch((error) => log.warn(`busy answer to call ${call.id} failed: ${error?.message}`));
        continue;
      }
      confirmDelivery(call);
      const session = makeSession({
        direction: 'incoming',
        peer: call.caller,
        kind: call.kind,
        ...(call.context ? { context: call.context } : {}),
        record: call,
      });
      session.ring();
      incomingListeners.emit(session);
    }
  };

  const stopIncoming = watchIncomingCalls({
    signaling: options.signaling,
    clock,
    log,
    onCalls: onIncomingCalls,
    onTrouble: incomingTroubleListeners.emit,
  });

  const subscribeGlobal = (
    target:
      | { addEventListener?: (type: string, fn: () => void) => void; removeEventListener?: (type: string, fn: () => void) => void }
      | undefined,
    type: string,
  ): Subscribe | null =>
    target?.addEventListener
      ? (listener) => {
          target.addEventListener!(type, listener);
          return () => target.removeEventListener?.(type, listener);
        }
      : null;
  const g = globalThis as unknown as { addEventListener?: never; navigator?: { connection?: never } };
  const onPageHide = options.onPageHide === undefined ? subscribeGlobal(g as never, 'pagehide') : options.onPageHide;
  const connection = g.navigator?.connection as ConnectionLike | undefined;
  const networkTypeChanges: Subscribe | null = connection?.addEventListener
    ? (listener) => onNetworkTypeChange(connection, listener)
    : null;
  const networkSources =
    options.onNetworkChange === undefined ? [subscribeGlobal(g as never, 'online'), networkTypeChanges] : [options.onNetworkChange];
  const onNetworkLost = options.onNetworkLost === undefined ? subscribeGlobal(g as never, 'offline') : options.onNetworkLost;
  const stops: (() => void)[] = [stopIncoming];
  if (onPageHide)
    stops.push(
      onPageHide(() => {
        warmLine?.suspend();
        [...live].forEach((s) => s.leave());
      }),
    );
  for (const source of networkSources)
    if (source)
      stops.push(
        source(() => {
          [...live].forEach((s) => s.networkChanged());
          warmLine?.networkChanged();
        }),
      );
  if (onNetworkLost) stops.push(onNetworkLost(() => [...live].forEach((s) => s.networkLost())));

  if (warmLine) {
    warmLine.keepWarm();
    stops.push(() => warmLine.dispose());
  } else if (options.prefetchIceServers ?? true) ice.get().catch((error) => log.warn(`ICE servers prefetch failed: ${error?.message}`));

  return {
    uid,
    get sessions() {
      return [...live];
    },
    call(input) {
      if (disposed) throw new Error('This call client was disposed.');
      const session = makeSession({
        direction: 'outgoing',
        peer: input.callee,
        kind: input.kind,
        ...(input.context ? { context: input.context } : {}),
      });
      // Glare can also show up before we even started: their call is already ringing here.
      const theirs = lastIncoming.find((c) => c.caller === input.callee && c.state === 'ringing' && !handled.has(c.id));
      if (theirs && ourCallYields(uid, theirs.caller)) {
        handled.add(theirs.id);
        session.adoptIncoming(theirs);
      }
      void session.placeCall();
      return session;
    },
    onIncoming: incomingListeners.add,
    onIncomingError: incomingTroubleListeners.add,
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const session of [...live]) session.leave();
      for (const stop of stops.splice(0)) stop();
      incomingListeners.clear();
      incomingTroubleListeners.clear();
    },
  };
}

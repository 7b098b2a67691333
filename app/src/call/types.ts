/**
 * The call engine's public vocabulary: states, phases, reasons and the
 * snapshot a UI renders. The elements (app/src/elements) depend on this file
 * only, never on engine internals.
 */
import type { CallKind, CrmContext } from '../signaling/channel';

export type CallState = 'idle' | 'requesting-media' | 'ringing' | 'connecting' | 'connected' | 'reconnecting' | 'ended' | 'failed';

/** What `connecting` is doing right now, so the UI can say it. */
export type ConnectingPhase = 'signaling' | 'checking' | 'relaying';

/** Why a call failed or ended; each has a plain-language message in errors.ts. */
export type CallReason =
  | 'media-denied'
  | 'media-unavailable'
  | 'unauthenticated'
  | 'signaling-unavailable'
  | 'no-route'
  | 'connection-lost'
  | 'turn-unreachable'
  | 'declined'
  /** The callee's phone declined for them: they are on another call. */
  | 'busy'
  /** No device of the callee confirmed the call in time: offline, signed out, page closed. */
  | 'unavailable'
  /** It rang at the callee until the ring time ran out. */
  | 'no-answer'
  /** Incoming: another tab of ours answered it. */
  | 'answered-elsewhere'
  | 'peer-left'
  | 'timeout'
  | 'bad-signal'
  | 'cancelled'
  | 'hung-up';

export type QualityLevel = 'good' | 'fair' | 'poor' | 'lost';

export type Direction = 'outgoing' | 'incoming';

/** While reconnecting: whose connection dropped, ours ("Your connection dropped") or the peer's. */
export type DroppedConnection = 'own' | 'peer';

/** The selected ICE path, as the UI and the lab report it. */
export interface CallPath {
  local: 'host' | 'srflx' | 'prflx' | 'relay';
  remote: 'host' | 'srflx' | 'prflx' | 'relay';
  protocol: 'udp' | 'tcp';
  /** Set when the local side relays: the TURN server port and transport to it. */
  relayPort?: number;
  relayProtocol?: 'udp' | 'tcp' | 'tls';
}

/** Milliseconds spent in each state or phase, e.g. { 'requesting-media': 143, 'connecting:checking': 90 }. */
export type PhaseTimings = Record<string, number>;

/** Everything a UI needs to render a call; immutable, replaced on every change. */
export interface CallSnapshot {
  callId: string | null;
  direction: Direction | null;
  kind: CallKind;
  peer: string | null;
  context?: CrmContext;
  state: CallState;
  phase: ConnectingPhase | null;
  /**
   * Outgoing, ringing: true until a device of the callee confirmed the call (the UI says
   * "Calling Ana", then "Ringing"). False otherwise, and always with signaling that has no receipts.
   */
  reachingPeer: boolean;
  reason: CallReason | null;
  /** Plain-language sentence for `reason`, with what to try. */
  message: string | null;
  /** Technical detail for support and logs (not for the user), set on failure. */
  detail?: string;
  /** Epoch ms when `connected` was first reached (for the call timer). */
  connectedAt: number | null;
  timings: PhaseTimings;
  quality: QualityLevel | null;
  /** True when our video is paused because the network cannot carry it. */
  videoPausedForBandwidth: boolean;
  /** True when the peer's video has stopped reaching us while their audio still does (their picture is stuck). */
  peerVideoPaused: boolean;
  muted: boolean;
  cameraOff: boolean;
  screenSharing: boolean;
  path: CallPath | null;
  /** Set while reconnecting: whose connection dropped. */
  droppedConnection: DroppedConnection | null;
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
}

export interface CallEvents {
  /** Every state or phase change. */
  state: (snapshot: CallSnapshot) => void;
  /** Any snapshot change (mute, quality, streams...). */
  change: (snapshot: CallSnapshot) => void;
  /** Terminal: ended or failed. */
  ended: (snapshot: CallSnapshot) => void;
  error: (error: Error) => void;
}

/** ICE servers from the `iceServers` callable (or a test double). */
export interface IceServerGrant {
  iceServers: RTCIceServer[];
  /** Epoch ms after which the TURN credentials are refused. */
  expiresAt: number;
}
export type IceServerProvider = () => Promise<IceServerGrant>;

/**
 * One call, outgoing or incoming. Created by a CallClient; renders as
 * `snapshot`, changes announced through `on(...)`.
 */
export interface CallSessionApi {
  readonly snapshot: CallSnapshot;
  on<K extends keyof CallEvents>(event: K, listener: CallEvents[K]): () => void;
  /** Incoming only: answer a ringing call. */
  accept(): Promise<void>;
  /** Incoming only: refuse a ringing call. */
  decline(): Promise<void>;
  /** Either side, any state: cancel, end or abandon the call. */
  hangUp(): Promise<void>;
  setMuted(muted: boolean): void;
  setCameraOff(off: boolean): void;
  switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void>;
  startScreenShare(): Promise<void>;
  stopScreenShare(): Promise<void>;
}

/** The signed-in user's phone: places calls and surfaces incoming ones. */
export interface CallClientApi {
  readonly uid: string;
  call(input: { callee: string; kind: CallKind; context?: CrmContext }): CallSessionApi;
  /** Fires once per new incoming ringing call (already de-duplicated). */
  onIncoming(listener: (session: CallSessionApi) => void): () => void;
  /** Incoming calls cannot reach this user right now (error), or can again (null). Optional for host engines. */
  onIncomingError?(listener: (error: Error | null) => void): () => void;
  dispose(): void;
}

/**
 * The signaling port: everything the call engine needs from a signaling backend.
 *
 * Adapters (firestore.ts for production, memory.ts for tests and the lab,
 * broadcast.ts for the same-browser demo) implement it over the same document
 * model (README, "Firestore signaling"):
 *
 *   calls/{callId}               CallRecord
 *   calls/{callId}/signals/{id}  Signal (create-only)
 *
 * Contract every adapter keeps (the contract suite checks it):
 * - callbacks are asynchronous (never inside the call that caused them);
 * - `watchSignals` delivers each *peer* signal exactly once, in the sender's
 *   `seq` order, never one's own, and only after `validateSignal` accepted it;
 *   an invalid signal is reported through `onError` with reason `bad-signal`
 *   and is not delivered;
 * - no method throws synchronously; failures reject with a `SignalingError`.
 */

export type CallKind = 'video' | 'voice';

/** Life of a call document; it stays as the call log after the call. */
export type CallDocState = 'ringing' | 'accepted' | 'declined' | 'cancelled' | 'missed' | 'ended';

/** The CRM record a call is about (shown in the call log of that record). */
export interface CrmContext {
  recordType: string;
  recordId: string;
  label?: string;
}

export interface CallRecord {
  id: string;
  caller: string;
  callee: string;
  kind: CallKind;
  state: CallDocState;
  /** Milliseconds since the epoch (adapters convert server timestamps). */
  createdAt: number;
  /** When a device of the callee confirmed it rings there (the delivery receipt). */
  deliveredAt?: number;
  acceptedAt?: number;
  endedAt?: number;
  /** Why the call ended, as an engine reason code (see app/src/call). */
  endReason?: string;
  context?: CrmContext;
}

export interface SessionDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface CandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** What the engine sends; the adapter adds id, from, seq, createdAt, expireAt. */
export type SignalBody =
  | { type: 'description'; description: SessionDescription }
  /** A batch of trickled candidates; `done` marks end-of-candidates for this ICE generation. */
  | { type: 'candidates'; candidates: CandidateInit[]; done?: boolean }
  /** The sender is leaving (hang-up, page hidden); the receiver ends at once. */
  | { type: 'bye'; reason?: string };

export type Signal = SignalBody & {
  id: string;
  from: string;
  /** Per-sender sequence number, starting at 1. */
  seq: number;
  createdAt: number;
};

export interface StartCallInput {
  callee: string;
  kind: CallKind;
  context?: CrmContext;
  /**
   * An id from `newCallId()`. Writes from one client land in order, so the caller can send
   * its offer right behind the create instead of waiting a round trip for the acknowledgement.
   */
  id?: string;
}

export type Unsubscribe = () => void;

/** The end reasons of a declined call (transitions.ts lists them for the stores and rules). */
export type DeclineReason = 'declined' | 'busy';
/** The end reasons of a missed call. */
export type MissedReason = 'unavailable' | 'no-answer';

export type SignalingErrorReason = 'unauthenticated' | 'signaling-unavailable' | 'bad-signal' | 'not-found' | 'invalid-transition';

export class SignalingError extends Error {
  override readonly name = 'SignalingError';
  constructor(
    readonly reason: SignalingErrorReason,
    message: string,
    readonly callId?: string,
  ) {
    super(message);
  }
}

export interface SignalingChannel {
  /** The signed-in user this channel acts for. */
  readonly uid: string;

  /** A fresh call id, made here without a round trip (as Firestore makes document ids). */
  newCallId(): string;

  /** Creates calls/{id} with state 'ringing'. */
  startCall(input: StartCallInput): Promise<CallRecord>;

  /** Calls where callee == uid and state == 'ringing'; the full current list on every change. */
  watchIncoming(onCalls: (calls: CallRecord[]) => void, onError?: (error: SignalingError) => void): Unsubscribe;

  /** One call document, on every change. */
  watchCall(callId: string, onChange: (call: CallRecord) => void, onError?: (error: SignalingError) => void): Unsubscribe;

  /**
   * Callee only, once, while it rings: the delivery receipt (`deliveredAt`), so the caller
   * says "Ringing" and does not give up on the callee as offline. Optional for host adapters:
   * without it callers ring at once and never end a call as unavailable.
   */
  confirmDelivery?(callId: string): Promise<void>;
  /** Callee only: ringing -> accepted. */
  accept(callId: string): Promise<void>;
  /** Callee only: ringing -> declined; reason 'busy' when the callee's phone answers for them. */
  decline(callId: string, reason?: DeclineReason): Promise<void>;
  /**
   * Caller only: ringing -> cancelled, or 'missed' when nobody answered in time: reason
   * 'unavailable' (the default: no delivery receipt came) or 'no-answer' (it rang out).
   */
  cancel(callId: string, state?: 'cancelled' | 'missed', reason?: MissedReason): Promise<void>;
  /** Either side: accepted -> ended, recording why. */
  end(callId: string, reason: string): Promise<void>;

  /** Appends one create-only signal from this user. */
  sendSignal(callId: string, body: SignalBody): Promise<void>;

  /** The peer's signals, validated, exactly once and in order. */
  watchSignals(callId: string, onSignal: (signal: Signal) => void, onError: (error: SignalingError) => void): Unsubscribe;

  /** Calls about one CRM record, newest first (the record's call log). */
  callsForRecord?(context: Pick<CrmContext, 'recordType' | 'recordId'>): Promise<CallRecord[]>;
}

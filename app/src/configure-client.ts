/**
 * The call client configure() gives the elements for one signed-in user. Placing or answering
 * a call waits at most a few seconds for a signaling server that answers nothing: Firestore keeps
 * an unacknowledged write queued for as long as it is offline, so without a deadline of its own
 * the card showed "Getting your camera" long after the service was gone.
 */
import { systemClock, type Clock } from './call/clock';
import type { IceServerProvider } from './call/types';
import { createCallClient, type CallClient, type CallClientOptions } from './engine';
import { SignalingError, type SignalingChannel } from './signaling/channel';

/** How long a call waits for the call document or the answer's write while signaling answers nothing. */
export const CALL_SERVICE_TIMEOUT_MS = 4_000;

export interface SignedInClientOptions {
  /** The signed-in user's signaling channel. */
  signaling: SignalingChannel;
  iceServers: IceServerProvider;
  engine?: Omit<CallClientOptions, 'signaling' | 'iceServers'> | undefined;
  /** Default CALL_SERVICE_TIMEOUT_MS. */
  callServiceTimeoutMs?: number | undefined;
  /**
   * Resolves when signaling's server answers anything (a refused read is an answer). A write that
   * outlasts the deadline while the server answers is slow, not unreachable: it is left to finish.
   */
  signalingAnswers?: (() => Promise<void>) | undefined;
}

/** A call client that fails a call as 'signaling-unavailable' when the call service does not answer in time. */
export function signedInClient(options: SignedInClientOptions): CallClient {
  const deadline: Deadline = { ms: options.callServiceTimeoutMs ?? CALL_SERVICE_TIMEOUT_MS, clock: options.engine?.clock ?? systemClock };
  return createCallClient({
    quality: true,
    ...options.engine,
    signaling: signalingWithin(options.signaling, deadline, options.signalingAnswers),
    iceServers: options.iceServers,
  });
}

/**
 * A channel for a user whose signaling could not start (e.g. Firestore's module failed to load):
 * the elements still know who is signed in, and a call fails at once with the reason instead of
 * the page saying "sign in" to someone who is.
 */
export function unreachableSignaling(uid: string, cause: string): SignalingChannel {
  let ids = 0;
  const refuse = (what: string) => new SignalingError('signaling-unavailable', `Could not ${what}: signaling did not start (${cause}).`);
  const rejected = (what: string) => Promise.reject(refuse(what));
  // Listeners hear of it asynchronously, as every adapter's callbacks arrive.
  const refuseListener = (what: string, onError?: (error: SignalingError) => void) => {
    const timer = setTimeout(() => onError?.(refuse(what)), 0);
    return () => clearTimeout(timer);
  };
  return {
    uid,
    newCallId: () => `unstarted-${++ids}`,
    startCall: () => rejected('start a call'),
    watchIncoming: (_onCalls, onError) => refuseListener('watch incoming calls', onError),
    watchCall: (_callId, _onChange, onError) => refuseListener('watch a call', onError),
    accept: () => rejected('accept a call'),
    decline: () => rejected('decline a call'),
    cancel: () => rejected('cancel a call'),
    end: () => rejected('end a call'),
    sendSignal: () => rejected('send a signal'),
    watchSignals: (_callId, _onSignal, onError) => refuseListener('watch signals', onError),
  };
}

interface Deadline {
  ms: number;
  clock: Clock;
}

/** Sends a probe now; the returned function tells whether its answer has arrived. */
function probe(answers: (() => Promise<void>) | undefined): () => boolean {
  let answered = false;
  if (answers)
    Promise.resolve()
      .then(answers)
      .then(
        () => (answered = true),
        () => undefined,
      );
  return () => answered;
}

/** The channel with a deadline on the two writes a user waits for: the call document and the answer. */
function signalingWithin(channel: SignalingChannel, deadline: Deadline, answers?: () => Promise<void>): SignalingChannel {
  /** The write, cut at the deadline unless the server has answered a probe sent with it. */
  const boundedWrite = <T>(write: Promise<T>, what: string, callId: string | undefined): Promise<T> =>
    within(write, deadline, what, callId, probe(answers));
  const bounded: SignalingChannel = {
    uid: channel.uid,
    newCallId: () => channel.newCallId(),
    startCall: (input) => boundedWrite(channel.startCall(input), `start a call to ${input.callee}`, input.id),
    accept: (callId) => boundedWrite(channel.accept(callId), 'accept the call', callId),
    watchIncoming: (onCalls, onError) => channel.watchIncoming(onCalls, onError),
    watchCall: (callId, onChange, onError) => channel.watchCall(callId, onChange, onError),
    decline: (callId) => channel.decline(callId),
    cancel: (callId, state) => channel.cancel(callId, state),
    end: (callId, reason) => channel.end(callId, reason),
    sendSignal: (callId, body) => channel.sendSignal(callId, body),
    watchSignals: (callId, onSignal, onError) => channel.watchSignals(callId, onSignal, onError),
  };
  if (channel.callsForRecord) bounded.callsForRecord = (context) => channel.callsForRecord!(context);
  return bounded;
}

/**
 * `work`, or 'signaling-unavailable' once the deadline passes, unless `reachable()` says the service
 * answered meanwhile. The work itself goes on: a call document that lands late is cancelled by the
 * session that gave up on it.
 */
function within<T>(work: Promise<T>, { ms, clock }: Deadline, what: string, callId?: string, reachable = () => false): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      if (reachable()) return;
      reject(new SignalingError('signaling-unavailable', `Could not ${what}: the call service did not answer within ${ms} ms.`, callId));
    }, ms);
    work.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

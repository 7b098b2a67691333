/**
 * The call engine for hosts that run it themselves: their own signaling, or their own UI.
 * No Vue, no Firebase: a `SignalingChannel` and an ICE server provider are all it needs.
 *
 *   import { createCallClient } from '@firecall/web/engine';
 *   import { setCallClient, defineFirecallElements } from '@firecall/web/elements';
 *   setCallClient(createCallClient({ signaling: myChannel, iceServers: myTurnCredentials }));
 */
import { createCallClient as createEngineClient, type CallClientOptions } from './call/index';
import type { CallClientApi } from './call/types';

/** The signed-in user's phone, as hosts see it (sessions typed by their public API). */
export interface CallClient extends CallClientApi {
  /** Incoming calls cannot be watched right now (error; the client retries itself), or can again (null). */
  onIncomingError(listener: (error: Error | null) => void): () => void;
}

/** A call client for whoever `options.signaling` acts for; dispose() it on sign-out. */
export function createCallClient(options: CallClientOptions): CallClient {
  return createEngineClient(options);
}

export { CallError, DEFAULT_TIMEOUTS, isCallReason, isFailure, reasonMessage } from './call/index';
export type { CallClientOptions, CallTimeouts, Clock, LogLevel, LogSink, MediaDevicesLike, PeerConnectionConstructor } from './call/index';
export type * from './call/types';
export { SignalingError } from './signaling/channel';
export type * from './signaling/channel';

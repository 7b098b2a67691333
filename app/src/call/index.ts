/**
 * The call engine's public door. Pages, elements and wrappers import from here only.
 */
export { createCallClient, type CallClient, type CallClientOptions } from './client';
export { CallSession, DEFAULT_TIMEOUTS, type CallTimeouts, type QualityMonitorFactory } from './session';
export { CallError, reasonMessage, isFailure, isCallReason } from './errors';
export type { Clock } from './clock';
export type { LogLevel, LogSink } from './logger';
export type { MediaDevicesLike } from './media';
export type { PeerConnectionConstructor } from './negotiation';
export type * from './types';

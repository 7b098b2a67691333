/**
 * The DOM events the elements fire. All bubble and are composed, so a host
 * page can listen on any ancestor, across shadow roots.
 */
import { isCallReason } from '../call/errors';
import type { CallReason, CallSnapshot, CallState, ConnectingPhase, Direction, PhaseTimings } from '../call/types';
import type { CallKind, CrmContext } from '../signaling/channel';
import type { FirecallErrorReason } from './contract';

export interface FirecallStateDetail {
  callId: string | null;
  state: CallState;
  phase: ConnectingPhase | null;
  direction: Direction | null;
  reason: CallReason | null;
  /** Milliseconds per state/phase so far. */
  timings: PhaseTimings;
}

export interface FirecallEndedDetail {
  callId: string | null;
  state: 'ended' | 'failed';
  reason: CallReason | null;
  /** The reason as a sentence in the page's language. */
  message: string;
  timings: PhaseTimings;
  /** Call length in ms (0 when it never connected). */
  duration: number;
}

export interface FirecallErrorDetail {
  reason: FirecallErrorReason;
  /** What went wrong as a sentence in the page's language. */
  message: string;
  /** The technical text behind an 'unexpected' reason (English, for support). */
  detail?: string;
}

export interface FirecallIncomingDetail {
  callId: string | null;
  from: string | null;
  kind: CallKind;
  context?: CrmContext;
}

export interface FirecallEventMap {
  'firecall-state': CustomEvent<FirecallStateDetail>;
  'firecall-ended': CustomEvent<FirecallEndedDetail>;
  'firecall-error': CustomEvent<FirecallErrorDetail>;
  'firecall-incoming': CustomEvent<FirecallIncomingDetail>;
}

export function dispatch<K extends keyof FirecallEventMap>(target: EventTarget, name: K, detail: FirecallEventMap[K]['detail']): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

export function stateDetail(s: CallSnapshot): FirecallStateDetail {
  return { callId: s.callId, state: s.state, phase: s.phase, direction: s.direction, reason: s.reason, timings: { ...s.timings } };
}

export function endedDetail(s: CallSnapshot, message: string, now: number): FirecallEndedDetail {
  return {
    callId: s.callId,
    state: s.state === 'failed' ? 'failed' : 'ended',
    reason: s.reason,
    message,
    timings: { ...s.timings },
    duration: s.connectedAt ? Math.max(0, now - s.connectedAt) : 0,
  };
}

/** The documented reason for an error the engine reported or threw. */
export function errorReason(error: Error): FirecallErrorReason {
  const reason = (error as Error & { reason?: unknown }).reason;
  return isCallReason(reason) ? reason : 'unexpected';
}

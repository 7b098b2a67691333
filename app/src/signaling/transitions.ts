/**
 * Who may move a call document from which state to which, and what the move records.
 * Both signaling stores enforce this one table; firestore.rules says the same in its own
 * language, and a generated rules test walks every move of the table against it.
 */
import type { CallDocState } from './channel';

export type CallRole = 'caller' | 'callee';

export interface CallTransition {
  from: CallDocState;
  to: CallDocState;
  by: CallRole | 'either';
  /** What the user does, for messages ("Only the callee can accept a call."). */
  verb: string;
  /** The endReason the move records: a fixed code, `'code'` for any reason code, or none. */
  endReason: string | null;
}

export const CALL_STATES: readonly CallDocState[] = ['ringing', 'accepted', 'declined', 'cancelled', 'missed', 'ended'];

/** States a call never leaves; after them only a bye signal may still be written. */
export const FINAL_STATES: ReadonlySet<CallDocState> = new Set<CallDocState>(['declined', 'cancelled', 'missed', 'ended']);

export const CALL_TRANSITIONS: readonly CallTransition[] = [
  { from: 'ringing', to: 'accepted', by: 'callee', verb: 'accept', endReason: null },
  { from: 'ringing', to: 'declined', by: 'callee', verb: 'decline', endReason: 'declined' },
  { from: 'ringing', to: 'cancelled', by: 'caller', verb: 'cancel', endReason: 'cancelled' },
  // Nobody answered: the caller logs it as missed, and the reason reads as the callee being unavailable.
  { from: 'ringing', to: 'missed', by: 'caller', verb: 'mark as missed', endReason: 'unavailable' },
  { from: 'accepted', to: 'ended', by: 'either', verb: 'end', endReason: 'code' },
];

/** The one move into `to`, if any (every state but ringing is reached one way only). */
export function transitionTo(to: CallDocState): CallTransition | undefined {
  return CALL_TRANSITIONS.find((step) => step.to === to);
}

/** Why `role` cannot move a call that is `state` into `to`, or null when the move is allowed. */
export function transitionRefusal(state: CallDocState, to: unknown, role: CallRole): string | null {
  const step = CALL_TRANSITIONS.find((candidate) => candidate.to === to);
  if (!step) return `A call cannot be moved to ${JSON.stringify(String(to).slice(0, 32))}.`;
  if (step.by !== 'either' && step.by !== role) return `Only the ${step.by} can ${step.verb} a call.`;
  if (state !== step.from) return `Cannot ${step.verb} a call: it is ${state}, not ${step.from}.`;
  return null;
}

/** End reasons are short codes like "hung-up" (firestore.rules matches the same pattern). */
const REASON_CODE = /^[a-z][a-z0-9-]{0,63}$/;

/** Why `reason` cannot be recorded by the move into `to`, or null. */
export function endReasonProblem(to: CallDocState, reason: unknown): string | null {
  const wanted = transitionTo(to)?.endReason ?? null;
  if (wanted === null) return reason === undefined ? null : `Moving a call to ${to} records no end reason.`;
  if (wanted === 'code')
    return typeof reason === 'string' && REASON_CODE.test(reason)
      ? null
      : `End reason ${JSON.stringify(String(reason).slice(0, 40))} is not a reason code like "hung-up".`;
  return reason === wanted ? null : `A call moved to ${to} records the reason "${wanted}".`;
}

/**
 * Who may move a call document from which state to which, and what the move records.
 * Both signaling stores enforce this one table; firestore.rules says the same in its own
 * language, and a generated rules test walks every move of the table against it.
 */
import type { CallDocState, CallRecord, DeclineReason, MissedReason } from './channel';

export type CallRole = 'caller' | 'callee';

export interface CallTransition {
  from: CallDocState;
  to: CallDocState;
  by: CallRole | 'either';
  /** What the user does, for messages ("Only the callee can accept a call."). */
  verb: string;
  /**
   * The end reasons the move may record: fixed codes (the first is what a store records when
   * told none), `'code'` for any reason code, or null for none.
   */
  endReasons: readonly string[] | 'code' | null;
}

export const CALL_STATES: readonly CallDocState[] = ['ringing', 'accepted', 'declined', 'cancelled', 'missed', 'ended'];

/** States a call never leaves; after them only a bye signal may still be written. */
export const FINAL_STATES: ReadonlySet<CallDocState> = new Set<CallDocState>(['declined', 'cancelled', 'missed', 'ended']);

export const CALL_TRANSITIONS: readonly CallTransition[] = [
  { from: 'ringing', to: 'accepted', by: 'callee', verb: 'accept', endReasons: null },
  // 'busy': the callee's phone answered for them, because they are on another call.
  { from: 'ringing', to: 'declined', by: 'callee', verb: 'decline', endReasons: ['declined', 'busy'] satisfies DeclineReason[] },
  { from: 'ringing', to: 'cancelled', by: 'caller', verb: 'cancel', endReasons: ['cancelled'] },
  // Nobody answered: 'unavailable' when no device of the callee confirmed delivery in time,
  // 'no-answer' when it rang there until the ring time ran out. Either is a missed call.
  {
    from: 'ringing',
    to: 'missed',
    by: 'caller',
    verb: 'mark as missed',
    endReasons: ['unavailable', 'no-answer'] satisfies MissedReason[],
  },
  { from: 'accepted', to: 'ended', by: 'either', verb: 'end', endReasons: 'code' },
];

/**
 * The delivery receipt: a device of the callee saw the call ringing. It changes no state and
 * sets one field, once, by the callee only; the caller says "Ringing" only after it.
 */
export const DELIVERY_RECEIPT = { field: 'deliveredAt', state: 'ringing', by: 'callee', verb: 'confirm delivery of' } as const;

/** The one move into `to`, if any (every state but ringing is reached one way only). */
export function transitionTo(to: CallDocState): CallTransition | undefined {
  return CALL_TRANSITIONS.find((step) => step.to === to);
}

/** The end reason a move into `to` records when the writer names none (undefined: none or any code). */
export function defaultEndReason(to: CallDocState): string | undefined {
  const reasons = transitionTo(to)?.endReasons;
  return Array.isArray(reasons) ? reasons[0] : undefined;
}

/** Why `role` cannot move a call that is `state` into `to`, or null when the move is allowed. */
export function transitionRefusal(state: CallDocState, to: unknown, role: CallRole): string | null {
  const step = CALL_TRANSITIONS.find((candidate) => candidate.to === to);
  if (!step) return `A call cannot be moved to ${JSON.stringify(String(to).slice(0, 32))}.`;
  if (step.by !== 'either' && step.by !== role) return `Only the ${step.by} can ${step.verb} a call.`;
  if (state !== step.from) return `Cannot ${step.verb} a call: it is ${state}, not ${step.from}.`;
  return null;
}

/** Why `role` cannot write the delivery receipt on `call`, or null when it may. */
export function receiptRefusal(call: Pick<CallRecord, 'state' | 'deliveredAt'>, role: CallRole): string | null {
  const { state, by, verb } = DELIVERY_RECEIPT;
  if (role !== by) return `Only the ${by} can ${verb} a call.`;
  if (call.state !== state) return `Cannot ${verb} a call: it is ${call.state}, not ${state}.`;
  if (call.deliveredAt !== undefined) return `Cannot ${verb} a call twice.`;
  return null;
}

/** End reasons are short codes like "hung-up" (firestore.rules matches the same pattern). */
const REASON_CODE = /^[a-z][a-z0-9-]{0,63}$/;

/** Why `reason` cannot be recorded by the move into `to`, or null. */
export function endReasonProblem(to: CallDocState, reason: unknown): string | null {
  const wanted = transitionTo(to)?.endReasons ?? null;
  if (wanted === null) return reason === undefined ? null : `Moving a call to ${to} records no end reason.`;
  if (wanted === 'code')
    return typeof reason === 'string' && REASON_CODE.test(reason)
      ? null
      : `End reason ${JSON.stringify(String(reason).slice(0, 40))} is not a reason code like "hung-up".`;
  if (typeof reason === 'string' && wanted.includes(reason)) return null;
  const listed = wanted.map((code) => `"${code}"`).join(' or ');
  return `A call moved to ${to} records the reason ${listed}.`;
}

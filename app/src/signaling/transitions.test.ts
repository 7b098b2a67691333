import { describe, expect, it } from 'vitest';
import { CALL_STATES, FINAL_STATES, defaultEndReason, endReasonProblem, receiptRefusal, transitionRefusal } from './transitions';

describe('call state transitions', () => {
  it('the callee answers or declines a ringing call, the caller cancels it or logs it missed, either ends an accepted one', () => {
    const allowed = CALL_STATES.flatMap((from) =>
      CALL_STATES.flatMap((to) =>
        (['caller', 'callee'] as const)
          .filter((role) => transitionRefusal(from, to, role) === null)
          .map((role) => `${from}->${to} by ${role}`),
      ),
    );
    expect(allowed.sort()).toEqual(
      [
        'ringing->accepted by callee',
        'ringing->declined by callee',
        'ringing->cancelled by caller',
        'ringing->missed by caller',
        'accepted->ended by caller',
        'accepted->ended by callee',
      ].sort(),
    );
  });

  it('says why a move is refused, in words a support engineer can act on', () => {
    expect(transitionRefusal('ringing', 'accepted', 'caller')).toBe('Only the callee can accept a call.');
    expect(transitionRefusal('ended', 'accepted', 'callee')).toBe('Cannot accept a call: it is ended, not ringing.');
    expect(transitionRefusal('accepted', 'ringing', 'caller')).toMatch(/cannot be moved to "ringing"/);
  });

  it('no move leaves a final state', () => {
    for (const from of FINAL_STATES)
      for (const to of CALL_STATES)
        for (const role of ['caller', 'callee'] as const) expect(transitionRefusal(from, to, role)).not.toBeNull();
  });

  it('each move records its own end reason; ending takes any reason code', () => {
    expect(endReasonProblem('accepted', undefined)).toBeNull();
    expect(endReasonProblem('declined', 'declined')).toBeNull();
    expect(endReasonProblem('missed', 'unavailable')).toBeNull();
    expect(endReasonProblem('missed', 'no-answer')).toBeNull();
    expect(endReasonProblem('declined', 'busy')).toBeNull();
    expect(endReasonProblem('declined', 'no-answer')).toBe('A call moved to declined records the reason "declined" or "busy".');
    expect(endReasonProblem('cancelled', 'busy')).toMatch(/records the reason "cancelled"\.$/);
    expect(endReasonProblem('missed', 'cancelled')).toMatch(/records the reason "unavailable"/);
    expect(endReasonProblem('ended', 'peer-left')).toBeNull();
    expect(endReasonProblem('ended', 'Peer left')).toMatch(/not a reason code/);
    expect(endReasonProblem('ended', 'x'.repeat(65))).toMatch(/not a reason code/);
  });

  it('a store told no reason records the first one the move lists', () => {
    expect([defaultEndReason('declined'), defaultEndReason('missed'), defaultEndReason('cancelled')]).toEqual([
      'declined',
      'unavailable',
      'cancelled',
    ]);
    expect(defaultEndReason('ended')).toBeUndefined();
    expect(defaultEndReason('accepted')).toBeUndefined();
  });

  it('the delivery receipt: by the callee, once, only while the call rings', () => {
    expect(receiptRefusal({ state: 'ringing' }, 'callee')).toBeNull();
    expect(receiptRefusal({ state: 'ringing' }, 'caller')).toBe('Only the callee can confirm delivery of a call.');
    expect(receiptRefusal({ state: 'ringing', deliveredAt: 5 }, 'callee')).toBe('Cannot confirm delivery of a call twice.');
    for (const state of CALL_STATES.filter((s) => s !== 'ringing'))
      expect(receiptRefusal({ state }, 'callee')).toBe(`Cannot confirm delivery of a call: it is ${state}, not ringing.`);
  });
});

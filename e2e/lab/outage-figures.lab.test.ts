// Pure (no namespaces needed); it lives with the lab suite because the unit project covers app/, functions/ and scripts/.
import { describe, expect, it } from 'vitest';
import { pictureGap, type DisruptionResult, type SideView } from './outage';
import { outageGoals, outageRow, type OutageTrial } from './outage-figures';

/** Frames every 33 ms from `from` to `to` (epoch ms). */
const frames = (from: number, to: number) => Array.from({ length: Math.floor((to - from) / 33) + 1 }, (_, i) => from + i * 33);

describe("pictureGap: when a side's picture stopped and came back", () => {
  it('finds the first stretch of over a second without frames', () => {
    const shown = [...frames(0, 5_000), ...frames(13_200, 15_000)];
    expect(pictureGap(shown, 4_000, 15_000)).toEqual({ stoppedAt: shown.filter((f) => f <= 5_000).at(-1), backAt: 13_200 });
  });

  it('a picture that never stopped has no gap, even when the last frame was a moment ago', () => {
    expect(pictureGap(frames(0, 9_000), 4_000, 9_100)).toEqual({ stoppedAt: null, backAt: null });
  });

  it('a picture that stopped and is still gone has no return', () => {
    const shown = frames(0, 5_000);
    expect(pictureGap(shown, 4_000, 20_000)).toEqual({ stoppedAt: shown.at(-1), backAt: null });
  });
});

const view = (over: Partial<SideView> = {}): SideView => ({
  stoppedAt: 5_000,
  backAt: 14_000,
  reconnectingMs: 1_100,
  reconnectingDropped: 'peer',
  reconnectingShown: 1,
  ended: null,
  ...over,
});

function trial(
  side: 'caller' | 'callee',
  result: Partial<DisruptionResult> | null,
  variant: 'firecall' | 'baseline' = 'firecall',
): OutageTrial {
  const full: DisruptionResult | null = result && {
    disruption: { kind: 'outage', side, mode: 'drop', ms: 8_000 },
    fromAt: 13_000,
    mediaBackMs: 1_000,
    caller: view({ reconnectingDropped: side === 'caller' ? 'own' : 'peer' }),
    callee: view({ reconnectingDropped: side === 'callee' ? 'own' : 'peer' }),
    ...result,
  };
  return { scenario: 'outage-8', variant, side, mode: 'drop', result: full, error: result ? null : 'no call' };
}

describe('outage rows', () => {
  it('a call one side ended did not survive, even with media back; a trial without a call counts against it', () => {
    const ended = { afterMs: 6_300, state: 'ended', reason: 'peer-left', message: 'The other person left the call.' };
    const row = outageRow('outage-8', 'drop', 'firecall', [
      trial('caller', {}),
      trial('callee', { caller: view({ ended }) }),
      trial('caller', null),
    ]);
    expect(row.survived).toBe(1);
    expect(row.trials).toBe(3);
    expect(row.bySide).toEqual({ caller: 2, callee: 1 });
    expect(row.endings).toEqual({ 'ended:peer-left': 1 });
  });

  it('"Reconnecting" in time counts the slower side; whose connection must be right on both', () => {
    const slow = trial('callee', { callee: view({ reconnectingMs: 1_800, reconnectingDropped: 'own' }) });
    const wrong = trial('caller', { caller: view({ reconnectingDropped: 'peer' }) });
    const row = outageRow('outage-8', 'drop', 'firecall', [trial('caller', {}), slow, wrong]);
    expect(row.reconnectingInTime).toBe(2);
    expect(row.reconnectingMs?.max).toBe(1_800);
    expect(row.whoseRight).toBe(2);
  });

  it('the plain page has no screen: its row counts media and survival only', () => {
    const row = outageRow('outage-8', 'drop', 'baseline', [trial('caller', {}, 'baseline')]);
    expect(row).toMatchObject({ survived: 1, reconnectingInTime: null, whoseRight: null, flapped: null, bothEndedWithReason: null });
  });

  it('past the deadline, the goal asks for both sides ending in words at the deadline, not early', () => {
    const endAt = (afterMs: number) =>
      view({ ended: { afterMs, state: 'failed', reason: 'connection-lost', message: 'The connection was lost.' } });
    const at = (afterMs: number) => ({
      ...trial('caller', { caller: endAt(afterMs), callee: endAt(afterMs), mediaBackMs: null }),
      scenario: 'outage-70',
    });
    const goal = (afterMs: number) =>
      outageGoals([outageRow('outage-70', 'drop', 'firecall', [at(afterMs)])], 60_000).find((g) => g.text.includes('ended'))!;
    expect(goal(60_400).met).toBe(true);
    expect(goal(6_300).met).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { QualityError } from './errors';
import { createStatsPoller } from './poller';
import { createManualClock } from './testing';

describe('stats poller', () => {
  it('keeps polling after a sample it could not handle, and reports that once', async () => {
    const clock = createManualClock();
    const errors: QualityError[] = [];
    let samples = 0;
    const poller = createStatsPoller({
      getStats: async () => new Map(),
      clock,
      intervalMs: 1_000,
      onSample: () => {
        samples += 1;
        if (samples === 2 || samples === 3) throw new Error('a broken sample');
      },
      onError: (e) => errors.push(e),
    });
    poller.start();
    await clock.advance(5_500);
    poller.stop();
    // Before, the first throw rejected the poll and no poll was scheduled again: the level froze for the call.
    expect(samples).toBe(6);
    expect(errors.map((e) => e.reason)).toEqual(['stats-unavailable']);
    expect((errors[0]!.cause as Error).message).toBe('a broken sample');
  });
});

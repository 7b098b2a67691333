/**
 * Polls getStats on a fixed cadence and hands each consecutive pair of
 * reports to the sampler. Polls never overlap: the next one is scheduled when
 * the previous one settled, so a slow getStats stretches the interval instead
 * of piling up calls.
 */
import type { QualityClock } from './clock';
import { QualityError } from './errors';
import { sampleStats, type QualitySample, type StatsReportLike, type StatsSnapshot } from './stats';

export interface StatsPollerOptions {
  /** Usually `() => pc.getStats()`. */
  getStats: () => Promise<StatsReportLike>;
  clock: QualityClock;
  intervalMs: number;
  onSample: (sample: QualitySample) => void;
  /** Called once per streak of failing polls (not once a second). */
  onError: (error: QualityError) => void;
}

export interface StatsPoller {
  start(): void;
  stop(): void;
}

export function createStatsPoller(options: StatsPollerOptions): StatsPoller {
  const { getStats, clock, intervalMs, onSample, onError } = options;
  let running = false;
  let generation = 0;
  let timer: unknown = null;
  let previous: StatsSnapshot | null = null;
  let failing = false;
  /** Once per streak of failures, not once a second. */
  const failed = (cause: unknown) => {
    if (!failing) onError(new QualityError('stats-unavailable', { cause }));
    failing = true;
  };

  async function poll(myGeneration: number): Promise<void> {
    const startedAt = clock.now();
    let report: StatsReportLike | null = null;
    try {
      report = await getStats();
    } catch (cause) {
      if (myGeneration !== generation) return;
      failed(cause);
      // Rates across a gap would mix two different periods.
      previous = null;
    }
    if (myGeneration !== generation) return;
    if (report !== null) {
      // A report we cannot read, or a sample handler that broke, must not end the polling:
      // the next one may be fine, and a stopped poller froze the level for the rest of the call.
      const snapshot = { at: clock.now(), report };
      let sample: QualitySample | null = null;
      try {
        sample = sampleStats(previous, snapshot);
        previous = snapshot;
      } catch (cause) {
        failed(cause);
        previous = null;
      }
      if (sample) {
        try {
          onSample(sample);
          failing = false;
        } catch (cause) {
          failed(cause);
        }
      }
    }
    if (myGeneration !== generation) return;
    const elapsed = clock.now() - startedAt;
    timer = clock.setTimeout(() => void poll(myGeneration), Math.max(0, intervalMs - elapsed));
  }

  return {
    start() {
      if (running) return;
      running = true;
      generation += 1;
      previous = null;
      void poll(generation);
    },
    stop() {
      if (!running) return;
      running = false;
      generation += 1;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}

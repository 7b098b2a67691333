/**
 * Watches the calls ringing for this user. A listener that dies would silently stop all
 * ringing, so a failed watch is retried with backoff and the page is told, so it can say
 * "you may miss calls"; once calls are watched again it is told `null`.
 */
import type { CallRecord, SignalingChannel } from '../signaling/channel';
import type { Clock } from './clock';
import type { Logger } from './logger';

const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

export interface IncomingWatchOptions {
  signaling: SignalingChannel;
  clock: Clock;
  log: Logger;
  onCalls: (calls: CallRecord[]) => void;
  /** Every failed attempt, then null once the watch works again. */
  onTrouble: (error: Error | null) => void;
}

/** Starts watching; returns the function that stops it for good. */
export function watchIncomingCalls({ signaling, clock, log, onCalls, onTrouble }: IncomingWatchOptions): () => void {
  let stopped = false;
  let failing = false;
  let retries = 0;
  let retryTimer: unknown = null;
  let unsubscribe: (() => void) | null = null;

  const watch = () => {
    unsubscribe = signaling.watchIncoming(
      (calls) => {
        retries = 0;
        if (failing) {
          failing = false;
          onTrouble(null);
        }
        onCalls(calls);
      },
      (error) => {
        log.warn(`incoming calls unavailable: ${error.message}`);
        failing = true;
        onTrouble(error);
        if (stopped || retryTimer !== null) return;
        const delay = RETRY_DELAYS_MS[Math.min(retries, RETRY_DELAYS_MS.length - 1)]!;
        retries += 1;
        retryTimer = clock.setTimeout(() => {
          retryTimer = null;
          if (stopped) return;
          unsubscribe?.();
          watch();
        }, delay);
      },
    );
  };
  watch();

  return () => {
    stopped = true;
    if (retryTimer !== null) clock.clearTimeout(retryTimer);
    retryTimer = null;
    unsubscribe?.();
  };
}

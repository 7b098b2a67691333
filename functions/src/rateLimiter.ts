/**
 * Sliding-window rate limit per key (the caller's uid), in memory.
 * It is per function instance: with N instances a user can get up to N times the limit;
 * that bounds abuse of one instance's CPU and keeps credential minting cheap, which is the point.
 */
export interface RateLimiterOptions {
  /** Window length in ms (one minute for "per minute"). */
  windowMs: number;
  /** Current time in epoch ms; injected so tests need no real waiting. */
  clock: () => number;
  /** Above this many tracked keys, idle ones are swept so memory stays bounded. */
  sweepAbove?: number;
}

export interface RateDecision {
  allowed: boolean;
  /** When refused: ms until the oldest call in the window leaves it. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Counts one call for `key` if fewer than `limit` happened in the window; otherwise refuses it. */
  take(key: string, limit: number): RateDecision;
}

export function createRateLimiter({ windowMs, clock, sweepAbove = 10_000 }: RateLimiterOptions): RateLimiter {
  const calls = new Map<string, number[]>();

  const recent = (key: string, now: number): number[] => {
    const kept = (calls.get(key) ?? []).filter((at) => at > now - windowMs);
    if (kept.length > 0) calls.set(key, kept);
    else calls.delete(key);
    return kept;
  };

  return {
    take(key, limit) {
      const now = clock();
      if (calls.size > sweepAbove) for (const other of [...calls.keys()]) recent(other, now);
      const kept = recent(key, now);
      if (kept.length >= limit) {
        return { allowed: false, retryAfterMs: Math.max(0, kept[kept.length - limit]! + windowMs - now) };
      }
      kept.push(now);
      calls.set(key, kept);
      return { allowed: true, retryAfterMs: 0 };
    },
  };
}

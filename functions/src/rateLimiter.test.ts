import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rateLimiter';

function limiterAt(start = 1_000_000) {
  const time = { now: start };
  const limiter = createRateLimiter({ windowMs: 60_000, clock: () => time.now, sweepAbove: 1 });
  return { limiter, time };
}

describe('createRateLimiter (sliding window)', () => {
  it('allows `limit` calls per window, then refuses with the wait until a slot frees', () => {
    const { limiter, time } = limiterAt();
    expect(limiter.take('alice', 3).allowed).toBe(true);
    time.now += 10_000;
    expect(limiter.take('alice', 3).allowed).toBe(true);
    expect(limiter.take('alice', 3).allowed).toBe(true);
    expect(limiter.take('alice', 3)).toEqual({ allowed: false, retryAfterMs: 50_000 });
  });

  it('slides: the oldest call leaving the window frees exactly one slot', () => {
    const { limiter, time } = limiterAt();
    limiter.take('alice', 2);
    time.now += 30_000;
    limiter.take('alice', 2);
    time.now += 29_999;
    expect(limiter.take('alice', 2).allowed).toBe(false);
    time.now += 1;
    expect(limiter.take('alice', 2).allowed).toBe(true);
    expect(limiter.take('alice', 2)).toEqual({ allowed: false, retryAfterMs: 30_000 });
  });

  it('refused calls do not extend the wait, and users are limited separately', () => {
    const { limiter, time } = limiterAt();
    limiter.take('alice', 1);
    for (let i = 0; i < 5; i++) expect(limiter.take('alice', 1).allowed).toBe(false);
    expect(limiter.take('bob', 1).allowed).toBe(true);
    expect(limiter.take('carol', 1).allowed).toBe(true); // more keys than sweepAbove: a sweep runs
    expect(limiter.take('alice', 1).allowed).toBe(false); // ...and keeps calls still in the window
    time.now += 60_000;
    expect(limiter.take('alice', 1).allowed).toBe(true);
    expect(limiter.take('bob', 1).allowed).toBe(true);
  });
});

import { HttpsError } from 'firebase-functions/v2/https';
import { describe, expect, it } from 'vitest';
import { parseIceServersRequest } from './request';

function refusal(data: unknown): HttpsError {
  try {
    parseIceServersRequest(data, 3600);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpsError);
    expect((error as HttpsError).code).toBe('invalid-argument');
    return error as HttpsError;
  }
  throw new Error(`expected ${JSON.stringify(data)} to be refused`);
}

describe('parseIceServersRequest', () => {
  it('defaults to the configured TTL for no argument, null or {}', () => {
    expect(parseIceServersRequest(undefined, 3600)).toEqual({ ttlSeconds: 3600 });
    expect(parseIceServersRequest(null, 3600)).toEqual({ ttlSeconds: 3600 });
    expect(parseIceServersRequest({}, 3600)).toEqual({ ttlSeconds: 3600 });
  });

  it('accepts a shorter lifetime down to 60 s', () => {
    expect(parseIceServersRequest({ ttlSeconds: 60 }, 3600)).toEqual({ ttlSeconds: 60 });
    expect(parseIceServersRequest({ ttlSeconds: 3600 }, 3600)).toEqual({ ttlSeconds: 3600 });
  });

  it('refuses wrong shapes and types with a message saying what was wrong', () => {
    expect(refusal('hello').message).toMatch(/expected no argument or an object .*got a string \("hello"\)/);
    expect(refusal([1]).message).toMatch(/got an array/);
    expect(refusal(42).message).toMatch(/got 42/);
    expect(refusal({ ttl: 60 }).message).toMatch(/unknown field\(s\) "ttl"; only ttlSeconds and region are accepted/);
    expect(refusal({ ttlSeconds: '600' }).message).toMatch(/ttlSeconds must be an integer from 60 to 3600, got a string/);
  });

  it('refuses lifetimes outside 60..configured TTL and non-integers', () => {
    for (const ttlSeconds of [59, 3601, 60.5, Number.NaN, -1, null, true]) {
      expect(refusal({ ttlSeconds }).message).toMatch(/ttlSeconds must be an integer from 60 to 3600/);
    }
  });

  it('does not echo a huge string back', () => {
    expect(refusal('x'.repeat(100_000)).message.length).toBeLessThan(200);
  });

  it('does not echo huge or countless unknown keys back', () => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`${'k'.repeat(10_000)}${i}`, 1]));
    const message = refusal(many).message;
    expect(message.length).toBeLessThan(400);
    expect(message).toContain('and 995 more');
  });
});

import { describe, expect, it } from 'vitest';
import { createHealthReader, markedDown, STALE_AFTER_MS, withoutDownHosts, type HealthRecord } from './health';
import { parseTurnHostGroups } from './regions';

const T0 = 1_700_000_000_000;
const record = (hosts: HealthRecord['hosts']): HealthRecord => ({ hosts });

describe('TURN health record', () => {
  it('marks down only hosts whose latest probe failed recently', () => {
    const now = T0 + 60_000;
    const down = markedDown(
      record({
        'turn-a.example.com': { up: false, checkedAt: T0 },
        'turn-b.example.com': { up: true, checkedAt: T0 },
        'turn-c.example.com': { up: false, checkedAt: now - STALE_AFTER_MS }, // the prober stopped: no verdict
      }),
      now,
    );
    expect([...down]).toEqual(['turn-a.example.com']);
  });

  it('drops down hosts and empty groups, but answers every host when all are down', () => {
    const groups = parseTurnHostGroups(['europe=a.example.com', 'europe=b.example.com', 'asia=c.example.com']);
    expect(withoutDownHosts(groups, new Set(['a.example.com', 'c.example.com']))).toEqual({
      groups: [{ region: 'europe', hosts: ['b.example.com'] }],
      allDown: false,
    });
    expect(withoutDownHosts(groups, new Set(['a.example.com', 'b.example.com', 'c.example.com']))).toEqual({ groups, allDown: true });
  });

  it('reads the record once per cache period and sees a change after it', async () => {
    const time = { now: T0 };
    let current = record({ 'a.example.com': { up: true, checkedAt: T0 } });
    let reads = 0;
    const reader = createHealthReader({ read: async () => (reads++, current), clock: () => time.now, cacheMs: 10_000 });
    expect([...(await reader.downHosts())]).toEqual([]);
    current = record({ 'a.example.com': { up: false, checkedAt: T0 + 1_000 } });
    time.now = T0 + 9_999;
    expect([...(await reader.downHosts())]).toEqual([]);
    time.now = T0 + 10_000;
    expect([...(await reader.downHosts())]).toEqual(['a.example.com']);
    expect(reads).toBe(2);
  });

  it('answers without the record when it fails or is malformed, and says so', async () => {
    const errors: string[] = [];
    const failing = createHealthReader({
      read: () => Promise.reject(new Error('permission denied')),
      clock: () => T0,
      onError: (error) => errors.push(error.message),
    });
    expect([...(await failing.downHosts())]).toEqual([]);
    expect(errors).toEqual(['permission denied']);
    const malformed = createHealthReader({ read: async () => ({ hosts: { 'a.example.com': { up: 'no' } } }) as never, clock: () => T0 });
    expect([...(await malformed.downHosts())]).toEqual([]);
  });

  it('does not hold credentials hostage to a read that never answers', async () => {
    const errors: string[] = [];
    const reader = createHealthReader({
      read: () => new Promise(() => {}),
      clock: () => T0,
      timeoutMs: 20,
      onError: (error) => errors.push(error.message),
    });
    expect([...(await reader.downHosts())]).toEqual([]);
    expect(errors[0]).toMatch(/did not arrive within 20 ms/);
  });
});

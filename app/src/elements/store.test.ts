import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { CallSnapshot } from '../call/types';
import { createCallStore } from './store';
import { FakeCallClient } from './testing/fake-client';

function setup() {
  let now = 50_000;
  const timers = new Map<number, () => void>();
  let nextTimer = 0;
  const seen: string[] = [];
  const { store, dispose } = createCallStore(
    {
      now: () => now,
      setInterval: (fn) => (timers.set(++nextTimer, fn), nextTimer),
      clearInterval: (h) => timers.delete(h as number),
      onState: (s: CallSnapshot) => seen.push(`state:${s.state}${s.phase ? `/${s.phase}` : ''}`),
      onEnded: (s: CallSnapshot) => seen.push(`ended:${s.reason}`),
      onError: (e: Error) => seen.push(`error:${e.message}`),
    },
    createPinia(),
  );
  return {
    store,
    dispose,
    seen,
    timers,
    advance(ms: number) {
      now += ms;
      for (const fn of timers.values()) fn();
    },
  };
}

describe('call store', () => {
  it('mirrors the session and reports each state change once', () => {
    const { store, seen } = setup();
    const client = new FakeCallClient();
    const session = store.call(client, { callee: 'ana', kind: 'video' }) as ReturnType<FakeCallClient['call']>;
    session.push({ state: 'connecting', phase: 'signaling' });
    session.push({ phase: 'checking' });
    session.push({ muted: true });
    expect(store.snapshot?.muted).toBe(true);
    session.push({ state: 'failed', phase: null, reason: 'no-route' });
    expect(store.state).toBe('failed');
    expect(seen).toEqual([
      'state:requesting-media',
      'state:connecting/signaling',
      'state:connecting/checking',
      'state:failed',
      'ended:no-route',
    ]);
  });

  it('ticks the call timer only while connected', () => {
    const { store, timers, advance } = setup();
    const session = store.call(new FakeCallClient(), { callee: 'ana', kind: 'voice' }) as ReturnType<FakeCallClient['call']>;
    expect(timers.size).toBe(0);
    session.push({ state: 'connected', connectedAt: 50_000 });
    advance(3000);
    expect(store.clock).toBe(53_000);
    session.push({ state: 'ended', reason: 'hung-up' });
    expect(timers.size).toBe(0);
  });

  it('turns a refused request into an error event instead of an unhandled rejection', async () => {
    const { store, seen } = setup();
    const session = store.call(new FakeCallClient(), { callee: 'ana', kind: 'video' }) as ReturnType<FakeCallClient['call']>;
    session.startScreenShare = () => Promise.reject(new Error('Screen sharing was cancelled.'));
    await store.toggleScreenShare();
    expect(seen).toContain('error:Screen sharing was cancelled.');
  });

  it('an error the session already reported and then rethrew fires once', async () => {
    const { store, seen } = setup();
    const session = store.call(new FakeCallClient(), { callee: 'ana', kind: 'video' }) as ReturnType<FakeCallClient['call']>;
    // What the engine does on a failed screen share: report it, then reject with the same error.
    session.startScreenShare = async () => {
      const error = new Error('The screen picker returned no video.');
      session.fail(error);
      throw error;
    };
    await store.toggleScreenShare();
    expect(seen.filter((line) => line.startsWith('error:'))).toEqual(['error:The screen picker returned no video.']);
  });

  it('stops listening to the session once disposed', () => {
    const { store, dispose, seen } = setup();
    const session = store.call(new FakeCallClient(), { callee: 'ana', kind: 'video' }) as ReturnType<FakeCallClient['call']>;
    dispose();
    session.push({ state: 'connected' });
    expect(seen).toEqual(['state:requesting-media']);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignalingError, type SignalingChannel } from '../signaling/channel';
import { FakeClock } from './testing/fake-clock';
import { createPhones, createTestClient, nextIncoming } from './testing/wrtc';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

/** Bob's client over `signaling`, on a fake clock, disposed after the test. */
function bobOn(signaling: SignalingChannel, clock: FakeClock) {
  const { client: bob, devices } = createTestClient(signaling, { clock });
  cleanup.push(
    () => bob.dispose(),
    () => devices.stopAll(),
  );
  return bob;
}

describe('watching for incoming calls', () => {
  it('an error is surfaced and the watch comes back by itself, so calls ring again', async () => {
    const w = createPhones(['alice']);
    cleanup.push(w.dispose);
    const real = w.store.channel('bob');
    let attempts = 0;
    // The first subscription fails (e.g. the network dropped the listen stream); later ones work.
    const flaky = new Proxy(real, {
      get(target, key) {
        if (key === 'watchIncoming') {
          return (onCalls: Parameters<SignalingChannel['watchIncoming']>[0], onError?: (error: SignalingError) => void) => {
            attempts += 1;
            if (attempts === 1) {
              queueMicrotask(() => onError?.(new SignalingError('signaling-unavailable', 'listen stream lost')));
              return () => undefined;
            }
            return target.watchIncoming(onCalls, onError);
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const clock = new FakeClock();
    const bob = bobOn(flaky, clock);
    const errors: (Error | null)[] = [];
    bob.onIncomingError((error) => errors.push(error));
    await Promise.resolve();
    expect(errors.map((e) => e?.message ?? null)).toEqual(['listen stream lost']);
    await clock.advance(1_000);
    expect(attempts).toBe(2);
    // Watching again: the UI can take its warning down.
    await vi.waitFor(() => expect(errors.map((e) => e?.message ?? null)).toEqual(['listen stream lost', null]));
    const ringing = nextIncoming(bob);
    w.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
    expect((await ringing).snapshot.state).toBe('ringing');
  });
});

describe('a caller that vanished while it was ringing', () => {
  const bobWith = (w: ReturnType<typeof createPhones>, clock: FakeClock) => bobOn(w.store.channel('bob'), clock);

  it('the callee stops ringing a little after the ring time, as cancelled', async () => {
    const w = createPhones([]);
    const clock = new FakeClock();
    const bob = bobWith(w, clock);
    const ringing = nextIncoming(bob);
    // Alice's browser wrote the call and died: no session of hers will cancel it or mark it missed.
    await w.store.channel('alice').startCall({ callee: 'bob', kind: 'voice' });
    const session = await ringing;
    await clock.advance(45_000);
    expect(session.snapshot.state).toBe('ringing');
    await clock.advance(5_000);
    expect(session.snapshot).toMatchObject({ state: 'ended', reason: 'cancelled' });
  });

  it('a call left ringing long ago does not ring when the page opens; a new one does', async () => {
    const clock = new FakeClock();
    const w = createPhones([], { now: () => clock.now() });
    await w.store.channel('alice').startCall({ callee: 'bob', kind: 'voice' });
    // Bob opens the CRM page 11 minutes later.
    await clock.advance(11 * 60_000);
    const bob = bobWith(w, clock);
    const rang: string[] = [];
    bob.onIncoming((session) => rang.push(session.snapshot.callId!));
    const ringing = nextIncoming(bob);
    const fresh = await w.store.channel('carol').startCall({ callee: 'bob', kind: 'voice' });
    expect((await ringing).snapshot.callId).toBe(fresh.id);
    expect(rang).toEqual([fresh.id]);
  });
});

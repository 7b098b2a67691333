import { afterEach, describe, expect, it } from 'vitest';
import { SignalingError, type SignalingChannel } from '../signaling/channel';
import { createCallClient } from './client';
import { FakeClock } from './testing/fake-clock';
import { createPhones, FakeDevices, MediaStream, nextIncoming, noTurn, RTCPeerConnection } from './testing/wrtc';

let cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

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
    const devices = new FakeDevices();
    const bob = createCallClient({ signaling: flaky, iceServers: noTurn, clock, mediaDevices: devices, RTCPeerConnection, MediaStream, onPageHide: null, onNetworkChange: null });
    cleanup.push(() => bob.dispose(), () => devices.stopAll());
    const errors: Error[] = [];
    bob.onIncomingError((error) => errors.push(error));
    await Promise.resolve();
    expect(errors.map((e) => e.message)).toEqual(['listen stream lost']);
    await clock.advance(1_000);
    expect(attempts).toBe(2);
    const ringing = nextIncoming(bob);
    w.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
    expect((await ringing).snapshot.state).toBe('ringing');
  });
});

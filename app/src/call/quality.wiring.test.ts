import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectCall, createPhones, nextIncoming, reach } from './testing/wrtc';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

describe('ABR wiring (quality option)', () => {
  it('publishes a quality level on a connected call when enabled', async () => {
    const world = createPhones(['alice', 'bob'], {}, { quality: true });
    cleanup.push(world.dispose);
    const { caller } = await connectCall(world.phones);
    await vi.waitFor(() => expect(['good', 'fair', 'poor', 'lost']).toContain(caller.snapshot.quality), { timeout: 6_000, interval: 50 });
    expect(typeof caller.snapshot.videoPausedForBandwidth).toBe('boolean');
  });

  it('leaves nothing paused once the call is over', async () => {
    const world = createPhones(
      ['alice', 'bob'],
      {},
      {
        quality: (_pc, publish) => {
          publish({ quality: 'poor', videoPausedForBandwidth: true, peerVideoPaused: true });
          return { stop: () => {} };
        },
      },
    );
    cleanup.push(world.dispose);
    const { caller } = await connectCall(world.phones);
    expect(caller.snapshot).toMatchObject({ videoPausedForBandwidth: true, peerVideoPaused: true });
    await caller.hangUp();
    // A page mirroring the snapshot said "video paused" after hang-up.
    expect(caller.snapshot).toMatchObject({ state: 'ended', videoPausedForBandwidth: false, peerVideoPaused: false, quality: 'poor' });
  });

  it('stays silent when not enabled: by the time an enabled call, connected later, has a level, it has none', async () => {
    const plain = createPhones(['alice', 'bob']);
    const enabled = createPhones(['alice', 'bob'], {}, { quality: true });
    cleanup.push(plain.dispose, enabled.dispose);
    const incoming = nextIncoming(plain.phones.bob!.client);
    const caller = plain.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
    void (await incoming).accept();
    await reach(caller, 'connected');
    const twin = (await connectCall(enabled.phones, 'voice')).caller;
    await vi.waitFor(() => expect(twin.snapshot.quality).not.toBeNull(), { timeout: 6_000, interval: 50 });
    expect(caller.snapshot.state).toBe('connected');
    expect(caller.snapshot.quality).toBeNull();
  });
});

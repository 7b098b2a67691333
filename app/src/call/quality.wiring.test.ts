import { afterEach, describe, expect, it } from 'vitest';
import { connectCall, createPhones, nextIncoming, reach, sleep } from './testing/wrtc';

let cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

describe('ABR wiring (quality option)', () => {
  it('publishes a quality level on a connected call when enabled', async () => {
    const world = createPhones(['alice', 'bob'], {}, { quality: true });
    cleanup.push(world.dispose);
    const { caller } = await connectCall(world.phones);
    for (let i = 0; i < 60 && caller.snapshot.quality === null; i++) await sleep(100);
    expect(['good', 'fair', 'poor', 'lost']).toContain(caller.snapshot.quality);
    expect(typeof caller.snapshot.videoPausedForBandwidth).toBe('boolean');
  });

  it('leaves nothing paused once the call is over', async () => {
    const world = createPhones(['alice', 'bob'], {}, {
      quality: (_pc, publish) => {
        publish({ quality: 'poor', videoPausedForBandwidth: true, peerVideoPaused: true });
        return { stop: () => {} };
      },
    });
    cleanup.push(world.dispose);
    const { caller } = await connectCall(world.phones);
    expect(caller.snapshot).toMatchObject({ videoPausedForBandwidth: true, peerVideoPaused: true });
    await caller.hangUp();
    // A page mirroring the snapshot said "video paused" after hang-up.
    expect(caller.snapshot).toMatchObject({ state: 'ended', videoPausedForBandwidth: false, peerVideoPaused: false, quality: 'poor' });
  });

  it('stays silent when not enabled', async () => {
    const world = createPhones(['alice', 'bob']);
    cleanup.push(world.dispose);
    const incoming = nextIncoming(world.phones.bob!.client);
    const caller = world.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
    void (await incoming).accept();
    await reach(caller, 'connected');
    await sleep(1_500);
    expect(caller.snapshot.quality).toBeNull();
  });
});

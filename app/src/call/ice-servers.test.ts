import { describe, expect, it } from 'vitest';
import { IceServerCache } from './ice-servers';
import { FakeClock } from './testing/fake-clock';

describe('ICE server credentials', () => {
  function cache() {
    const clock = new FakeClock();
    let calls = 0;
    const provider = async () => {
      calls += 1;
      return { iceServers: [{ urls: 'turn:turn.example:3478', username: `u${calls}`, credential: 'c' }], expiresAt: clock.now() + 600_000 };
    };
    return { clock, ice: new IceServerCache(provider, clock, 60_000), calls: () => calls };
  }

  it('reuses fresh credentials and refreshes them before they expire', async () => {
    const { clock, ice, calls } = cache();
    const first = await ice.get();
    expect((await ice.get()).iceServers).toBe(first.iceServers);
    expect(calls()).toBe(1);
    expect(ice.refreshDueIn()).toBe(540_000);
    await clock.advance(540_001);
    expect((await ice.get()).iceServers[0]?.username).toBe('u2');
  });

  it('an ICE restart always gets new credentials; concurrent requests share one call', async () => {
    const { ice, calls } = cache();
    await ice.get();
    const [a, b] = await Promise.all([ice.refresh(), ice.refresh()]);
    expect(a).toBe(b);
    expect(calls()).toBe(2);
  });

  it('a provider failure rejects (the session turns it into a reason) and the next call retries', async () => {
    const clock = new FakeClock();
    let fail = true;
    const ice = new IceServerCache(
      async () => {
        if (fail) throw Object.assign(new Error('unauthenticated'), { code: 'functions/unauthenticated' });
        return { iceServers: [], expiresAt: clock.now() + 600_000 };
      },
      clock,
      60_000,
    );
    await expect(ice.get()).rejects.toThrow('unauthenticated');
    fail = false;
    await expect(ice.get()).resolves.toMatchObject({ iceServers: [] });
  });

  it('a grant shorter than the margin is refreshed at half its lifetime, not every second', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const ice = new IceServerCache(
      async () => {
        calls += 1;
        return { iceServers: [], expiresAt: clock.now() + 60_000 };
      },
      clock,
      60_000,
    );
    await ice.get();
    expect(ice.refreshDueIn()).toBe(30_000);
    await ice.get();
    expect(calls).toBe(1); // still fresh: no second request
    await clock.advance(30_001);
    await ice.get();
    expect(calls).toBe(2);
  });
});

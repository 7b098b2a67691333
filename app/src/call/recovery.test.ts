import { afterEach, describe, expect, it } from 'vitest';
import { connectCall, createPhones, reach, sleep } from './testing/wrtc';
import type { CallSessionApi, IceServerProvider } from './types';

let cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

async function connected(timeouts: Record<string, unknown>, extra: { lifetimeMs?: number; onNetworkChange?: (fn: () => void) => () => void } = {}) {
  let grants = 0;
  const iceServers: IceServerProvider = async () => {
    grants += 1;
    return { iceServers: [{ urls: 'turn:127.0.0.1:9?transport=udp', username: `grant-${grants}`, credential: 'x' }], expiresAt: Date.now() + (extra.lifetimeMs ?? 3_600_000) };
  };
  const world = createPhones(['alice', 'bob'], {}, {
    iceServers,
    ...(extra.onNetworkChange ? { onNetworkChange: extra.onNetworkChange } : {}),
    timeouts: { silenceMs: 600, restartGraceMs: 300, restartBackoffMs: [400], ...timeouts },
  });
  cleanup.push(world.dispose);
  const { caller, callee } = await connectCall(world.phones);
  await sleep(300);
  return { ...world, caller, callee, grants: () => grants };
}

const states = (session: CallSessionApi) => {
  const seen: string[] = [];
  session.on('state', (s) => seen.push(s.state));
  return seen;
};

describe('media watchdog and ICE restart', () => {
  it('media stops: reconnecting within about a second, ICE restart with fresh credentials, connected again when media returns', async () => {
    const { phones, caller, callee, grants } = await connected({});
    const seen = states(callee);
    const grantsBefore = grants();
    phones.alice!.devices.paused = true; // alice's media stops reaching bob
    await reach(callee, 'reconnecting', 5_000);
    for (let i = 0; i < 50 && grants() === grantsBefore; i++) await sleep(100);
    expect(grants()).toBeGreaterThan(grantsBefore); // restart fetched fresh TURN credentials
    phones.alice!.devices.paused = false;
    await reach(callee, 'connected', 10_000);
    expect(seen.slice(0, 2)).toEqual(['reconnecting', 'connected']);
    expect(callee.snapshot.timings.reconnecting).toBeGreaterThan(0);
    expect(caller.snapshot.state).toBe('connected');
  });

  it('media never comes back: failed(no-route) at the reconnect deadline, on both sides', async () => {
    const { phones, caller, callee } = await connected({ reconnectDeadlineMs: 1_500 });
    phones.alice!.devices.paused = true;
    phones.bob!.devices.paused = true;
    const [a, b] = await Promise.all([reach(caller, 'failed', 10_000), reach(callee, 'failed', 10_000)]);
    expect([a.reason, b.reason]).toEqual(['no-route', 'no-route']);
  });
});

describe('TURN credentials during a call', () => {
  it('are renewed before they expire, without disturbing the call', async () => {
    const { caller, grants } = await connected({ iceRefreshMarginMs: 60_000 }, { lifetimeMs: 3_000 }); // margin capped at half: renewed after 1.5 s
    const seen = states(caller);
    const pc = (caller as unknown as { link: { pc: RTCPeerConnection } }).link.pc;
    const username = () => pc.getConfiguration().iceServers?.[0]?.username;
    const first = username();
    const before = grants();
    for (let i = 0; i < 50 && username() === first; i++) await sleep(100);
    expect(grants()).toBeGreaterThan(before);
    expect(username()).toMatch(/^grant-\d+$/);
    expect(username()).not.toBe(first);
    expect(seen).toEqual([]);
  });

  it('a network change restarts ICE at once with fresh credentials and the call carries on', async () => {
    const changes: (() => void)[] = [];
    const { caller, grants } = await connected({}, { onNetworkChange: (fn) => (changes.push(fn), () => {}) });
    const seen = states(caller);
    const before = grants();
    changes[0]!(); // alice's client was created first
    for (let i = 0; i < 50 && grants() === before; i++) await sleep(100);
    expect(grants()).toBeGreaterThan(before);
    await reach(caller, 'connected', 10_000);
    expect(seen[0]).toBe('reconnecting');
    expect(caller.snapshot.state).toBe('connected');
  });
});

describe('media returns while an ICE restart fetches credentials', () => {
  it('the restart is dropped: no new offer once the call is connected again', async () => {
    let hold: (() => void) | null = null;
    let holding = false;
    let grants = 0;
    const iceServers: IceServerProvider = async () => {
      grants += 1;
      if (holding) await new Promise<void>((resolve) => (hold = resolve));
      return { iceServers: [], expiresAt: Date.now() + 3_600_000 };
    };
    const world = createPhones(['alice', 'bob'], {}, { iceServers, timeouts: { silenceMs: 600, restartGraceMs: 300, restartBackoffMs: [400] } });
    cleanup.push(world.dispose, () => hold?.());
    const { caller, callee } = await connectCall(world.phones);
    const link = (callee as unknown as { link: { restartIce: (servers: RTCIceServer[]) => void } }).link;
    let restarts = 0;
    const restartIce = link.restartIce.bind(link);
    link.restartIce = (servers) => {
      restarts += 1;
      restartIce(servers);
    };
    holding = true;
    const before = grants;
    world.phones.alice!.devices.paused = true;
    await reach(callee, 'reconnecting', 5_000);
    for (let i = 0; i < 50 && grants === before; i++) await sleep(100);
    expect(grants).toBeGreaterThan(before); // the restart is waiting for credentials
    world.phones.alice!.devices.paused = false;
    await reach(callee, 'connected', 10_000);
    holding = false;
    hold!();
    await sleep(300);
    expect(restarts).toBe(0);
    expect(callee.snapshot.state).toBe('connected');
  });
});

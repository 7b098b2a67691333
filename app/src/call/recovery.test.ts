/**
 * Recovery over real WebRTC (@roamhq/wrtc) and the memory store. An outage on one side is
 * modelled as that side's media and signaling stopping at once (what a dead link does to a
 * browser), then the other side's media too (nothing reaches the cut side either).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallTimeouts } from './session';
import { connectCall, createPhones, inboundBytes, reach, sleep } from './testing/wrtc';
import type { CallSessionApi, IceServerProvider } from './types';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

/** Recovery timings shortened for tests; the schedule's shape is the product's. */
const FAST: Partial<CallTimeouts> = {
  silenceMs: 600,
  restartGraceMs: 300,
  restartBackoffMs: [400, 800, 1_500],
  recoveredAfterMs: 300,
  signalingStallMs: 800,
};

async function connected(
  timeouts: Partial<CallTimeouts> = {},
  extra: { lifetimeMs?: number; onNetworkChange?: (fn: () => void) => () => void } = {},
) {
  let grants = 0;
  const iceServers: IceServerProvider = async () => {
    grants += 1;
    return {
      iceServers: [{ urls: 'turn:127.0.0.1:9?transport=udp', username: `grant-${grants}`, credential: 'x' }],
      expiresAt: Date.now() + (extra.lifetimeMs ?? 3_600_000),
    };
  };
  const world = createPhones(
    ['alice', 'bob'],
    {},
    {
      iceServers,
      ...(extra.onNetworkChange ? { onNetworkChange: extra.onNetworkChange } : {}),
      timeouts: { ...FAST, ...timeouts },
    },
  );
  cleanup.push(world.dispose);
  const { caller, callee } = await connectCall(world.phones);
  await Promise.all([mediaFlows(caller), mediaFlows(callee)]);
  const offersFrom = (uid: string) =>
    world.store
      .signalsOf(caller.snapshot.callId!)
      .filter((s) => s.from === uid && s.type === 'description' && (s.description as { type: string }).type === 'offer').length;
  return { ...world, caller, callee, grants: () => grants, offersFrom };
}

async function mediaFlows(session: CallSessionApi): Promise<void> {
  const start = await inboundBytes(session);
  await vi.waitFor(async () => expect(await inboundBytes(session)).toBeGreaterThan(start), { timeout: 5_000, interval: 50 });
}

/** Every state a session shows from now on, and each "whose connection dropped" it said. */
function watch(session: CallSessionApi) {
  const seen = { states: [] as string[], whose: [] as string[] };
  let last = session.snapshot;
  session.on('change', (s) => {
    if (s.state !== last.state) seen.states.push(s.state);
    if (s.droppedConnection && s.droppedConnection !== last.droppedConnection) seen.whose.push(s.droppedConnection);
    last = s;
  });
  return seen;
}

describe('media stops and returns', () => {
  it('reconnecting within about a second, an ICE restart with the credentials it has, connected again when media returns', async () => {
    const { phones, caller, callee, grants, offersFrom } = await connected();
    const seen = watch(callee);
    const grantsBefore = grants();
    const offersBefore = offersFrom('bob');
    phones.alice!.devices.paused = true; // alice's media stops reaching bob
    await reach(callee, 'reconnecting', 5_000);
    await vi.waitFor(() => expect(offersFrom('bob')).toBeGreaterThan(offersBefore), { timeout: 5_000, interval: 50 });
    expect(grants()).toBe(grantsBefore); // still good: no new TURN credentials
    phones.alice!.devices.paused = false;
    await reach(callee, 'connected', 10_000);
    expect(seen).toEqual({ states: ['reconnecting', 'connected'], whose: ['peer'] });
    expect(callee.snapshot.timings.reconnecting).toBeGreaterThan(0);
    expect(callee.snapshot.droppedConnection).toBeNull();
    expect(caller.snapshot.state).toBe('connected');
  });
});

describe('an outage on one side', () => {
  /**
   * `victim`'s link dies: its media and its signaling stop; once the other side saw it, the
   * other side's media stops reaching it too. `restore` brings everything back.
   */
  async function cut(w: Awaited<ReturnType<typeof connected>>, victim: 'alice' | 'bob') {
    const [cutSide, otherSide] = victim === 'alice' ? [w.caller, w.callee] : [w.callee, w.caller];
    const other = victim === 'alice' ? 'bob' : 'alice';
    const seen = { cut: watch(cutSide), other: watch(otherSide) };
    w.store.setOnline(victim, false);
    w.phones[victim]!.devices.paused = true;
    await reach(otherSide, 'reconnecting', 5_000);
    w.phones[other]!.devices.paused = true;
    await reach(cutSide, 'reconnecting', 5_000);
    const restore = () => {
      w.store.setOnline(victim, true);
      w.phones[victim]!.devices.paused = false;
      w.phones[other]!.devices.paused = false;
    };
    return { cutSide, otherSide, seen, restore };
  }

  it.each(['bob', 'alice'] as const)(
    "8 s on %s's side: both say whose connection dropped, keep trying, and come back without flapping",
    async (victim) => {
      const w = await connected();
      const { cutSide, otherSide, seen, restore } = await cut(w, victim);
      await sleep(8_000); // the outage
      const restoredAt = Date.now();
      restore();
      const backAfter = async (side: CallSessionApi) => (await reach(side, 'connected', 10_000), Date.now() - restoredAt);
      const [cutBack, otherBack] = await Promise.all([backAfter(cutSide), backAfter(otherSide)]);
      console.log(
        `8 s outage on ${victim}'s side: connected again ${cutBack} ms (cut side) and ${otherBack} ms (other side) after it ended`,
      );
      await Promise.all([mediaFlows(cutSide), mediaFlows(otherSide)]);
      // The cut side learns it is its own connection (nothing leaves it, its signaling holds its writes);
      // the other side's signaling delivers, so it is the peer's.
      expect(seen.cut).toEqual({ states: ['reconnecting', 'connected'], whose: ['own'] });
      expect(seen.other).toEqual({ states: ['reconnecting', 'connected'], whose: ['peer'] });
      expect(w.store.getCall(cutSide.snapshot.callId!)?.state).toBe('accepted');
    },
  );

  it.each(['bob', 'alice'] as const)("past the deadline on %s's side: both end with connection-lost, never before it", async (victim) => {
    const deadlineMs = 2_500;
    const w = await connected({ reconnectDeadlineMs: deadlineMs });
    const { cutSide, otherSide } = await cut(w, victim);
    const [a, b] = await Promise.all([reach(cutSide, 'failed', 15_000), reach(otherSide, 'failed', 15_000)]);
    for (const ended of [a, b]) {
      expect(ended).toMatchObject({ reason: 'connection-lost', message: expect.stringContaining('could not be restored') });
      expect(ended.timings.reconnecting).toBeGreaterThanOrEqual(deadlineMs);
    }
    // The side that still has signaling wrote the call log.
    await vi.waitFor(() => expect(w.store.getCall(a.callId!)).toMatchObject({ state: 'ended', endReason: 'connection-lost' }), {
      timeout: 2_000,
      interval: 20,
    });
  });
});

describe('TURN credentials during a call', () => {
  it('are renewed before they expire, without disturbing the call', async () => {
    // The margin is capped at half the lifetime: renewed after 1.5 s.
    const { caller, grants } = await connected({ iceRefreshMarginMs: 60_000 }, { lifetimeMs: 3_000 });
    const seen = watch(caller);
    const pc = (caller as unknown as { link: { pc: RTCPeerConnection } }).link.pc;
    const username = () => pc.getConfiguration().iceServers?.[0]?.username;
    const first = username();
    const before = grants();
    await vi.waitFor(() => expect(username()).not.toBe(first), { timeout: 5_000, interval: 50 });
    expect(grants()).toBeGreaterThan(before);
    expect(username()).toMatch(/^grant-\d+$/);
    expect(seen.states).toEqual([]);
  });
});

describe('a network change mid-call', () => {
  it('restarts ICE at once, without showing reconnecting while media still flows, and the call carries on', async () => {
    const changes: (() => void)[] = [];
    const { caller, offersFrom } = await connected({}, { onNetworkChange: (fn) => (changes.push(fn), () => {}) });
    const seen = watch(caller);
    const before = offersFrom('alice');
    changes[0]!(); // alice's client was created first
    await vi.waitFor(() => expect(offersFrom('alice')).toBeGreaterThan(before), { timeout: 5_000, interval: 50 });
    await vi.waitFor(() => expect((caller as unknown as { link: { pc: RTCPeerConnection } }).link.pc.signalingState).toBe('stable'), {
      timeout: 5_000,
      interval: 50,
    });
    await mediaFlows(caller);
    expect(seen.states).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { IceServerCache } from './ice-servers';
import { createLogger } from './logger';
import { Reconnector, type RecoveryLink, type RecoveryTimeouts } from './reconnector';
import { FakeClock } from './testing/fake-clock';
import type { DroppedConnection } from './types';

const TIMEOUTS: RecoveryTimeouts = {
  restartGraceMs: 1_000,
  restartBackoffMs: [2_000, 3_000, 5_000],
  reconnectDeadlineMs: 60_000,
  recoveredAfterMs: 500,
  signalingStallMs: 1_500,
};

/** A connected call's recovery with a fake link, fake media and a clock moved by hand. */
function setup(options: { polite?: boolean; grantLifetimeMs?: number; relayed?: boolean } = {}) {
  const clock = new FakeClock();
  let grants = 0;
  const ice = new IceServerCache(
    async () => {
      grants += 1;
      return {
        iceServers: [{ urls: 'turn:relay.example', username: `grant-${grants}`, credential: 'x' }],
        expiresAt: clock.now() + (options.grantLifetimeMs ?? 600_000),
      };
    },
    clock,
    60_000,
  );
  const restarts: { at: number; servers: RTCIceServer[] | undefined }[] = [];
  /** Our signaling: up, its writes land at once; down, they wait until it is up again. */
  let signalingUp = true;
  const queued: (() => void)[] = [];
  const setSignaling = (up: boolean) => {
    signalingUp = up;
    if (up) queued.splice(0).forEach((land) => land());
  };
  const link: RecoveryLink & { negotiating: boolean; keyFrames: number; serversSet: RTCIceServer[][] } = {
    negotiating: false,
    keyFrames: 0,
    serversSet: [],
    restartIce: (servers) => {
      restarts.push({ at: clock.now() - start, servers });
      // The restart's offer is a signal write, as the session's PeerLink sends it.
      void recovery.trackWrite(signalingUp ? Promise.resolve() : new Promise<void>((land) => queued.push(land)));
    },
    setIceServers: (servers) => void link.serversSet.push(servers),
    beforeNextSignal: (task) => void task(),
    sendKeyFrame: async () => void (link.keyFrames += 1),
  };
  let flowingSince: number | null = clock.now() - 10_000;
  const media = {
    sendingStalled: false,
    get isSilent() {
      return flowingSince === null;
    },
    get flowingForMs() {
      return flowingSince === null ? 0 : clock.now() - flowingSince;
    },
  };
  /** The states shown, and every "whose connection dropped" said while reconnecting. */
  const seen: string[] = [];
  const whose: (DroppedConnection | null)[] = [];
  const logs: string[] = [];
  let gaveUp: { at: number; detail: string } | null = null;
  const recovery = new Reconnector({
    clock,
    log: createLogger('test', (_level, _name, message) => logs.push(message)),
    timeouts: TIMEOUTS,
    polite: options.polite ?? false,
    link,
    media,
    ice,
    relayed: () => options.relayed ?? false,
    onReconnecting: (dropped) => {
      if (seen.at(-1) !== 'reconnecting') seen.push('reconnecting');
      whose.push(dropped);
    },
    onRecovered: () => void seen.push('connected'),
    onGiveUp: (detail) => void (gaveUp = { at: clock.now() - start, detail }),
  });
  const start = clock.now();
  /** Moves the clock in small steps, letting the restarts' promises settle in between. */
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  const run = async (ms: number) => {
    for (let left = ms; left > 0; left -= 50) {
      await flush();
      await clock.advance(Math.min(50, left));
    }
    await flush();
  };
  const silence = () => {
    flowingSince = null;
    recovery.mediaStopped('no inbound media');
  };
  /** Media flows again from now (the watchdog reports it when it was silent). */
  const resume = () => {
    flowingSince = clock.now();
    recovery.mediaFlowing();
  };
  return {
    clock,
    ice,
    link,
    media,
    recovery,
    restarts,
    seen,
    whose,
    logs,
    run,
    silence,
    resume,
    setSignaling,
    grants: () => grants,
    gaveUp: () => gaveUp,
  };
}

async function connected(options: Parameters<typeof setup>[0] = {}) {
  const t = setup(options);
  await t.ice.get();
  t.recovery.start();
  return t;
}

describe('Reconnector: when it restarts ICE', () => {
  it('the impolite side restarts 1 s after media stops, then after 2, 3 and every 5 s', async () => {
    const t = await connected();
    t.silence();
    expect(t.seen).toEqual(['reconnecting']);
    await t.run(20_000);
    expect(t.restarts.map((r) => r.at)).toEqual([1_000, 3_000, 6_000, 11_000, 16_000]);
  });

  it("the polite side waits twice as long, and follows the peer's restart instead of restarting over it", async () => {
    const t = await connected({ polite: true });
    t.silence();
    await t.run(1_900);
    expect(t.restarts).toEqual([]);
    t.recovery.peerRestarting(); // the caller's restart offer arrives
    await t.run(3_900);
    expect(t.restarts).toEqual([]); // its restart is given two steps to finish
    await t.run(200);
    expect(t.restarts.map((r) => r.at)).toEqual([5_900]);
  });

  it('a relayed call that goes silent restarts sooner (its relay may be gone)', async () => {
    const t = await connected({ relayed: true });
    t.silence();
    await t.run(300);
    expect(t.restarts.map((r) => r.at)).toEqual([250]);
  });

  it('one restart at a time: while an offer/answer round is under way, the next one waits', async () => {
    const t = await connected();
    t.silence();
    await t.run(1_000);
    expect(t.restarts).toHaveLength(1);
    t.link.negotiating = true; // our offer is out, no answer yet (the peer cannot read it)
    await t.run(20_000);
    expect(t.restarts).toHaveLength(1);
    expect(t.logs.some((line) => line.includes('waits for the restart under way'))).toBe(true);
    t.link.negotiating = false; // answered: the restarts resume on their schedule
    await t.run(5_000);
    expect(t.restarts).toHaveLength(2);
  });

  it('online again or a new network: a restart at once, even while connected, without showing reconnecting', async () => {
    const t = await connected();
    t.recovery.networkChanged();
    await t.run(50);
    expect(t.restarts.map((r) => r.at)).toEqual([0]);
    expect(t.seen).toEqual([]);
    await t.run(20_000);
    expect(t.restarts).toHaveLength(1); // connected: no schedule of further restarts
  });

  it('ICE failed: a restart at once rather than at the next step', async () => {
    const t = await connected();
    t.silence();
    await t.run(200);
    t.recovery.iceFailed();
    await t.run(50);
    expect(t.restarts.map((r) => r.at)).toEqual([200]);
  });

  it('ICE failed reported twice at once, and again right after the restart: one restart, not a storm', async () => {
    const t = await connected();
    t.silence();
    await t.run(200);
    // The browser says failed on both its ICE and its connection state, and once more as the old generation goes.
    t.recovery.iceFailed();
    t.recovery.iceFailed();
    await t.run(300);
    t.recovery.iceFailed();
    await t.run(50);
    expect(t.restarts.map((r) => r.at)).toEqual([200]);
  });

  it('does nothing before the call is connected, nor after it stopped', async () => {
    const t = setup();
    t.silence();
    t.recovery.networkChanged();
    await t.run(5_000);
    t.recovery.start();
    t.recovery.stop();
    t.silence();
    await t.run(70_000);
    expect([t.restarts, t.seen, t.gaveUp()]).toEqual([[], [], null]);
  });
});

describe('Reconnector: TURN credentials', () => {
  it('restarts never wait for the callable; from 2.5 s into an outage fresh credentials come beside them, at most every 10 s', async () => {
    const t = await connected({ grantLifetimeMs: 600_000 });
    await t.run(20_000); // the grant came before ringing, as in a real call
    t.silence();
    await t.run(1_100);
    // The first restart goes out at once with the credentials held.
    expect(t.restarts.map((r) => r.servers?.[0]?.username)).toEqual(['grant-1']);
    expect(t.grants()).toBe(1);
    await t.run(1_500);
    // 2.5 s in, a fresh grant is fetched beside the restarts: a TURN host that restarted
    // (or whose clock differs) may refuse credentials that look valid.
    expect(t.grants()).toBe(2);
    await t.run(500);
    expect(t.restarts.map((r) => r.servers?.[0]?.username)).toEqual(['grant-1', 'grant-2']);
    await t.run(53_000);
    // One grant per 10 s of outage: a few callable requests a minute, far below its rate limit.
    expect(t.restarts.length).toBeGreaterThan(10);
    expect(t.grants()).toBe(7);
  });

  it("the polite side, which follows the peer's restarts, renews its credentials too", async () => {
    const t = await connected({ polite: true, grantLifetimeMs: 600_000 });
    await t.run(20_000);
    t.silence();
    await t.run(2_600);
    expect(t.grants()).toBe(2);
  });

  it('credentials fetched less than 10 s ago are not fetched again during an outage', async () => {
    const t = await connected({ grantLifetimeMs: 600_000 });
    t.silence();
    await t.run(6_500);
    expect(t.restarts).toHaveLength(3);
    expect(t.grants()).toBe(1);
  });

  it('credentials near expiry are renewed while connected, without a restart', async () => {
    const t = await connected({ grantLifetimeMs: 600_000 });
    await t.run(539_000);
    expect(t.grants()).toBe(1);
    await t.run(1_100); // 60 s before expiry
    expect(t.grants()).toBe(2);
    expect(t.restarts).toEqual([]);
    expect(t.link.serversSet.at(-1)?.[0]?.username).toBe('grant-2');
  });

  it('a restart after the grant turned stale takes a new one first', async () => {
    const t = await connected({ grantLifetimeMs: 2_000 }); // the margin is capped at half: stale after 1 s
    t.silence();
    await t.run(1_100);
    expect(t.grants()).toBe(2);
    expect(t.restarts[0]?.servers?.[0]?.username).toBe('grant-2');
  });
});

describe('Reconnector: the deadline', () => {
  it('gives up 60 s after media stopped, with whose connection dropped, and restarts no more', async () => {
    const t = await connected();
    t.silence();
    await t.run(59_950);
    expect(t.gaveUp()).toBeNull();
    await t.run(100);
    expect(t.gaveUp()).toEqual({ at: 60_000, detail: "media did not come back within 60 s (the peer's connection dropped)" });
    const restarts = t.restarts.length;
    await t.run(20_000);
    expect(t.restarts).toHaveLength(restarts);
  });

  it('media back but not yet held at the deadline: the call is not ended', async () => {
    const t = await connected();
    t.silence();
    await t.run(59_800);
    t.resume();
    await t.run(1_000);
    expect(t.gaveUp()).toBeNull();
    expect(t.seen).toEqual(['reconnecting', 'connected']);
  });

  it('media that comes back before the deadline clears it: a later outage gets its own 60 s', async () => {
    const t = await connected();
    t.silence();
    await t.run(40_000);
    t.resume();
    await t.run(1_000);
    t.silence();
    await t.run(59_000);
    expect(t.gaveUp()).toBeNull();
    await t.run(1_100);
    expect(t.gaveUp()?.at).toBe(101_000);
  });
});

describe('Reconnector: back to connected without flapping', () => {
  it('media that resumes on its own cancels the restart; connected once it has flowed for 500 ms', async () => {
    const t = await connected();
    t.silence();
    await t.run(500);
    t.resume();
    expect(t.link.keyFrames).toBe(1); // the peer's decoder gets a key frame at once, before the hold
    await t.run(450);
    expect(t.seen).toEqual(['reconnecting']);
    await t.run(100);
    expect(t.seen).toEqual(['reconnecting', 'connected']);
    await t.run(10_000);
    expect(t.restarts).toEqual([]);
    expect(t.link.keyFrames).toBe(1);
  });

  it('media that flickers back for a moment does not show connected: no reconnecting -> connected -> reconnecting', async () => {
    const t = await connected();
    t.silence();
    await t.run(1_500);
    t.resume();
    await t.run(200);
    t.silence(); // gone again before it held
    await t.run(3_000);
    expect(t.seen).toEqual(['reconnecting']);
    expect(t.restarts.length).toBeGreaterThanOrEqual(2); // the restarts carry on
    t.resume();
    await t.run(600);
    expect(t.seen).toEqual(['reconnecting', 'connected']);
  });

  it('a gap too short for the watchdog to call silence restarts the hold instead of showing connected', async () => {
    const t = await connected();
    t.silence();
    await t.run(1_200);
    t.resume();
    await t.run(300);
    t.resume(); // a sample without progress, then progress again: the run starts over
    await t.run(300);
    expect(t.seen).toEqual(['reconnecting']);
    await t.run(250);
    expect(t.seen).toEqual(['reconnecting', 'connected']);
  });

  it('media that returns while the restart fetches credentials: that restart is dropped', async () => {
    const t = await connected({ grantLifetimeMs: 2_000 });
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const get = t.ice.get.bind(t.ice);
    t.ice.get = async () => (await slow, get());
    t.silence();
    await t.run(1_100); // the restart waits for credentials
    t.resume();
    release();
    await t.run(1_000);
    expect(t.restarts).toEqual([]);
    expect(t.seen).toEqual(['reconnecting', 'connected']);
  });
});

describe('Reconnector: whose connection dropped', () => {
  it("not said until known; the peer's once our restart offer is delivered", async () => {
    const t = await connected();
    t.silence();
    expect(t.whose).toEqual([null]);
    await t.run(1_000);
    expect(t.whose).toEqual([null, 'peer']);
  });

  it('ours, when nothing leaves us either (a dead interface stops both ways at once)', async () => {
    const t = await connected();
    t.media.sendingStalled = true;
    t.silence();
    expect(t.whose).toEqual(['own']);
  });

  it('ours, when the browser goes offline; no restart until it is online again, then one at once', async () => {
    const t = await connected();
    t.silence();
    t.recovery.networkLost();
    expect(t.whose).toEqual([null, 'own']);
    await t.run(15_000);
    expect(t.restarts).toEqual([]);
    t.recovery.networkChanged(); // 'online'
    await t.run(50);
    expect(t.restarts.map((r) => r.at)).toEqual([15_000]);
    expect(t.whose).toEqual([null, 'own']); // its offer is delivered: it still was ours
  });

  it('ours, when our own signaling holds a write for 1.5 s; the restart waits for it instead of failing', async () => {
    const t = await connected();
    t.setSignaling(false);
    t.silence();
    await t.run(1_000);
    expect(t.restarts).toHaveLength(1); // its offer waits in our signaling's queue
    t.link.negotiating = true;
    await t.run(1_450);
    expect(t.whose).toEqual([null]);
    await t.run(100);
    expect(t.whose).toEqual([null, 'own']);
    await t.run(30_000);
    expect(t.restarts).toHaveLength(1); // no second offer behind the one that waits
    expect(t.gaveUp()).toBeNull();
    expect(t.logs.some((line) => line.includes('waits for our signaling'))).toBe(true);
    t.setSignaling(true); // the queued offer lands; the peer answers it
    t.link.negotiating = false;
    await t.run(50);
    expect(t.restarts).toHaveLength(1); // nothing restarted over it
    expect(t.logs).toContain('our signaling delivers again');
    expect(t.whose).toEqual([null, 'own']);
  });

  it('a write stalled before the outage counts too: reconnecting says ours from the start', async () => {
    const t = await connected();
    void t.recovery.trackWrite(new Promise(() => {}));
    await t.run(1_500);
    t.silence();
    expect(t.whose).toEqual(['own']);
  });

  it('after recovery, the next outage starts again from what it sees', async () => {
    const t = await connected();
    t.recovery.networkLost();
    t.silence();
    t.recovery.networkChanged();
    t.resume();
    await t.run(600);
    t.silence();
    await t.run(1_000);
    expect(t.seen).toEqual(['reconnecting', 'connected', 'reconnecting']);
    expect(t.whose).toEqual(['own', null, 'peer']);
  });
});

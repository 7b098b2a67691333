import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from './testing/fake-clock';
import { createPhones, MediaStream, reach, RTCPeerConnection } from './testing/wrtc';
import { createLogger } from './logger';
import { WarmLine } from './warm-line';
import type { PeerConnectionConstructor } from './negotiation';

/** A stand-in connection that remembers how it was made and whether it was closed. */
class Made {
  static all: Made[] = [];
  closed = false;
  signalingState = 'stable';
  constructor(readonly configuration: RTCConfiguration) {
    Made.all.push(this);
  }
  close() {
    this.closed = true;
    this.signalingState = 'closed';
  }
}
const Fake = Made as unknown as PeerConnectionConstructor;
const servers = (user: string): RTCConfiguration => ({
  iceServers: [{ urls: 'turn:turn.example:3478', username: user, credential: 'x' }],
  bundlePolicy: 'max-bundle',
});
/** A line whose own scheduling is not used by these tests (prepare and take are called directly). */
const lineOf = (PeerConnection: PeerConnectionConstructor) =>
  new WarmLine({
    PeerConnection,
    ice: { get: () => new Promise(() => {}), refreshDueIn: () => null },
    clock: new FakeClock(),
    configurationFor: (iceServers) => ({ iceServers }),
    idle: () => true,
    log: createLogger('test', () => {}),
  });

afterEach(() => {
  Made.all = [];
});

describe('WarmLine', () => {
  it('hands its pooled connection to the next call made with the same configuration, once', () => {
    const line = lineOf(Fake);
    line.prepare(servers('a'));
    const warm = Made.all[0]!;
    expect(warm.configuration).toMatchObject({ ...servers('a'), iceCandidatePoolSize: 1 });
    expect(line.take(servers('a'))).toBe(warm);
    const next = line.take(servers('a')) as unknown as Made;
    expect(next).not.toBe(warm);
    expect(next.configuration).toEqual(servers('a'));
  });

  it('makes a plain connection when the call uses other servers, and keeps the warm one', () => {
    const line = lineOf(Fake);
    line.prepare(servers('a'));
    const cold = line.take(servers('b')) as unknown as Made;
    expect(cold).not.toBe(Made.all[0]);
    expect(Made.all[0]!.closed).toBe(false);
    expect(line.take(servers('a'))).toBe(Made.all[0]);
  });

  it('replaces the pool only when the configuration changes (new TURN credentials), closing the old one', () => {
    const line = lineOf(Fake);
    line.prepare(servers('a'));
    line.prepare(servers('a'));
    expect(Made.all).toHaveLength(1);
    line.prepare(servers('b'));
    expect(Made.all).toHaveLength(2);
    expect(Made.all[0]!.closed).toBe(true);
    line.dispose();
    expect(Made.all[1]!.closed).toBe(true);
    expect(line.take(servers('b'))).not.toBe(Made.all[1]);
  });

  it('works as a constructor for sessions', () => {
    const line = lineOf(Fake);
    line.prepare(servers('a'));
    const Ctor = line.constructorForSessions;
    expect(new Ctor(servers('a'))).toBe(Made.all[0]);
  });
});

/** wrtc's RTCPeerConnection, keeping every connection it makes. */
function counting() {
  const made: RTCPeerConnection[] = [];
  const Ctor = function (configuration?: RTCConfiguration) {
    const pc = new RTCPeerConnection(configuration);
    made.push(pc);
    return pc;
  } as unknown as PeerConnectionConstructor;
  return { made, Ctor };
}
const poolOf = (pc: RTCPeerConnection) => pc.getConfiguration().iceCandidatePoolSize;

/** A credentials provider on a fake clock: each grant has a new username and lives `lifetimeMs`. */
function credentials(lifetimeMs: number) {
  const clock = new FakeClock();
  const issued = { count: 0 };
  const iceServers = async () => ({
    iceServers: [{ urls: 'stun:192.0.2.1:3478', username: `u${++issued.count}` }],
    expiresAt: clock.now() + lifetimeMs,
  });
  return { clock, issued, iceServers };
}

describe('a client keeps a line warm', () => {
  it('before the first call, uses it for that call, and warms the next one when the call is over', async () => {
    const { made, Ctor } = counting();
    const w = createPhones(['alice', 'bob'], {}, { RTCPeerConnection: Ctor, MediaStream });
    try {
      // One pooled connection per client, made from the prefetched credentials.
      await vi.waitFor(() => expect(made).toHaveLength(2));
      expect(made.map(poolOf)).toEqual([1, 1]);
      const bob = w.phones.bob!.client;
      bob.onIncoming((incoming) => void incoming.accept());
      const call = w.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
      await reach(call, 'connected');
      // Both sides took their warm connection: no new one was made for the call.
      expect(made).toHaveLength(2);
      await call.hangUp();
      await vi.waitFor(() => expect(made).toHaveLength(4));
      expect(made.slice(2).map(poolOf)).toEqual([1, 1]);
    } finally {
      w.dispose();
    }
  });

  it('lets the line go when the page is hidden, and makes a new one after a network change', async () => {
    const { made, Ctor } = counting();
    let hide = () => {};
    let networkChange = () => {};
    const w = createPhones(
      ['alice'],
      {},
      {
        RTCPeerConnection: Ctor,
        onPageHide: (listener) => ((hide = listener), () => {}),
        onNetworkChange: (listener) => ((networkChange = listener), () => {}),
      },
    );
    try {
      await vi.waitFor(() => expect(made).toHaveLength(1));
      networkChange();
      await vi.waitFor(() => expect(made).toHaveLength(2));
      expect(made[0]!.signalingState).toBe('closed');
      hide();
      expect(made[1]!.signalingState).toBe('closed');
      networkChange();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(made).toHaveLength(2);
    } finally {
      w.dispose();
    }
  });

  it('does not renew in a loop when its credentials arrive already stale (a client clock far ahead)', async () => {
    const { made, Ctor } = counting();
    const { clock, issued, iceServers } = credentials(-1);
    const w = createPhones(['alice'], {}, { RTCPeerConnection: Ctor, clock, iceServers });
    try {
      await vi.waitFor(() => expect(made).toHaveLength(1));
      await clock.advance(59_000);
      expect(issued.count).toBe(1);
      await clock.advance(1_000);
      await vi.waitFor(() => expect(made).toHaveLength(2));
      expect(issued.count).toBe(2);
    } finally {
      w.dispose();
    }
  });

  it('is made again with fresh credentials before its TURN credentials go stale', async () => {
    const { made, Ctor } = counting();
    // Ten-minute credentials; the client refreshes them a minute before they expire.
    const { clock, iceServers } = credentials(600_000);
    const w = createPhones(['alice'], {}, { RTCPeerConnection: Ctor, clock, iceServers });
    try {
      await vi.waitFor(() => expect(made).toHaveLength(1));
      await clock.advance(538_000);
      expect(made).toHaveLength(1);
      await clock.advance(2_001);
      await vi.waitFor(() => expect(made).toHaveLength(2));
      expect(made[1]!.getConfiguration().iceServers?.[0]?.username).toBe('u2');
      expect(made[0]!.signalingState).toBe('closed');
    } finally {
      w.dispose();
    }
    expect(made[1]!.signalingState).toBe('closed');
  });

  it('is not kept when turned off', async () => {
    const { made, Ctor } = counting();
    const w = createPhones(['alice'], {}, { RTCPeerConnection: Ctor, keepLineWarm: false });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(made).toHaveLength(0);
    } finally {
      w.dispose();
    }
  });
});

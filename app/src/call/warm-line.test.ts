import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from './testing/fake-clock';
import { createPhones, MediaStream, reach, RTCPeerConnection } from './testing/wrtc';
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
const servers = (user: string): RTCConfiguration => ({ iceServers: [{ urls: 'turn:turn.example:3478', username: user, credential: 'x' }], bundlePolicy: 'max-bundle' });

afterEach(() => {
  Made.all = [];
});

describe('WarmLine', () => {
  it('hands its pooled connection to the next call made with the same configuration, once', () => {
    const line = new WarmLine(Fake);
    line.prepare(servers('a'));
    const warm = Made.all[0]!;
    expect(warm.configuration).toMatchObject({ ...servers('a'), iceCandidatePoolSize: 1 });
    expect(line.take(servers('a'))).toBe(warm);
    const next = line.take(servers('a')) as unknown as Made;
    expect(next).not.toBe(warm);
    expect(next.configuration).toEqual(servers('a'));
  });

  it('makes a plain connection when the call uses other servers, and keeps the warm one', () => {
    const line = new WarmLine(Fake);
    line.prepare(servers('a'));
    const cold = line.take(servers('b')) as unknown as Made;
    expect(cold).not.toBe(Made.all[0]);
    expect(Made.all[0]!.closed).toBe(false);
    expect(line.take(servers('a'))).toBe(Made.all[0]);
  });

  it('replaces the pool only when the configuration changes (new TURN credentials), closing the old one', () => {
    const line = new WarmLine(Fake);
    line.prepare(servers('a'));
    line.prepare(servers('a'));
    expect(Made.all).toHaveLength(1);
    line.prepare(servers('b'));
    expect(Made.all).toHaveLength(2);
    expect(Made.all[0]!.closed).toBe(true);
    line.close();
    expect(Made.all[1]!.closed).toBe(true);
    expect(line.take(servers('b'))).not.toBe(Made.all[1]);
  });

  it('works as a constructor for sessions', () => {
    const line = new WarmLine(Fake);
    line.prepare(servers('a'));
    const Ctor = line.constructorForSessions;
    expect(new Ctor(servers('a'))).toBe(Made.all[0]);
  });
});

describe('a client keeps a line warm', () => {
  it('before the first call, uses it for that call, and warms the next one when the call is over', async () => {
    const made: RTCConfiguration[] = [];
    const Counting = function (configuration?: RTCConfiguration) {
      made.push(configuration ?? {});
      return new RTCPeerConnection(configuration);
    } as unknown as PeerConnectionConstructor;
    const w = createPhones(['alice', 'bob'], {}, { RTCPeerConnection: Counting, MediaStream });
    try {
      // One pooled connection per client, made from the prefetched credentials.
      await vi.waitFor(() => expect(made).toHaveLength(2));
      expect(made.every((c) => c.iceCandidatePoolSize === 1)).toBe(true);
      const bob = w.phones.bob!.client;
      bob.onIncoming((incoming) => void incoming.accept());
      const call = w.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
      await reach(call, 'connected');
      // Both sides took their warm connection: no new one was made for the call.
      expect(made).toHaveLength(2);
      await call.hangUp();
      await vi.waitFor(() => expect(made).toHaveLength(4));
      expect(made.slice(2).every((c) => c.iceCandidatePoolSize === 1)).toBe(true);
    } finally {
      w.dispose();
    }
  });

  it('is made again with fresh credentials before its TURN credentials go stale', async () => {
    const made: RTCPeerConnection[] = [];
    const Counting = function (configuration?: RTCConfiguration) {
      const pc = new RTCPeerConnection(configuration);
      made.push(pc);
      return pc;
    } as unknown as PeerConnectionConstructor;
    const clock = new FakeClock();
    let grants = 0;
    // Ten-minute credentials; the client refreshes them a minute before they expire.
    const iceServers = async () => ({ iceServers: [{ urls: 'stun:192.0.2.1:3478', username: `u${++grants}` }], expiresAt: clock.now() + 600_000 });
    const w = createPhones(['alice'], {}, { RTCPeerConnection: Counting, clock, iceServers });
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
    const made: RTCConfiguration[] = [];
    const Counting = function (configuration?: RTCConfiguration) {
      made.push(configuration ?? {});
      return new RTCPeerConnection(configuration);
    } as unknown as PeerConnectionConstructor;
    const w = createPhones(['alice'], {}, { RTCPeerConnection: Counting, keepLineWarm: false });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(made).toHaveLength(0);
    } finally {
      w.dispose();
    }
  });
});

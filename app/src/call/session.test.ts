import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../signaling/memory';
import { RTCPeerConnection as WrtcPeerConnection } from './testing/wrtc';
import { createPhones, settle, inboundBytes, nextIncoming, reach } from './testing/wrtc';
import type { CallSessionApi } from './types';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function phones(...args: Parameters<typeof createPhones>) {
  const made = createPhones(...args);
  cleanup.push(made.dispose);
  return made;
}

describe('a call between two browsers', () => {
  it('connects with ICE and DTLS and carries media both ways', async () => {
    const { store, phones: p } = phones(['alice', 'bob']);
    const incoming = nextIncoming(p.bob!.client);
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'video', context: { recordType: 'deal', recordId: 'd1' } });
    const callee = await incoming;
    expect(callee.snapshot).toMatchObject({ state: 'ringing', direction: 'incoming', peer: 'alice', kind: 'video' });
    expect(caller.snapshot.state).toBe('ringing');
    await callee.accept();
    const [a, b] = await Promise.all([reach(caller, 'connected'), reach(callee, 'connected')]);
    expect(a.callId).toBe(b.callId);
    // Every phase on the way was timed.
    expect(Object.keys(a.timings)).toEqual(expect.arrayContaining(['requesting-media', 'ringing', 'connecting:signaling', 'setup']));
    expect(Object.keys(b.timings)).toEqual(expect.arrayContaining(['ringing', 'requesting-media', 'connecting:signaling', 'setup']));
    await mediaFlows(caller);
    await mediaFlows(callee);
    for (const s of [caller, callee])
      expect(
        s.snapshot.remoteStream
          ?.getTracks()
          .map((t) => t.kind)
          .sort(),
      ).toEqual(['audio', 'video']);
    expect(caller.snapshot.path).toMatchObject({ local: 'host', remote: 'host' });

    const cost = store.costOf(a.callId!);
    console.log(
      `call setup cost: ${cost.writes} writes, ${cost.reads} reads (create, offer, candidates | receipt, accept, answer, candidates); setup ${a.timings.setup} ms caller, ${b.timings.setup} ms callee`,
    );
    expect(cost.writes, describeWrites(store, a.callId!)).toBeLessThanOrEqual(7);
    expect(store.getCall(a.callId!)).toMatchObject({ state: 'accepted', context: { recordType: 'deal', recordId: 'd1' } });
  });
});

describe('setup does not wait for the camera', () => {
  const pcOf = (session: object) => (session as { link: { pc: RTCPeerConnection } | null }).link?.pc;

  it("the callee rings while the caller's camera is still starting", async () => {
    const { phones: p } = phones(['alice', 'bob']);
    p.alice!.devices.delayMs = 2_000;
    const incoming = nextIncoming(p.bob!.client);
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'video' });
    const callee = await incoming;
    expect(caller.snapshot.localStream, 'rang only after the camera started').toBeNull();
    void callee.accept();
    await Promise.all([reach(caller, 'connected'), reach(callee, 'connected')]);
    // The camera's tracks went into the offered slots: the callee receives them without a second negotiation.
    expect(
      callee.snapshot.remoteStream
        ?.getTracks()
        .map((t) => t.kind)
        .sort(),
    ).toEqual(['audio', 'video']);
    await mediaFlows(callee, 0);
  });

  it('a caller being asked for camera access rings nobody until they allow it', async () => {
    const asking = { query: async () => ({ state: 'prompt' }) };
    const { phones: p } = phones(['alice', 'bob'], {}, { permissions: asking });
    p.alice!.devices.delayMs = 500;
    const incoming = nextIncoming(p.bob!.client);
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'video' });
    await incoming;
    expect(caller.snapshot.localStream, 'the callee rang before the caller allowed the camera').not.toBeNull();
  });

  it('the callee answers before its camera is up; its picture follows when the camera starts', async () => {
    const { phones: p } = phones(['alice', 'bob']);
    const devices = p.bob!.devices;
    devices.delayMs = 2_000;
    let linkAtCamera: string | undefined;
    const start = devices.getUserMedia.bind(devices);
    const incoming = nextIncoming(p.bob!.client);
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'video' });
    const callee = await incoming;
    devices.getUserMedia = async (constraints) => {
      const stream = await start(constraints);
      linkAtCamera = pcOf(caller)?.connectionState;
      return stream;
    };
    void callee.accept();
    await Promise.all([reach(caller, 'connected'), reach(callee, 'connected')]);
    await vi.waitFor(() => expect(linkAtCamera).toBeDefined(), { timeout: 5_000 });
    // ICE and DTLS were done while the camera was starting.
    expect(linkAtCamera).toBe('connected');
    await mediaFlows(caller);
  });
});

describe('glare', () => {
  it.each([
    ['no latency', {}, 0],
    ['30 ms latency', { latencyMs: 30 }, 0],
    [
      '150 ms latency with jitter, reordering and duplicates',
      { latencyMs: 150, jitterMs: 50, reorderAcrossSenders: true, duplicateRate: 0.5 },
      0,
    ],
    ["bob's camera slow to start (their call arrives before his exists)", { latencyMs: 20 }, 400],
  ] as const)(
    'both call each other at the same moment (%s): exactly one call, both connected',
    async (_name, storeOptions, bobCameraDelayMs) => {
      const { store, phones: p } = phones(['alice', 'bob'], storeOptions);
      p.bob!.devices.delayMs = bobCameraDelayMs;
      let rang = 0;
      p.alice!.client.onIncoming(() => rang++);
      p.bob!.client.onIncoming(() => rang++);
      const fromAlice = p.alice!.client.call({ callee: 'bob', kind: 'video' });
      const fromBob = p.bob!.client.call({ callee: 'alice', kind: 'video' });
      const [a, b] = await Promise.all([reach(fromAlice, 'connected'), reach(fromBob, 'connected')]);
      expect(a.callId).toBe(b.callId);
      const calls = () => store.dump().flatMap((op) => (op.op === 'createCall' ? [store.getCall(op.call.id)!] : []));
      // The losing call's cancel may still be on its way.
      await vi.waitFor(() => expect(calls().filter((c) => c.state === 'ringing')).toEqual([]), { timeout: 5_000, interval: 20 });
      expect(calls().filter((c) => c.state === 'accepted')).toHaveLength(1);
      expect(
        calls()
          .filter((c) => c.state !== 'accepted')
          .every((c) => c.state === 'cancelled'),
      ).toBe(true);
      // Deterministic: the call placed by the smaller uid survives.
      expect(calls().find((c) => c.state === 'accepted')).toMatchObject({ caller: 'alice', callee: 'bob' });
      expect(rang).toBe(0);
      expect(fromBob.snapshot.direction).toBe('incoming');
    },
  );
});

/** Resolves once `session` has received more media than `since` bytes (fails after 5 s without). */
async function mediaFlows(session: CallSessionApi, since?: number): Promise<void> {
  const start = since ?? (await inboundBytes(session));
  await vi.waitFor(async () => expect(await inboundBytes(session)).toBeGreaterThan(start), { timeout: 5_000, interval: 50 });
}

/** Connects `caller` to `callee` and returns both sessions. */
async function connect(p: ReturnType<typeof createPhones>['phones'], from: string, to: string) {
  const incoming = nextIncoming(p[to]!.client);
  const caller = p[from]!.client.call({ callee: to, kind: 'video' });
  const callee = await incoming;
  void callee.accept();
  await Promise.all([reach(caller, 'connected'), reach(callee, 'connected')]);
  return { caller, callee, callId: caller.snapshot.callId! };
}

/** What was written, for a readable failure. */
function describeWrites(store: MemoryStore, callId: string): string {
  return JSON.stringify(
    store
      .signalsOf(callId)
      .map((s) => `${s.from}:${s.type}${Array.isArray(s.candidates) ? `(${s.candidates.length}${s.done ? ',done' : ''})` : ''}`),
  );
}

/** The next seq a sender would use in a call (to forge a signal that is not a replay). */
function nextSeq(store: MemoryStore, callId: string, from: string): number {
  return (
    Math.max(
      0,
      ...store
        .signalsOf(callId)
        .filter((s) => s.from === from)
        .map((s) => Number(s.seq)),
    ) + 1
  );
}

describe('a slow and messy signaling network', () => {
  it('connects with 150 ms per write, reordering across senders and duplicate deliveries', async () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const {
      store,
      storeLogs,
      phones: p,
    } = phones(['alice', 'bob'], { latencyMs: 150, jitterMs: 60, reorderAcrossSenders: true, duplicateRate: 1, random });
    const { caller } = await connect(p, 'alice', 'bob');
    expect(caller.snapshot.state).toBe('connected');
    expect(storeLogs.some((line) => line.includes('duplicate'))).toBe(true);
    await settle(store, caller.snapshot.callId!);
    expect(store.costOf(caller.snapshot.callId!).writes, describeWrites(store, caller.snapshot.callId!)).toBeLessThanOrEqual(7);
  });

  it('finishes setup when signaling comes back after being offline', async () => {
    const { store, phones: p } = phones(['alice', 'bob']);
    const incoming = nextIncoming(p.bob!.client);
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'voice' });
    const callee = await incoming;
    store.setOnline('alice', false);
    void callee.accept();
    // Bob has done his part (accepted, answered); alice cannot see it while offline.
    await vi.waitFor(
      () => expect(store.signalsOf(callee.snapshot.callId!).some((s) => s.from === 'bob' && s.type === 'description')).toBe(true),
      { timeout: 5_000, interval: 20 },
    );
    expect(store.getCall(callee.snapshot.callId!)?.state).toBe('accepted');
    expect(caller.snapshot.state).toBe('ringing');
    store.setOnline('alice', true);
    await Promise.all([reach(caller, 'connected'), reach(callee, 'connected')]);
  });
});

describe('how calls end', () => {
  it('decline: both sides show declined', async () => {
    const { store, phones: p } = phones(['alice', 'bob']);
    const incoming = nextIncoming(p.bob!.client);
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'video' });
    const callee = await incoming;
    await callee.decline();
    const [a, b] = await Promise.all([reach(caller, 'ended'), reach(callee, 'ended')]);
    expect([a.reason, b.reason]).toEqual(['declined', 'declined']);
    expect(a.message).toMatch(/declined/);
    expect(store.getCall(a.callId!)?.state).toBe('declined');
  });

  it('cancel: the caller hangs up while it rings, both sides show cancelled', async () => {
    const { store, phones: p } = phones(['alice', 'bob']);
    const incoming = nextIncoming(p.bob!.client);
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'video' });
    const callee = await incoming;
    await caller.hangUp();
    const [a, b] = await Promise.all([reach(caller, 'ended'), reach(callee, 'ended')]);
    expect([a.reason, b.reason]).toEqual(['cancelled', 'cancelled']);
    expect(store.getCall(a.callId!)?.state).toBe('cancelled');
  });

  it('nobody answers: both sides see no-answer, the call is logged as missed', async () => {
    const { store, phones: p } = phones(['alice', 'bob'], {}, { timeouts: { ringMs: 1_000 } });
    const incoming = nextIncoming(p.bob!.client);
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'voice' });
    const callee = await incoming;
    const [a, b] = await Promise.all([reach(caller, 'ended'), reach(callee, 'ended')]);
    expect([a.reason, b.reason]).toEqual(['no-answer', 'no-answer']);
    expect(store.getCall(a.callId!)).toMatchObject({ state: 'missed', endReason: 'no-answer' });
  });

  it('peer hang-up: one side hung up, the other sees peer-left', async () => {
    const { store, phones: p } = phones(['alice', 'bob']);
    const { caller, callee, callId } = await connect(p, 'alice', 'bob');
    await callee.hangUp();
    const [a, b] = await Promise.all([reach(caller, 'ended'), reach(callee, 'ended')]);
    expect([a.reason, b.reason]).toEqual(['peer-left', 'hung-up']);
    expect(store.getCall(callId)).toMatchObject({ state: 'ended', endReason: 'hung-up' });
  });

  it('bye alone (page closing, document never updated) ends the peer at once', async () => {
    const { store, phones: p } = phones(['alice', 'bob']);
    const { caller, callee, callId } = await connect(p, 'alice', 'bob');
    await settle(store, callId);
    store.injectSignal(callId, {
      id: 'bye-1',
      from: 'alice',
      seq: nextSeq(store, callId, 'alice'),
      createdAt: Date.now(),
      type: 'bye',
      reason: 'pagehide',
    });
    const b = await reach(callee, 'ended');
    expect(b.reason).toBe('peer-left');
    expect(store.getCall(callId)?.state).toBe('accepted');
    await caller.hangUp();
  });

  it('page hide says bye for every live call', async () => {
    const pageHide: (() => void)[] = [];
    // Each client registers one page-hide listener, in creation order: alice first.
    const { phones: p } = phones(['alice', 'bob'], {}, { onPageHide: (fn) => (pageHide.push(fn), () => {}) });
    const { caller, callee } = await connect(p, 'alice', 'bob');
    pageHide[0]!();
    const [a, b] = await Promise.all([reach(caller, 'ended'), reach(callee, 'ended')]);
    expect([a.reason, b.reason]).toEqual(['hung-up', 'peer-left']);
  });
});

describe('failures a user can act on', () => {
  it('camera or microphone blocked: failed(media-denied) with a message, nothing rings', async () => {
    const { store, phones: p } = phones(['alice', 'bob']);
    p.alice!.devices.deny = 'NotAllowedError';
    let rang = false;
    p.bob!.client.onIncoming(() => (rang = true));
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'video' });
    const a = await reach(caller, 'failed');
    expect(a.reason).toBe('media-denied');
    expect(a.message).toMatch(/Allow access/);
    expect(store.dump()).toHaveLength(0);
    expect(rang).toBe(false);
  });

  it('signed out (the ICE server callable refuses): failed(unauthenticated) before anything rings', async () => {
    const refuse = async () => {
      throw Object.assign(new Error('The function must be called while authenticated.'), { code: 'functions/unauthenticated' });
    };
    const { store, phones: p } = phones(['alice', 'bob'], {}, { iceServers: refuse, prefetchIceServers: false });
    const a = await reach(p.alice!.client.call({ callee: 'bob', kind: 'voice' }), 'failed');
    expect(a.reason).toBe('unauthenticated');
    expect(a.message).toMatch(/Sign in/);
    expect(store.dump()).toHaveLength(0);
  });

  it('signaling down: failed(signaling-unavailable) with what to do', async () => {
    const { store, phones: p } = phones(['alice']);
    const channel = store.channel('alice');
    const { createCallClient } = await import('./client');
    const { SignalingError } = await import('../signaling/channel');
    const client = createCallClient({
      signaling: Object.assign(Object.create(channel) as typeof channel, {
        startCall: () => Promise.reject(new SignalingError('signaling-unavailable', 'Firestore is unreachable')),
      }),
      iceServers: async () => ({ iceServers: [], expiresAt: Date.now() + 3_600_000 }),
      mediaDevices: p.alice!.devices,
      RTCPeerConnection: WrtcPeerConnection,
      onPageHide: null,
      onNetworkChange: null,
    });
    cleanup.push(() => client.dispose());
    const a = await reach(client.call({ callee: 'bob', kind: 'voice' }), 'failed');
    expect(a.reason).toBe('signaling-unavailable');
    expect(a.message).toMatch(/internet connection/);
    expect(a.localStream).not.toBeNull();
    expect(a.localStream!.getTracks().every((t) => t.readyState === 'ended')).toBe(true); // camera released
  });

  it('a malformed signal fails that call with bad-signal; a second concurrent call is unaffected', async () => {
    const { store, phones: p } = phones(['alice', 'bob', 'carol', 'dave']);
    const one = await connect(p, 'alice', 'bob');
    const two = await connect(p, 'carol', 'dave');
    let twoChanged = false;
    two.caller.on('state', () => (twoChanged = true));
    two.callee.on('state', () => (twoChanged = true));
    await settle(store, one.callId);
    const before = await inboundBytes(two.callee);
    store.injectSignal(one.callId, {
      id: 'evil-1',
      from: 'alice',
      seq: nextSeq(store, one.callId, 'alice'),
      createdAt: Date.now(),
      type: 'description',
      description: { type: 'offer', sdp: 'v=0\r\nthis is not sdp\r\n' },
    });
    const b = await reach(one.callee, 'failed');
    expect(b.reason).toBe('bad-signal');
    expect(b.message).toMatch(/invalid data/);
    expect(b.detail).toMatch(/SDP/);
    expect((await reach(one.caller, 'ended')).reason).toBe('peer-left');
    await mediaFlows(two.callee, before);
    expect(twoChanged).toBe(false);
    expect(two.caller.snapshot.state).toBe('connected');
  });
});

/** A network where no path exists: remote candidates never arrive, the relay is nowhere. */
class NoPathPeerConnection extends WrtcPeerConnection {
  override addIceCandidate(): Promise<void> {
    return Promise.resolve();
  }
  override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    const sdp = description.sdp
      ?.split('\r\n')
      .filter((line) => !line.startsWith('a=candidate'))
      .join('\r\n');
    return super.setRemoteDescription({ type: description.type, sdp } as RTCSessionDescriptionInit);
  }
}

describe('no path at all', () => {
  it('fails with no-route within the configured deadline after ICE checks start', async () => {
    const noRouteMs = 1_500;
    const { phones: p } = phones(
      ['alice', 'bob'],
      {},
      {
        RTCPeerConnection: NoPathPeerConnection,
        iceServers: async () => ({
          iceServers: [{ urls: 'turn:127.0.0.1:9?transport=udp', username: 'x', credential: 'y' }],
          expiresAt: Date.now() + 3_600_000,
        }),
        timeouts: { noRouteMs, relayHintMs: 500 },
      },
    );
    const incoming = nextIncoming(p.bob!.client);
    const caller = p.alice!.client.call({ callee: 'bob', kind: 'video' });
    const callee = await incoming;
    void callee.accept();
    const phases: string[] = [];
    caller.on('state', (s) => phases.push(s.phase ? `${s.state}:${s.phase}` : s.state));
    const a = await reach(caller, 'failed', 10_000);
    expect(a.reason).toBe('no-route');
    expect(a.message).toMatch(/relay/);
    expect(phases).toEqual(expect.arrayContaining(['connecting:checking', 'connecting:relaying', 'failed']));
    const b = await reach(callee, 'failed');
    expect(b.reason).toBe('no-route');
    // The side whose timer fired waited the full deadline; neither waited much longer.
    const checking = [a, b].map((s) => (s.timings['connecting:checking'] ?? 0) + (s.timings['connecting:relaying'] ?? 0));
    expect(Math.max(...checking)).toBeGreaterThanOrEqual(noRouteMs);
    expect(Math.max(...checking)).toBeLessThan(noRouteMs + 3_000);
  });
});

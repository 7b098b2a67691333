import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { FakeClock } from './testing/fake-clock';
import { MediaWatchdog, readPath } from './watchdog';

/** A peer connection whose byte counters the test moves by hand. */
function setup() {
  const clock = new FakeClock();
  const counters = { received: 0, sent: 0 };
  const pc = {
    getStats: async () =>
      new Map([
        ['in', { type: 'inbound-rtp', id: 'in', bytesReceived: counters.received }],
        ['out', { type: 'outbound-rtp', id: 'out', bytesSent: counters.sent }],
      ]),
  } as unknown as RTCPeerConnection;
  const events: string[] = [];
  const watchdog = new MediaWatchdog({
    pc,
    clock,
    intervalMs: 250,
    silenceMs: 1_000,
    log: createLogger('test'),
    onSilent: () => void events.push('silent'),
    onFlowing: () => void events.push('flowing'),
    onPath: () => {},
  });
  /** `count` samples (every 250 ms, every 100 ms while silent); `flow` says what moved before each. */
  const samples = async (count: number, flow: { received?: boolean; sent?: boolean }) => {
    for (let i = 0; i < count; i++) {
      if (flow.received) counters.received += 100;
      if (flow.sent) counters.sent += 100;
      await clock.advance(watchdog.isSilent ? 100 : 250);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  watchdog.start();
  return { watchdog, events, samples };
}

describe('MediaWatchdog', () => {
  it('says silent after a second without inbound media, flowing again at the first progress', async () => {
    const { watchdog, events, samples } = setup();
    await samples(4, { received: true, sent: true });
    await samples(4, { sent: true });
    expect(events).toEqual(['silent']);
    expect(watchdog.isSilent).toBe(true);
    await samples(1, { received: true, sent: true }); // 100 ms later: media's return is noticed sooner
    expect(events).toEqual(['silent', 'flowing']);
  });

  it('counts how long media has flowed without a gap, from zero again after a sample without progress', async () => {
    const { watchdog, samples } = setup();
    await samples(4, { received: true });
    expect(watchdog.flowingForMs).toBe(750); // since the first sample that saw progress
    await samples(1, {});
    expect(watchdog.flowingForMs).toBe(0);
    await samples(3, { received: true });
    expect(watchdog.flowingForMs).toBe(500);
  });

  it('says sending stalled only when nothing has left us for a second', async () => {
    const { watchdog, samples } = setup();
    await samples(8, { sent: true });
    expect(watchdog.sendingStalled).toBe(false); // inbound gone, outbound still moving: the peer's side
    await samples(9, {});
    expect(watchdog.sendingStalled).toBe(false);
    await samples(1, {});
    expect(watchdog.sendingStalled).toBe(true);
    await samples(1, { sent: true });
    expect(watchdog.sendingStalled).toBe(false);
  });
});

describe('readPath', () => {
  const candidates = [
    { type: 'local-candidate', id: 'L1', candidateType: 'host', protocol: 'udp' },
    { type: 'remote-candidate', id: 'R1', candidateType: 'host', protocol: 'udp' },
    {
      type: 'local-candidate',
      id: 'L2',
      candidateType: 'relay',
      protocol: 'udp',
      relayProtocol: 'tcp',
      url: 'turn:192.0.2.10:443?transport=tcp',
    },
    { type: 'remote-candidate', id: 'R2', candidateType: 'srflx', protocol: 'udp' },
  ];
  const pair = (id: string, local: string, remote: string, extra: Record<string, unknown>) => ({
    type: 'candidate-pair',
    id,
    localCandidateId: local,
    remoteCandidateId: remote,
    ...extra,
  });

  it("takes the pair Chromium's transport stats name, even when another is nominated", () => {
    const path = readPath([
      { type: 'transport', id: 'T', selectedCandidatePairId: 'P2' },
      pair('P1', 'L1', 'R1', { nominated: true, state: 'succeeded' }),
      pair('P2', 'L2', 'R2', { nominated: true, state: 'succeeded' }),
      ...candidates,
    ]);
    expect(path).toEqual({ local: 'relay', remote: 'srflx', protocol: 'udp', relayProtocol: 'tcp', relayPort: 443 });
  });

  it('takes the pair Firefox marks selected when no transport stats name one, not an older nominated one', () => {
    const path = readPath([
      pair('P1', 'L1', 'R1', { nominated: true, state: 'succeeded', selected: false }),
      pair('P2', 'L2', 'R2', { nominated: true, state: 'succeeded', selected: true }),
      ...candidates,
    ]);
    expect(path).toMatchObject({ local: 'relay', remote: 'srflx', relayProtocol: 'tcp' });
  });

  it('falls back to the nominated pair that succeeded, and says nothing before there is one', () => {
    const inProgress = pair('P1', 'L1', 'R1', { nominated: false, state: 'in-progress' });
    expect(readPath([inProgress, ...candidates])).toBeNull();
    expect(readPath([inProgress, pair('P2', 'L1', 'R1', { nominated: true, state: 'succeeded' }), ...candidates])).toEqual({
      local: 'host',
      remote: 'host',
      protocol: 'udp',
    });
  });
});

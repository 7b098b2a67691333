import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';
import { FakeClock } from './testing/fake-clock';
import { MediaWatchdog } from './watchdog';

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

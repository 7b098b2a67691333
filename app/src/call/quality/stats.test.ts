import { describe, expect, it } from 'vitest';
import { sampleStats, type StatsEntry } from './stats';

/** Two reports one second apart, shaped like Chromium's getStats. */
function before(): Record<string, StatsEntry> {
  return {
    T: { id: 'T', type: 'transport', selectedCandidatePairId: 'CP2' },
    CP1: { id: 'CP1', type: 'candidate-pair', availableOutgoingBitrate: 9_999_999, currentRoundTripTime: 0.5 },
    CP2: { id: 'CP2', type: 'candidate-pair', availableOutgoingBitrate: 800_000, currentRoundTripTime: 0.09 },
    OA: { id: 'OA', type: 'outbound-rtp', kind: 'audio', bytesSent: 10_000 },
    OV: { id: 'OV', type: 'outbound-rtp', kind: 'video', bytesSent: 100_000, frameWidth: 640, frameHeight: 360 },
    IA: {
      id: 'IA',
      type: 'inbound-rtp',
      kind: 'audio',
      bytesReceived: 5_000,
      concealedSamples: 100,
      silentConcealedSamples: 0,
      totalSamplesReceived: 48_000,
    },
    IV: { id: 'IV', type: 'inbound-rtp', kind: 'video', bytesReceived: 50_000, freezeCount: 1, totalFreezesDuration: 0.4, jitter: 0.004 },
  };
}

function after(): Record<string, StatsEntry> {
  return {
    T: { id: 'T', type: 'transport', selectedCandidatePairId: 'CP2' },
    CP1: { id: 'CP1', type: 'candidate-pair', availableOutgoingBitrate: 9_999_999, currentRoundTripTime: 0.5 },
    CP2: { id: 'CP2', type: 'candidate-pair', availableOutgoingBitrate: 600_000, currentRoundTripTime: 0.1 },
    OA: { id: 'OA', type: 'outbound-rtp', kind: 'audio', bytesSent: 15_000 },
    OV: {
      id: 'OV',
      type: 'outbound-rtp',
      kind: 'video',
      bytesSent: 160_000,
      frameWidth: 480,
      frameHeight: 270,
      framesPerSecond: 24,
      qualityLimitationReason: 'bandwidth',
    },
    RA: { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0.01, roundTripTime: 0.12, jitter: 0.006 },
    RV: { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.05, roundTripTime: 0.11, jitter: 0.012 },
    // 480 of 48 000 samples concealed, 240 of them DTX silence: 0.5% real concealment.
    IA: {
      id: 'IA',
      type: 'inbound-rtp',
      kind: 'audio',
      bytesReceived: 9_000,
      concealedSamples: 580,
      silentConcealedSamples: 240,
      totalSamplesReceived: 96_000,
    },
    IV: { id: 'IV', type: 'inbound-rtp', kind: 'video', bytesReceived: 112_500, freezeCount: 3, totalFreezesDuration: 1.1, jitter: 0.02 },
  };
}

describe('sampleStats', () => {
  it('turns two reports into rates, loss, RTT, jitter, freezes, limitation and concealment', () => {
    const s = sampleStats({ at: 10_000, report: before() }, { at: 11_000, report: after() });
    expect(s.intervalMs).toBe(1_000);
    // Selected pair via transport, not the other pair.
    expect(s.availableOutgoingBitrate).toBe(600_000);
    expect(s.pathId).toBe('CP2');
    expect(s.sentAudioBps).toBe(40_000);
    expect(s.sentVideoBps).toBe(480_000);
    expect(s.receivedAudioBps).toBe(32_000);
    expect(s.receivedVideoBps).toBe(500_000);
    expect(s.loss).toBe(0.05); // worst stream
    expect(s.rttMs).toBeCloseTo(120); // remote-inbound RTT, worst stream
    expect(s.jitterMs).toBeCloseTo(12);
    expect(s.inboundJitterMs).toBeCloseTo(20);
    expect(s.freezes).toBe(2);
    expect(s.freezeDurationMs).toBeCloseTo(700);
    expect(s.qualityLimitationReason).toBe('bandwidth');
    expect(s.audioConcealment).toBeCloseTo(240 / 48_000);
    expect(s.sentVideo).toEqual({ width: 480, height: 270, framesPerSecond: 24 });
    expect(s.inboundMediaFlowing).toBe(true);
  });

  it('reads a Map-like RTCStatsReport the same as a plain object', () => {
    const asMap = (r: Record<string, StatsEntry>) => new Map(Object.entries(r));
    const fromMap = sampleStats({ at: 0, report: asMap(before()) }, { at: 1_000, report: asMap(after()) });
    const fromObject = sampleStats({ at: 0, report: before() }, { at: 1_000, report: after() });
    expect(fromMap).toEqual(fromObject);
  });

  it('gives instantaneous values but no rates on the first report', () => {
    const s = sampleStats(null, { at: 5_000, report: after() });
    expect(s.intervalMs).toBe(0);
    expect(s.availableOutgoingBitrate).toBe(600_000);
    expect(s.sentVideoBps).toBeNull();
    expect(s.audioConcealment).toBeNull();
    expect(s.freezes).toBe(0);
    expect(s.inboundMediaFlowing).toBeNull();
  });

  it('falls back to the nominated pair and its RTT when there is no transport entry or RTCP yet', () => {
    const report = {
      a: { id: 'a', type: 'candidate-pair', state: 'in-progress', availableOutgoingBitrate: 1 },
      b: {
        id: 'b',
        type: 'candidate-pair',
        state: 'succeeded',
        nominated: true,
        availableOutgoingBitrate: 300_000,
        currentRoundTripTime: 0.08,
      },
    };
    const s = sampleStats(null, { at: 0, report });
    expect(s.availableOutgoingBitrate).toBe(300_000);
    expect(s.pathId).toBe('b');
    expect(s.rttMs).toBeCloseTo(80);
    expect(s.loss).toBeNull();
    expect(s.qualityLimitationReason).toBeNull();
  });

  it('treats a counter that went backwards as a restarted stream, never a negative rate', () => {
    const prev = { OV: { id: 'OV', type: 'outbound-rtp', kind: 'video', bytesSent: 1_000_000 } };
    const curr = { OV: { id: 'OV', type: 'outbound-rtp', kind: 'video', bytesSent: 25_000 } };
    expect(sampleStats({ at: 0, report: prev }, { at: 1_000, report: curr }).sentVideoBps).toBe(200_000);
  });

  it("counts the peer's video frames, all of them for a stream new since the last report", () => {
    const iv = (framesReceived: number) => ({ IV: { id: 'IV', type: 'inbound-rtp', kind: 'video', framesReceived } });
    expect(sampleStats({ at: 0, report: iv(100) }, { at: 1_000, report: iv(130) }).receivedVideoFrames).toBe(30);
    // A pause that began within a second of the first frame: those frames were still "seen".
    expect(sampleStats({ at: 0, report: {} }, { at: 1_000, report: iv(7) }).receivedVideoFrames).toBe(7);
    expect(sampleStats({ at: 0, report: {} }, { at: 1_000, report: {} }).receivedVideoFrames).toBeNull();
  });

  it('says inbound media stopped when nothing arrived during the interval', () => {
    const prev = { IA: { id: 'IA', type: 'inbound-rtp', kind: 'audio', bytesReceived: 500 } };
    const s = sampleStats({ at: 0, report: prev }, { at: 1_000, report: prev });
    expect(s.inboundMediaFlowing).toBe(false);
  });

  it('ignores a remote report that was not renewed, like the last one of a paused video', () => {
    const a = before();
    const b = after();
    // Video paused during the squeeze: its last report (RTT 0.9 s, 30 % lost) is still listed, unchanged.
    a.RV = { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.3, roundTripTime: 0.9, roundTripTimeMeasurements: 40 };
    b.RV = { ...a.RV };
    a.RA = { id: 'RA', type: 'remote-inbound-rtp', kind: 'audio', fractionLost: 0, roundTripTime: 0.1, roundTripTimeMeasurements: 7 };
    b.RA = { ...a.RA, roundTripTime: 0.095, roundTripTimeMeasurements: 8 };
    const s = sampleStats({ at: 0, report: a }, { at: 1000, report: b });
    expect(s.rttMs).toBeCloseTo(95);
    expect(s.loss).toBe(0);
    // Neither renewed: no loss figure at all, RTT from the candidate pair.
    b.RA = { ...a.RA };
    const stale = sampleStats({ at: 0, report: a }, { at: 1000, report: b });
    expect(stale.loss).toBeNull();
    expect(stale.rttMs).toBeCloseTo(100);
  });

  it('ignores junk entries and unknown limitation reasons without throwing', () => {
    const report = {
      x: null as unknown as StatsEntry,
      y: { nope: 1 } as unknown as StatsEntry,
      OV: { id: 'OV', type: 'outbound-rtp', kind: 'video', qualityLimitationReason: 'quantum', availableOutgoingBitrate: 'many' },
    };
    const s = sampleStats(null, { at: 0, report });
    expect(s.qualityLimitationReason).toBe('other');
    expect(s.availableOutgoingBitrate).toBeNull();
  });
});

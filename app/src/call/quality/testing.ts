/**
 * Test doubles for the quality controller: a manual clock, a synthetic
 * network that produces getStats reports, and a sender that behaves like the
 * browser's (transactionId checks, async setParameters). Used by the unit
 * tests and usable by the engine's tests.
 */
import type { QualityClock } from './clock';
import type { SenderLike } from './sender-params';
import type { QualitySample, StatsEntry } from './stats';

export interface ManualClock extends QualityClock {
  /** Move time forward, running due timers in order and letting promises settle between them. */
  advance(ms: number): Promise<void>;
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createManualClock(start = 1_000_000): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    async advance(ms) {
      const end = now + ms;
      await settle();
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].callback();
        await settle();
        await settle();
      }
      now = end;
      await settle();
    },
  };
}

/** What the synthetic network is doing right now; tests change fields over time. */
export interface SyntheticNetwork {
  /** availableOutgoingBitrate; null = the browser does not report it. */
  estimateBps: number | null;
  /** fractionLost the peer reports. */
  loss: number;
  rttMs: number;
  jitterMs: number;
  /** Received media flowing at all. */
  inboundFlowing: boolean;
  /** The peer's video among it (false: only their audio arrives, as when they pause video). */
  peerVideoFlowing: boolean;
  /** Share of received audio concealed. */
  concealment: number;
  /** Freezes of received video per sample, each 200 ms long. */
  freezesPerSample: number;
  qualityLimitationReason: 'none' | 'bandwidth' | 'cpu' | 'other';
  /** What the encoder would send at most for this content (a still scene needs little). */
  encoderDemandBps: number;
  /** Id of the selected candidate pair: change it for an ICE restart onto another path. */
  pairId: string;
  /** False: no fresh receiver report came (no loss figure; RTT only from the candidate pair). */
  receiverReports: boolean;
}

export function createSyntheticPeerConnection(clock: QualityClock, video?: FakeSender) {
  const net: SyntheticNetwork = {
    estimateBps: 3_000_000,
    loss: 0,
    rttMs: 80,
    jitterMs: 5,
    inboundFlowing: true,
    peerVideoFlowing: true,
    concealment: 0,
    freezesPerSample: 0,
    qualityLimitationReason: 'none',
    encoderDemandBps: Infinity,
    pairId: 'CP',
    receiverReports: true,
  };
  let last = clock.now();
  const c = { audioSent: 0, videoSent: 0, audioRecv: 0, videoRecv: 0, framesRecv: 0, samples: 0, concealed: 0, freezes: 0, freezeSecs: 0 };
  let calls = 0;
  let failNext = 0;
  return {
    net,
    get getStatsCalls() {
      return calls;
    },
    /** The next n getStats calls reject, like a closing connection. */
    failGetStats(n: number) {
      failNext = n;
    },
    async getStats(): Promise<Map<string, StatsEntry>> {
      calls += 1;
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('synthetic getStats failure');
      }
      const now = clock.now();
      const secs = (now - last) / 1000;
      last = now;
      const encoding = video?.current.encodings[0];
      const videoOn = video ? encoding?.active !== false : false;
      const videoRate = videoOn
        ? Math.min(encoding?.maxBitrate ?? 2_500_000, (net.estimateBps ?? 2_500_000) * 0.9, net.encoderDemandBps)
        : 0;
      c.audioSent += (40_000 / 8) * secs;
      c.videoSent += (videoRate / 8) * secs;
      if (net.inboundFlowing) {
        c.audioRecv += (40_000 / 8) * secs;
        if (net.peerVideoFlowing) {
          c.videoRecv += (500_000 / 8) * secs;
          c.framesRecv += Math.round(30 * secs);
        }
        const samples = 48_000 * secs;
        c.samples += samples;
        c.concealed += samples * net.concealment;
        c.freezes += net.freezesPerSample;
        c.freezeSecs += 0.2 * net.freezesPerSample;
      }
      const height = Math.round(720 / (encoding?.scaleResolutionDownBy ?? 1));
      const entries: StatsEntry[] = [
        { id: 'T', type: 'transport', selectedCandidatePairId: net.pairId },
        {
          id: net.pairId,
          type: 'candidate-pair',
          state: 'succeeded',
          nominated: true,
          currentRoundTripTime: net.rttMs / 1000,
          ...(net.estimateBps === null ? {} : { availableOutgoingBitrate: net.estimateBps }),
        },
        { id: 'OA', type: 'outbound-rtp', kind: 'audio', bytesSent: c.audioSent },
        {
          id: 'OV',
          type: 'outbound-rtp',
          kind: 'video',
          bytesSent: c.videoSent,
          frameWidth: Math.round((height * 16) / 9),
          frameHeight: height,
          framesPerSecond: encoding?.maxFramerate ?? 30,
          qualityLimitationReason: net.qualityLimitationReason,
        },
        ...(net.receiverReports
          ? [
              {
                id: 'RA',
                type: 'remote-inbound-rtp',
                kind: 'audio',
                fractionLost: net.loss,
                roundTripTime: net.rttMs / 1000,
                jitter: net.jitterMs / 1000,
              },
              {
                id: 'RV',
                type: 'remote-inbound-rtp',
                kind: 'video',
                fractionLost: net.loss,
                roundTripTime: net.rttMs / 1000,
                jitter: net.jitterMs / 1000,
              },
            ]
          : []),
        {
          id: 'IA',
          type: 'inbound-rtp',
          kind: 'audio',
          bytesReceived: c.audioRecv,
          totalSamplesReceived: c.samples,
          concealedSamples: c.concealed,
          silentConcealedSamples: 0,
          jitter: net.jitterMs / 1000,
        },
        {
          id: 'IV',
          type: 'inbound-rtp',
          kind: 'video',
          bytesReceived: c.videoRecv,
          framesReceived: c.framesRecv,
          freezeCount: c.freezes,
          totalFreezesDuration: c.freezeSecs,
        },
      ];
      return new Map(entries.map((e) => [e.id!, e]));
    },
  };
}

export type FakeSender = ReturnType<typeof createFakeSender>;

/**
 * Behaves like Chromium's RTCRtpSender where it matters: setParameters needs
 * the latest getParameters' transactionId (so concurrent calls reject) and
 * resolves asynchronously; every accepted call is recorded.
 */
export function createFakeSender(options: { width?: number; height?: number; encodings?: number; hasTrack?: boolean } = {}) {
  const settings = { width: options.width ?? 1280, height: options.height ?? 720 };
  const encodingCount = options.encodings ?? 1;
  let transaction = 0;
  let issued: string | null = null;
  let current: RTCRtpSendParameters = {
    transactionId: '',
    encodings: Array.from({ length: encodingCount }, () => ({ active: true })),
    codecs: [],
    headerExtensions: [],
    rtcp: {},
  };
  const calls: RTCRtpSendParameters[] = [];
  let rejectNext = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const track = options.hasTrack === false ? null : { contentHint: '', getSettings: () => ({ ...settings }) };
  const sender = {
    track,
    settings,
    calls,
    get current() {
      return current;
    },
    get maxConcurrentSets() {
      return maxInFlight;
    },
    /** The next n setParameters calls reject like a browser that refuses them. */
    rejectSets(n: number) {
      rejectNext = n;
    },
    /** Pretend negotiation finished and encodings now exist. */
    negotiate(count = 1) {
      current = { ...current, encodings: Array.from({ length: count }, () => ({ active: true })) };
    },
    getParameters(): RTCRtpSendParameters {
      issued = `tx-${++transaction}`;
      return structuredClone({ ...current, transactionId: issued });
    },
    async setParameters(parameters: RTCRtpSendParameters): Promise<void> {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await Promise.resolve();
        if (parameters.transactionId !== issued) throw new DOMException('stale transactionId', 'InvalidModificationError');
        issued = null;
        if (rejectNext > 0) {
          rejectNext -= 1;
          throw new DOMException('refused', 'InvalidModificationError');
        }
        for (const e of parameters.encodings) {
          if (e.scaleResolutionDownBy !== undefined && e.scaleResolutionDownBy < 1) throw new RangeError('scaleResolutionDownBy < 1');
        }
        calls.push(structuredClone(parameters));
        current = structuredClone(parameters);
      } finally {
        inFlight -= 1;
      }
    },
  } satisfies SenderLike & Record<string, unknown>;
  return sender;
}

/** A sample of a clean call sending 900 kbit/s of video on a 2 Mbit/s estimate; `over` changes what a test needs. */
export function qualitySample(over: Partial<QualitySample> = {}): QualitySample {
  return {
    at: 0,
    intervalMs: 1000,
    availableOutgoingBitrate: 2_000_000,
    sentAudioBps: 40_000,
    sentVideoBps: 900_000,
    receivedAudioBps: 40_000,
    receivedVideoBps: 900_000,
    receivedVideoFrames: 30,
    loss: 0,
    rttMs: 80,
    jitterMs: 5,
    inboundJitterMs: 5,
    freezes: 0,
    freezeDurationMs: 0,
    qualityLimitationReason: 'none',
    audioConcealment: 0,
    sentVideo: null,
    inboundMediaFlowing: true,
    pathId: null,
    ...over,
  };
}

/**
 * Turns two consecutive getStats reports into one sample of what the network
 * and the media are doing. Pure: no clock, no peer connection, so synthetic
 * sequences in tests exercise exactly what runs in the browser.
 */

/** One entry of an RTCStatsReport, as far as the sampler reads it. */
export interface StatsEntry {
  id?: string;
  type: string;
  [field: string]: unknown;
}

/**
 * What getStats resolves to (a Map-like RTCStatsReport), or a plain object /
 * array of entries in tests.
 */
export type StatsReportLike = { values(): Iterable<unknown> } | Record<string, StatsEntry> | readonly StatsEntry[];

/** A report and the clock time (ms) it was taken at. */
export interface StatsSnapshot {
  at: number;
  report: StatsReportLike;
}

export type LimitationReason = 'none' | 'bandwidth' | 'cpu' | 'other';

export interface QualitySample {
  /** Clock time of the newer report (ms). */
  at: number;
  /** Time since the previous report (ms); 0 on the first sample, when rates are null. */
  intervalMs: number;
  /** Congestion controller's estimate for everything we send (bit/s), from the selected candidate pair. */
  availableOutgoingBitrate: number | null;
  sentAudioBps: number | null;
  sentVideoBps: number | null;
  receivedAudioBps: number | null;
  receivedVideoBps: number | null;
  /** Frames of the peer's video that reached us during the interval (null: no video stream to count). */
  receivedVideoFrames: number | null;
  /** Worst fractionLost (0..1) the peer reports for what we send (remote-inbound-rtp). */
  loss: number | null;
  /** Round-trip time (ms): worst remote-inbound-rtp RTT, else the candidate pair's. */
  rttMs: number | null;
  /** Worst jitter (ms) the peer reports for what we send. */
  jitterMs: number | null;
  /** Jitter (ms) of what we receive, worst stream. */
  inboundJitterMs: number | null;
  /** Freezes of the received video that started during this interval, and their added duration (ms). */
  freezes: number;
  freezeDurationMs: number;
  /** Why the browser is holding our outgoing video below what we allow. */
  qualityLimitationReason: LimitationReason | null;
  /** Share of received audio that was concealed (lost or late, not DTX silence) during this interval. */
  audioConcealment: number | null;
  /** Outgoing video as encoded right now. */
  sentVideo: { width: number; height: number; framesPerSecond: number | null } | null;
  /** False when nothing at all arrived during the interval (with rates known). */
  inboundMediaFlowing: boolean | null;
  /** The selected candidate pair's id: a new one is a new path (ICE restart, network change). */
  pathId: string | null;
}

function entriesOf(report: StatsReportLike): StatsEntry[] {
  const values: Iterable<unknown> =
    typeof (report as { values?: unknown }).values === 'function'
      ? (report as { values(): Iterable<unknown> }).values()
      : Object.values(report as Record<string, unknown>);
  const out: StatsEntry[] = [];
  for (const v of values) {
    if (v && typeof v === 'object' && typeof (v as StatsEntry).type === 'string') out.push(v as StatsEntry);
  }
  return out;
}

function num(entry: StatsEntry | undefined, field: string): number | undefined {
  const v = entry?.[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function kindOf(entry: StatsEntry): string | undefined {
  const k = entry.kind ?? entry.mediaType;
  return typeof k === 'string' ? k : undefined;
}

function maxOf(values: (number | undefined)[]): number | null {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.max(...known) : null;
}

class Report {
  readonly all: StatsEntry[];
  private readonly byId = new Map<string, StatsEntry>();

  constructor(report: StatsReportLike) {
    this.all = entriesOf(report);
    for (const e of this.all) if (e.id) this.byId.set(e.id, e);
  }

  get(id: unknown): StatsEntry | undefined {
    return typeof id === 'string' ? this.byId.get(id) : undefined;
  }

  of(type: string, kind?: string): StatsEntry[] {
    return this.all.filter((e) => e.type === type && (kind === undefined || kindOf(e) === kind));
  }

  /** The candidate pair media flows on: the transport's pick, else the nominated succeeded one. */
  selectedPair(): StatsEntry | undefined {
    for (const t of this.of('transport')) {
      const pair = this.get(t.selectedCandidatePairId);
      if (pair) return pair;
    }
    const pairs = this.of('candidate-pair');
    return pairs.find((p) => p.selected === true) ?? pairs.find((p) => p.nominated === true && p.state === 'succeeded');
  }
}

/**
 * Growth of a counter summed over the streams of one type and kind. A stream
 * absent from the previous report is skipped (its start time is unknown, so it
 * would spoil a rate) unless `newStreamsWhole`: for a count of things received,
 * all of a new stream's came since the previous report. A counter that went
 * backwards restarted, so its whole value is growth.
 */
function growth(prev: Report, curr: Report, type: string, kind: string | undefined, field: string, newStreamsWhole = false): number | null {
  let total = 0;
  let matched = false;
  for (const c of curr.of(type, kind)) {
    const now = num(c, field);
    const before = num(prev.get(c.id), field) ?? (newStreamsWhole ? 0 : undefined);
    if (now === undefined || before === undefined) continue;
    matched = true;
    total += now >= before ? now - before : now;
  }
  return matched ? total : null;
}

function rate(bytes: number | null, intervalMs: number): number | null {
  return bytes === null || intervalMs <= 0 ? null : (bytes * 8 * 1000) / intervalMs;
}

const LIMITATIONS: readonly string[] = ['none', 'bandwidth', 'cpu', 'other'];

/**
 * One sample from two consecutive snapshots. `prev` may be null (first poll):
 * instantaneous fields are filled, rates and per-interval counts are null/0.
 */
export function sampleStats(prev: StatsSnapshot | null, curr: StatsSnapshot): QualitySample {
  const now = new Report(curr.report);
  const before = prev ? new Report(prev.report) : null;
  const intervalMs = prev ? Math.max(0, curr.at - prev.at) : 0;

  const pair = now.selectedPair();
  // Only remote reports renewed since the last poll: a paused stream's last
  // receiver report stays in getStats for ever, and its RTT and loss (taken
  // while the squeeze was on) kept a paused video from ever resuming in the lab.
  const remoteInbound = now.of('remote-inbound-rtp').filter((e) => {
    const measurements = num(e, 'roundTripTimeMeasurements');
    const earlier = num(before?.get(e.id), 'roundTripTimeMeasurements');
    return measurements === undefined || earlier === undefined || measurements > earlier;
  });
  const outVideo = now.of('outbound-rtp', 'video');
  const inbound = now.of('inbound-rtp');

  const remoteRtt = maxOf(remoteInbound.map((e) => num(e, 'roundTripTime')));
  const pairRtt = num(pair, 'currentRoundTripTime');
  const remoteJitter = maxOf(remoteInbound.map((e) => num(e, 'jitter')));
  const inboundJitter = maxOf(inbound.map((e) => num(e, 'jitter')));

  // The encoder with the highest resolution speaks for the video (simulcast has several).
  const topVideo = outVideo
    .filter((e) => num(e, 'frameHeight') !== undefined)
    .sort((a, b) => (num(b, 'frameHeight') ?? 0) - (num(a, 'frameHeight') ?? 0))[0];
  const reasonField =
    outVideo.map((e) => e.qualityLimitationReason).find((r) => typeof r === 'string' && r !== 'none') ??
    outVideo.map((e) => e.qualityLimitationReason).find((r) => typeof r === 'string');
  const qualityLimitationReason =
    typeof reasonField === 'string' ? ((LIMITATIONS.includes(reasonField) ? reasonField : 'other') as LimitationReason) : null;

  const g = (type: string, kind: string | undefined, field: string, newStreamsWhole = false): number | null =>
    before ? growth(before, now, type, kind, field, newStreamsWhole) : null;

  const receivedAudio = g('inbound-rtp', 'audio', 'bytesReceived');
  const receivedVideo = g('inbound-rtp', 'video', 'bytesReceived');
  const concealed = g('inbound-rtp', 'audio', 'concealedSamples');
  const silent = g('inbound-rtp', 'audio', 'silentConcealedSamples') ?? 0;
  const received = g('inbound-rtp', 'audio', 'totalSamplesReceived');
  const audioConcealment =
    concealed !== null && received !== null && received > 0 ? Math.min(1, Math.max(0, concealed - silent) / received) : null;

  const inboundKnown = receivedAudio !== null || receivedVideo !== null;

  return {
    at: curr.at,
    intervalMs,
    availableOutgoingBitrate: num(pair, 'availableOutgoingBitrate') ?? null,
    sentAudioBps: rate(g('outbound-rtp', 'audio', 'bytesSent'), intervalMs),
    sentVideoBps: rate(g('outbound-rtp', 'video', 'bytesSent'), intervalMs),
    receivedAudioBps: rate(receivedAudio, intervalMs),
    receivedVideoBps: rate(receivedVideo, intervalMs),
    // Frames, not bytes: padding and retransmissions keep bytes moving after the peer's encoder stopped.
    // (A stream's first frames count: a pause that began within a second of the call's first frame went unseen.)
    receivedVideoFrames: g('inbound-rtp', 'video', 'framesReceived', true) ?? g('inbound-rtp', 'video', 'framesDecoded', true),
    loss: maxOf(remoteInbound.map((e) => num(e, 'fractionLost'))),
    rttMs: remoteRtt !== null ? remoteRtt * 1000 : pairRtt !== undefined ? pairRtt * 1000 : null,
    jitterMs: remoteJitter !== null ? remoteJitter * 1000 : null,
    inboundJitterMs: inboundJitter !== null ? inboundJitter * 1000 : null,
    freezes: g('inbound-rtp', 'video', 'freezeCount') ?? 0,
    freezeDurationMs: (g('inbound-rtp', 'video', 'totalFreezesDuration') ?? 0) * 1000,
    qualityLimitationReason,
    audioConcealment,
    sentVideo: topVideo
      ? {
          width: num(topVideo, 'frameWidth') ?? 0,
          height: num(topVideo, 'frameHeight') ?? 0,
          framesPerSecond: num(topVideo, 'framesPerSecond') ?? null,
        }
      : null,
    inboundMediaFlowing: inboundKnown && intervalMs > 0 ? (receivedAudio ?? 0) + (receivedVideo ?? 0) > 0 : null,
    pathId: typeof pair?.id === 'string' ? pair.id : null,
  };
}

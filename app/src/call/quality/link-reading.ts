/**
 * What one sample says about the link, read once for all of the ladder's rules:
 * whether Chrome's estimate can be trusted, whether it fell, whether a queue
 * stands, and whether the loss reported is congestion or just what this link
 * loses anyway. Pure.
 */
import type { LadderState } from './ladder';
import type { QualitySample } from './stats';
import type { QualityTunables } from './tunables';

export interface LinkReading {
  at: number;
  /** Chrome's estimate for everything we send (bit/s). */
  estimate: number | null;
  /** What of the estimate is left for video once audio has its share (bit/s). */
  budget: number | null;
  /** Audio and video sent before this sample: a cut estimate is weighed against it. */
  sentBefore: number;
  /** The estimate dropped well below its recent peak: GCC cutting its rate. */
  estimateFell: boolean;
  /** The estimate halved within a few samples: GCC's first cut, still on its way down. */
  collapsed: boolean;
  /** The budget holds video below what the encoder sends. */
  binding: boolean;
  /** RTT well above the path's best in this sample. */
  rttInflated: boolean;
  /** RTT well above the path's best for two samples in a row. */
  queued: boolean;
  /** Loss heavy enough, and confirmed enough, to count as congestion. */
  heavyLoss: boolean;
  /** A queue or loss that confirms a fall of the estimate (the link got thinner than what we send). */
  congested: boolean;
  /** A fresh receiver report that shows no queue and no more loss than the link's usual. */
  cleanReport: boolean;
  /** The estimate may step video down: not warming up, not probing, not just back from a dead path. */
  trustEstimate: boolean;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Bits per second of the estimate left for video once audio has its share. */
export function videoBudget(sample: QualitySample, t: QualityTunables): number | null {
  const estimate = sample.availableOutgoingBitrate;
  return estimate === null ? null : estimate * t.estimateHeadroom - t.audioReserveBps;
}

/** A link that loses `lossClean` or more on average is lossy: a few reports say a lot there, most say little. */
export function isLossyLink(recentLoss: readonly number[], t: QualityTunables): boolean {
  return recentLoss.length > 0 && recentLoss.reduce((a, b) => a + b, 0) / recentLoss.length >= t.lossClean;
}

/**
 * Background loss is not congestion: only loss `lossStepDown` over the link's usual (the median of
 * its recent reports) is heavy, and it counts at once only on a link known to be clean. Elsewhere one
 * report may cover a handful of packets, so Chrome's estimate must fall, or a queue stand, with it.
 */
export function heavyLossCounts(
  recentLoss: readonly number[],
  report: number | null,
  corroborated: boolean,
  t: QualityTunables,
): { heavy: boolean; counts: boolean } {
  const heavy = report !== null && report >= t.lossStepDown + median(recentLoss);
  const knownClean = recentLoss.length >= t.backgroundLossMinReports && !isLossyLink(recentLoss, t);
  return { heavy, counts: heavy && (knownClean || corroborated) };
}

/**
 * The dead path's loss does not count: the first receiver report after the path returns counts
 * what was sent into it as lost, so for a grace period there is no loss report to read.
 */
export function lossReport(s: LadderState, sample: QualitySample, t: QualityTunables): number | null {
  const pathJustBack = s.pathBackAt !== null && sample.at - s.pathBackAt < t.pathBackGraceMs;
  return pathJustBack ? null : sample.loss;
}

/**
 * The estimate lags at call start, right after a step-up (Chrome probes the new rate) and after a
 * dead path (it decayed without feedback); meanwhile only loss and a queue step video down.
 */
export function estimateTrusted(s: LadderState, sample: QualitySample, t: QualityTunables): boolean {
  const probing = s.lastStepUpAt !== null && sample.at - s.lastStepUpAt < t.probeGraceMs;
  const pathJustBack = s.pathBackAt !== null && sample.at - s.pathBackAt < t.pathBackGraceMs;
  return sample.availableOutgoingBitrate !== null && sample.at - s.startedAt! >= t.warmUpMs && !probing && !pathJustBack;
}

/**
 * Reads the sample against what the state remembers, and returns the state with this sample
 * remembered too (what was sent, the run of high RTTs, the recent loss and estimates).
 */
export function readLink(s: LadderState, sample: QualitySample, t: QualityTunables): { link: LinkReading; state: LadderState } {
  const sentNow = sample.sentVideoBps === null ? null : sample.sentVideoBps + (sample.sentAudioBps ?? 0);
  const sentBefore = Math.max(s.lastSentBps ?? 0, sentNow ?? 0);

  const estimate = sample.availableOutgoingBitrate;
  const budget = videoBudget(sample, t);
  const peak = Math.max(0, ...s.recentEstimates);
  const estimateFell = estimate !== null && estimate < peak * t.estimateDropRatio;
  const collapsed = estimate !== null && estimate < peak * t.estimateCollapseRatio;
  const rttInflated = sample.rttMs !== null && s.minRttMs !== null && sample.rttMs - s.minRttMs > t.rttInflationMs;
  const inflatedSamples = rttInflated ? s.inflatedSamples + 1 : 0;

  const report = lossReport(s, sample, t);
  const lossyLink = isLossyLink(s.recentLoss, t);
  const background = median(s.recentLoss);
  const loss = heavyLossCounts(s.recentLoss, report, estimateFell || rttInflated, t);
  // On a lossy link only heavy loss confirms a fall; on a clean one any loss of `lossClean` does.
  const lossConfirms = lossyLink ? loss.heavy : report !== null && report >= t.lossClean;

  const link: LinkReading = {
    at: sample.at,
    estimate,
    budget,
    sentBefore,
    estimateFell,
    collapsed,
    // Without a send rate any budget binds; the rules that read this also need a trusted estimate.
    binding: sample.sentVideoBps === null || budget! < sample.sentVideoBps,
    rttInflated,
    // One high RTT is often a busy CPU or a stale RTCP report; a standing queue lasts.
    queued: inflatedSamples >= 2,
    heavyLoss: loss.counts,
    congested: rttInflated || lossConfirms,
    cleanReport: report !== null && !rttInflated && report < (lossyLink ? background : 0) + t.lossClean,
    trustEstimate: budget !== null && estimateTrusted(s, sample, t),
  };
  const state: LadderState = {
    ...s,
    lastSentBps: sentNow ?? s.lastSentBps,
    inflatedSamples,
    recentLoss: sample.loss === null ? s.recentLoss : [...s.recentLoss, sample.loss].slice(-t.backgroundLossSamples),
    recentEstimates: estimate === null ? s.recentEstimates : [...s.recentEstimates, estimate].slice(-t.estimateDropSamples),
  };
  return { link, state };
}

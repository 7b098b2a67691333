/**
 * Where on the video ladder we should be, decided one sample at a time.
 * Pure: state in, state out; time comes from the samples.
 *
 * Down is fast: a budget below what the current rung needs, heavy loss or a
 * standing queue moves down within the same sample (straight to the rung
 * that fits, not one step at a time). Up is slow: only after a clean period,
 * one rung (or straight to what the estimate already supports), and a
 * step-up that is undone shortly after doubles the next wait. A step down on
 * Chrome's estimate alone that no loss or queue confirms goes back (a Wi-Fi
 * stall makes GCC cut without the link getting any thinner).
 */
import type { QualitySample } from './stats';
import type { QualityTunables, Rung } from './tunables';

export interface LadderState {
  /** Index into the ladder; `ladder.length` means video paused. */
  rung: number;
  /** Time of the first sample where the state started. */
  startedAt: number | null;
  /** Start of the current run of clean samples that show room for more video. */
  headroomSince: number | null;
  /** When we last stepped up, until that step proves itself. */
  lastStepUpAt: number | null;
  /** Step-ups undone in a row; each doubles the wait before the next. */
  failedStepUps: number;
  /** Lowest RTT seen on this call: the path's RTT without a queue. */
  minRttMs: number | null;
  /** Samples in a row with RTT well above minRttMs. */
  inflatedSamples: number;
  /** The last few estimates, newest last: a drop below their peak is Chrome reacting to congestion. */
  recentEstimates: number[];
  /** Why the rung last changed, for logs and the lab. */
  lastChange: string | null;
  /** The last sample had nothing at all from the peer: the path was down. */
  pathDown: boolean;
  /** When media flowed again after the path was down. */
  pathBackAt: number | null;
  /** The candidate pair of the last sample that named one. */
  pathId: string | null;
  /** The last few loss reports, newest last: their median is what this link loses anyway. */
  recentLoss: number[];
  /**
   * A step down on the estimate alone, not yet confirmed by loss or a queue:
   * when, the rung before it, what was sent before the fall, and the fresh
   * receiver reports since that showed neither.
   */
  unconfirmedDrop: { at: number; from: number; sentBps: number; cleanSamples: number } | null;
  /** Audio and video sent during the previous sample (bit/s). */
  lastSentBps: number | null;
}

export function initialLadderState(rung = 0): LadderState {
  return {
    rung,
    startedAt: null,
    headroomSince: null,
    lastStepUpAt: null,
    failedStepUps: 0,
    minRttMs: null,
    inflatedSamples: 0,
    recentEstimates: [],
    lastChange: null,
    pathDown: false,
    pathBackAt: null,
    pathId: null,
    recentLoss: [],
    unconfirmedDrop: null,
    lastSentBps: null,
  };
}

export function isPaused(state: LadderState, ladder: readonly Rung[]): boolean {
  return state.rung >= ladder.length;
}

/**
 * Video came back from a pause and the try has not yet held for
 * `failedStepUpWindowMs` (the ladder forgets `lastStepUpAt` then, or on the
 * step down that undoes it): the user is told it resumed only once it held
 * (each failed try otherwise flashed the paused line off and on every 6-20 s).
 */
export function isResuming(state: LadderState): boolean {
  return state.lastChange === 'resume' && state.lastStepUpAt !== null;
}

/** Bits per second of the estimate left for video once audio has its share. */
export function videoBudget(sample: QualitySample, t: QualityTunables): number | null {
  const estimate = sample.availableOutgoingBitrate;
  return estimate === null ? null : estimate * t.estimateHeadroom - t.audioReserveBps;
}

/**
 * Best rung the budget carries: one whose cap times `share` fits, else the
 * lowest. Stepping down uses the keep ratio (the rung we land on must not be
 * left at once), stepping up the full cap; the gap between the two is the
 * hysteresis.
 */
function rungForBudget(budget: number, share: number, ladder: readonly Rung[]): number {
  const fits = ladder.findIndex((r) => r.maxBitrate * share <= budget);
  return fits === -1 ? ladder.length - 1 : fits;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function nextLadderState(state: LadderState, sample: QualitySample, ladder: readonly Rung[], t: QualityTunables): LadderState {
  const at = sample.at;
  const s: LadderState = { ...state, startedAt: state.startedAt ?? at };
  // A new path (ICE restart, network change) is a new link: Chrome restarts its
  // estimate from the start value (a warm-up again), and the old path's best RTT
  // and estimates say nothing about it (kept, a slower path read as a standing
  // queue and pinned the call at the lowest rung).
  if (sample.pathId !== null && s.pathId !== null && sample.pathId !== s.pathId) {
    Object.assign(s, { startedAt: at, minRttMs: null, inflatedSamples: 0, recentEstimates: [], unconfirmedDrop: null });
  }
  if (sample.pathId !== null) s.pathId = sample.pathId;
  if (sample.rttMs !== null) s.minRttMs = s.minRttMs === null ? sample.rttMs : Math.min(s.minRttMs, sample.rttMs);

  // Nothing at all came from the peer for a whole sample: the path is down (a
  // cut, a network change), not thin. Hold the rung; Chrome's estimate decays
  // without feedback, so it is not recorded either.
  if (sample.inboundMediaFlowing === false)
    return { ...s, pathDown: true, pathBackAt: null, headroomSince: null, inflatedSamples: 0, unconfirmedDrop: null };
  if (s.pathDown) {
    s.pathDown = false;
    s.pathBackAt = at;
  }
  // The first receiver report after the path returns counts what was sent into
  // the dead path as lost (86-95 % after the lab's 5 s cut), and stepping down on
  // it left the picture at 180p for 5-20 s; for a while only a standing queue counts.
  const pathJustBack = s.pathBackAt !== null && at - s.pathBackAt < t.pathBackGraceMs;

  // A step-up that survived the window worked: forget earlier failures.
  if (s.lastStepUpAt !== null && at - s.lastStepUpAt >= t.failedStepUpWindowMs) {
    s.lastStepUpAt = null;
    s.failedStepUps = 0;
  }

  // What was sent before this sample: a cut estimate is weighed against it (the sample itself may already follow the cut).
  const sentNow = sample.sentVideoBps === null ? null : sample.sentVideoBps + (sample.sentAudioBps ?? 0);
  const sentBefore = Math.max(s.lastSentBps ?? 0, sentNow ?? 0);
  s.lastSentBps = sentNow ?? s.lastSentBps;

  const paused = s.rung >= ladder.length;
  const current = ladder[s.rung];
  const budget = videoBudget(sample, t);
  const estimate = sample.availableOutgoingBitrate;
  const peak = Math.max(0, ...s.recentEstimates);
  const estimateFell = estimate !== null && estimate < peak * t.estimateDropRatio;
  const collapsed = estimate !== null && estimate < peak * t.estimateCollapseRatio;
  const inflated = sample.rttMs !== null && s.minRttMs !== null && sample.rttMs - s.minRttMs > t.rttInflationMs;
  s.inflatedSamples = inflated ? s.inflatedSamples + 1 : 0;

  // Loss counts only above what this link loses anyway (the median of its recent reports). On a
  // lossy link (Wi-Fi, a long path: it loses `lossClean` or more anyway) random loss does not grow
  // with what we send and a lower rung does not make it lose less, so there only heavy loss is
  // congestion; read otherwise, a long lossy path got a smaller picture than plain Chromium's.
  const background = median(s.recentLoss);
  // Lossy or not by the mean: on a lossy path most reports say little and a few say a lot.
  const lossyLink = s.recentLoss.length > 0 && s.recentLoss.reduce((a, b) => a + b, 0) / s.recentLoss.length >= t.lossClean;
  const knownClean = s.recentLoss.length >= t.backgroundLossMinReports && !lossyLink;
  const report = pathJustBack ? null : sample.loss;
  const heavy = report !== null && report >= t.lossStepDown + background;
  const lossRising = lossyLink ? heavy : report !== null && report >= t.lossClean;
  // Heavy loss counts at once on a link known to be clean. Elsewhere one report is no evidence
  // alone (it may cover a handful of packets, and on the long lossy path heavy reports came while
  // Chrome's estimate, fed back on every packet, kept rising): the estimate must fall, or a queue
  // stand, with it.
  const lossy = heavy && (knownClean || estimateFell || inflated);
  // A fresh report that shows no queue and no more loss than the link's usual: what an unconfirmed fall waits for.
  const cleanReport = report !== null && !inflated && report < (lossyLink ? background : 0) + t.lossClean;
  if (sample.loss !== null) s.recentLoss = [...s.recentLoss, sample.loss].slice(-t.backgroundLossSamples);
  // One high RTT is often a busy CPU or a stale RTCP report; a standing queue lasts.
  const queued = s.inflatedSamples >= 2;
  // The estimate lags at call start and right after a step-up (Chrome is
  // probing the new rate); meanwhile only loss and queueing count.
  const probing = s.lastStepUpAt !== null && at - s.lastStepUpAt < t.probeGraceMs;
  const trustEstimate = budget !== null && at - s.startedAt! >= t.warmUpMs && !probing && !pathJustBack;

  // What got through last second, when loss says the link collapsed: this
  // shows a collapse a second or two before the estimate follows it.
  const throughputBudget =
    lossy && sample.sentVideoBps !== null
      ? ((sample.sentAudioBps ?? 0) + sample.sentVideoBps) * (1 - sample.loss!) * t.estimateHeadroom - t.audioReserveBps
      : null;
  // What confirms a fall of the estimate (a link thinner than what we send): loss (heavy loss on
  // a lossy link; not the dead path's, counted after it returns), or an RTT `rttInflationMs` over
  // the best. Not a smaller RTT bump: the stall that made GCC cut also holds a report now and then
  // (+103 ms on the lab's jittery link, where nothing was queued).
  const congested = inflated || lossRising;
  if (s.unconfirmedDrop) {
    const drop = s.unconfirmedDrop;
    // Only a fresh, clean receiver report counts; a sample without one proves nothing, and one
    // noisy report over the background neither counts nor confirms the fall.
    const cleanSamples = drop.cleanSamples + (cleanReport ? 1 : 0);
    // Waits up to the failed-step-up window for the estimate to carry what was sent again: GCC
    // may cut twice, the second time on the little we send after the step down (lab: 496 -> 118
    // kbit/s, then 509 four seconds later).
    const expired = congested || at - drop.at > t.failedStepUpWindowMs;
    s.unconfirmedDrop = expired ? null : { ...drop, cleanSamples };
    if (!expired && cleanSamples >= t.confirmDropSamples && estimate !== null && estimate >= drop.sentBps * t.undoDropCarryRatio) {
      // Back to where we were, as a step up (probe grace; one more fall within the failed-step-up
      // window stands and backs off). The cut estimate is the new reference: it would read as a fall again.
      return {
        ...s,
        rung: drop.from,
        headroomSince: null,
        recentEstimates: [estimate],
        lastStepUpAt: at,
        lastChange: 'undone',
        unconfirmedDrop: null,
      };
    }
  }
  s.recentEstimates = estimate === null ? s.recentEstimates : [...s.recentEstimates, estimate].slice(-t.estimateDropSamples);
  const lowest = ladder.length - 1;

  // --- down: within this sample ---
  let down = s.rung;
  if (!paused) {
    // A low estimate counts when it just fell or with a queue or heavy loss; one
    // that is merely still ramping up would only be held down by a lower cap.
    // A fallen estimate alone only counts while it holds video below what the
    // encoder sends: at the low rungs Chrome's estimate wanders +-15% around a
    // little more than what is sent, and stepping down on that noise is what
    // kept a call bouncing between 180p and 180p-8fps after the squeeze.
    const binding = sample.sentVideoBps === null || budget! < sample.sentVideoBps;
    // Not with a few percent of loss: one report of it is noise on a lossy link.
    if (trustEstimate && ((estimateFell && binding) || inflated || lossy) && budget! < current!.maxBitrate * t.keepRungRatio) {
      down = Math.max(down, rungForBudget(budget!, t.keepRungRatio, ladder));
    }
    // A collapse (the estimate halved within a few samples) is GCC's first cut;
    // it keeps falling for a second or two. Landing where it will end up, in one
    // step, costs one resolution change (one keyframe) instead of two, while
    // the bottleneck queue is full and every extra keyframe is a freeze.
    if (trustEstimate && collapsed && binding) {
      down = Math.max(down, rungForBudget(estimate! * t.collapseHeadroom - t.audioReserveBps, t.keepRungRatio, ladder));
    }
    if (lossy || queued) down = Math.max(down, Math.min(s.rung + 1, lowest));
    if (throughputBudget !== null) down = Math.max(down, rungForBudget(throughputBudget, t.keepRungRatio, ladder));
    // Pause only on a link that loses packets: a low estimate on a clean one is
    // Chrome following how little we send, and a low estimate with a high RTT
    // but no loss was, in the lab, a starved CPU (RTT 500-700 ms on an idle
    // 2.5 Mbit/s link), not a link too thin for video.
    if (trustEstimate && budget! < t.pauseVideoBelowBps && (sample.loss ?? 0) >= t.lossClean) down = ladder.length;
  }
  if (down > s.rung) {
    const failedStepUp = s.lastStepUpAt !== null;
    return {
      ...s,
      rung: down,
      // A fall right after a step up (or an undo) is a failed try, and one with nothing sent to
      // weigh it against cannot be judged: both stand.
      unconfirmedDrop:
        congested || failedStepUp || sentBefore <= 0
          ? null
          : (s.unconfirmedDrop ?? { at, from: s.rung, sentBps: sentBefore, cleanSamples: 0 }),
      headroomSince: null,
      lastStepUpAt: null,
      failedStepUps: failedStepUp ? s.failedStepUps + 1 : s.failedStepUps,
      lastChange: lossy ? 'loss' : queued ? 'queueing' : 'bandwidth',
    };
  }

  // --- up: only after a stable period with room to spare ---
  if (s.rung === 0) return { ...s, headroomSince: null };
  // qualityLimitationReason does not block: 'bandwidth' there is Chrome's own
  // adaptation to an estimate that stays low precisely because little is sent;
  // raising the cap is what makes Chrome probe for more (seen in the lab).
  // Loss counts against stepping up only above what this link loses anyway: Wi-Fi's
  // steady 2-5 % does not grow with the rate, and waiting for a second under 2 %
  // there kept paused video paused for ever.
  const clean = !lossy && !inflated && (sample.loss === null || sample.loss < t.lossClean + median(s.recentLoss));
  const next = ladder[s.rung - 1]!;
  // Paused: only audio flows, so the estimate cannot vouch for video; resuming is a blind probe.
  const inUse = Math.min(current?.maxBitrate ?? 0, sample.sentVideoBps ?? Infinity);
  const room = paused || budget === null || budget >= next.maxBitrate || budget >= inUse * t.probeUpRatio;
  if (!clean || !room) return { ...s, headroomSince: null };
  s.headroomSince = s.headroomSince ?? at;

  const baseWait = paused ? t.resumeVideoAfterMs : t.stepUpAfterMs;
  const wait = Math.min(baseWait * 2 ** s.failedStepUps, t.maxStepUpBackoffMs);
  if (at - s.headroomSince < wait) return s;

  const supported = budget === null || paused ? ladder.length : rungForBudget(budget, 1, ladder);
  const up = Math.min(supported, s.rung - 1);
  return { ...s, rung: up, headroomSince: null, lastStepUpAt: at, lastChange: paused ? 'resume' : 'headroom', unconfirmedDrop: null };
}

/**
 * The ladder's rules, one small pure function each, named for what they do.
 * `nextLadderState` (ladder.ts) applies them in order; the README says why each exists.
 */
import type { LadderState } from './ladder';
import type { LinkReading } from './link-reading';
import { median } from './link-reading';
import type { QualitySample } from './stats';
import type { QualityTunables, Rung } from './tunables';

/** What every rule is given. */
export interface RuleInput {
  s: LadderState;
  link: LinkReading;
  sample: QualitySample;
  ladder: readonly Rung[];
  t: QualityTunables;
}

/** A rule's answer: the state after it, and whether it settled the sample (no later rule runs). */
export interface RuleOutcome {
  state: LadderState;
  settled: boolean;
}

/** A rule that may step video down: the rung it asks for, or null when it has nothing to say. */
export interface DownRule {
  name: string;
  rung(input: RuleInput): number | null;
}

/**
 * Best rung the budget carries: one whose cap times `share` fits, else the lowest. Stepping down
 * uses the keep ratio (the rung we land on must not be left at once), stepping up the full cap;
 * the gap between the two is the hysteresis.
 */
export function rungForBudget(budget: number, share: number, ladder: readonly Rung[]): number {
  const fits = ladder.findIndex((r) => r.maxBitrate * share <= budget);
  return fits === -1 ? ladder.length - 1 : fits;
}

/**
 * A new path is a new link (ICE restart, network change): Chrome restarts its estimate, so the
 * warm-up starts again, and the old path's best RTT and estimates say nothing about it. Also keeps
 * the path's best RTT, its RTT without a queue.
 */
export function aNewPathIsANewLink(s: LadderState, sample: QualitySample): LadderState {
  const fresh = sample.pathId !== null && s.pathId !== null && sample.pathId !== s.pathId;
  const next = fresh ? { ...s, startedAt: sample.at, minRttMs: null, inflatedSamples: 0, recentEstimates: [], unconfirmedDrop: null } : s;
  const rtt = sample.rttMs;
  return {
    ...next,
    pathId: sample.pathId ?? next.pathId,
    minRttMs: rtt === null ? next.minRttMs : next.minRttMs === null ? rtt : Math.min(next.minRttMs, rtt),
  };
}

/**
 * A dead path is not a thin one: a sample with nothing at all from the peer holds the rung, and
 * Chrome's estimate (decaying without feedback) is not recorded. The first sample with media again
 * starts the grace in which its loss does not count.
 */
export function aDeadPathHoldsTheRung(s: LadderState, sample: QualitySample): RuleOutcome {
  if (sample.inboundMediaFlowing === false) {
    return {
      state: { ...s, pathDown: true, pathBackAt: null, headroomSince: null, inflatedSamples: 0, unconfirmedDrop: null },
      settled: true,
    };
  }
  return { state: s.pathDown ? { ...s, pathDown: false, pathBackAt: sample.at } : s, settled: false };
}

/** A step-up that held for the failed-step-up window worked: earlier failures are forgiven. */
export function aStepUpThatHeldIsForgiven(s: LadderState, at: number, t: QualityTunables): LadderState {
  return s.lastStepUpAt !== null && at - s.lastStepUpAt >= t.failedStepUpWindowMs ? { ...s, lastStepUpAt: null, failedStepUps: 0 } : s;
}

/**
 * A fall nothing confirms is undone: a step down on the estimate alone goes back once enough fresh
 * clean reports came and the estimate carries most of what was sent before the fall again. Loss or
 * a queue, or the failed-step-up window running out, makes the fall stand.
 */
export function aFallNothingConfirmsIsUndone({ s, link, t }: RuleInput): RuleOutcome {
  const drop = s.unconfirmedDrop;
  if (!drop) return { state: s, settled: false };
  // Only a fresh clean report counts; a sample without one proves nothing.
  const cleanSamples = drop.cleanSamples + (link.cleanReport ? 1 : 0);
  const expired = link.congested || link.at - drop.at > t.failedStepUpWindowMs;
  const state = { ...s, unconfirmedDrop: expired ? null : { ...drop, cleanSamples } };
  const carries = link.estimate !== null && link.estimate >= drop.sentBps * t.undoDropCarryRatio;
  if (expired || cleanSamples < t.confirmDropSamples || !carries) return { state, settled: false };
  // Back as a step up (probe grace, failed-step-up window); the cut estimate becomes the reference.
  return {
    state: {
      ...state,
      rung: drop.from,
      headroomSince: null,
      recentEstimates: [link.estimate!],
      lastStepUpAt: link.at,
      lastChange: 'undone',
      unconfirmedDrop: null,
    },
    settled: true,
  };
}

/**
 * Step down to what the estimate carries, when it just fell and holds video below what the encoder
 * sends, or with a queue or heavy loss. An estimate merely still ramping up is left alone, and so is
 * one wandering around a little more than what is sent.
 */
export const stepDownToWhatTheEstimateCarries: DownRule = {
  name: 'step down to what the estimate carries',
  rung({ s, link, ladder, t }) {
    const evidence = (link.estimateFell && link.binding) || link.rttInflated || link.heavyLoss;
    const tooThin = link.budget! < ladder[s.rung]!.maxBitrate * t.keepRungRatio;
    return link.trustEstimate && evidence && tooThin ? rungForBudget(link.budget!, t.keepRungRatio, ladder) : null;
  },
};

/**
 * Land where a collapse ends up: GCC's first cut keeps falling for a second or two, so the rung is
 * chosen from a smaller share of it, one resolution change (one keyframe) instead of two.
 */
export const landWhereACollapseEnds: DownRule = {
  name: 'land where a collapsing estimate ends up',
  rung({ link, ladder, t }) {
    if (!link.trustEstimate || !link.collapsed || !link.binding) return null;
    return rungForBudget(link.estimate! * t.collapseHeadroom - t.audioReserveBps, t.keepRungRatio, ladder);
  },
};

/** Step down on sustained loss or a standing queue: at least one rung, whatever the estimate says. */
export const stepDownOnLossOrAQueue: DownRule = {
  name: 'step down on sustained loss or a standing queue',
  rung({ s, link, ladder }) {
    return link.heavyLoss || link.queued ? Math.min(s.rung + 1, ladder.length - 1) : null;
  },
};

/** Down to what got through, on heavy loss: the estimate follows a collapse a second or two late. */
export const downToWhatGotThrough: DownRule = {
  name: 'down to what got through on heavy loss',
  rung({ link, sample, ladder, t }) {
    if (!link.heavyLoss || sample.sentVideoBps === null) return null;
    const carried = ((sample.sentAudioBps ?? 0) + sample.sentVideoBps) * (1 - sample.loss!);
    return rungForBudget(carried * t.estimateHeadroom - t.audioReserveBps, t.keepRungRatio, ladder);
  },
};

/**
 * Pause video only on a thin link that loses packets: a low estimate on a clean link is Chrome
 * following how little we send, and with a high RTT but no loss it was a starved CPU.
 */
export const pauseVideoOnAThinLossyLink: DownRule = {
  name: 'pause video only on a thin link that loses packets',
  rung({ link, sample, ladder, t }) {
    return link.trustEstimate && link.budget! < t.pauseVideoBelowBps && (sample.loss ?? 0) >= t.lossClean ? ladder.length : null;
  },
};

/** Every rule that may step video down; the lowest picture any of them asks for wins. */
export const DOWN_RULES: readonly DownRule[] = [
  stepDownToWhatTheEstimateCarries,
  landWhereACollapseEnds,
  stepDownOnLossOrAQueue,
  downToWhatGotThrough,
  pauseVideoOnAThinLossyLink,
];

/**
 * Steps down to `rung`. A fall right after a step-up (or an undo) is a failed try and backs off the
 * next; a fall on the estimate alone is remembered until loss or a queue confirms it, or it is undone.
 */
export function stepDown({ s, link }: RuleInput, rung: number): LadderState {
  const failedStepUp = s.lastStepUpAt !== null;
  // With nothing sent to weigh it against, a fall cannot be judged: it stands.
  const standing = link.congested || failedStepUp || link.sentBefore <= 0;
  return {
    ...s,
    rung,
    unconfirmedDrop: standing ? null : (s.unconfirmedDrop ?? { at: link.at, from: s.rung, sentBps: link.sentBefore, cleanSamples: 0 }),
    headroomSince: null,
    lastStepUpAt: null,
    failedStepUps: failedStepUp ? s.failedStepUps + 1 : s.failedStepUps,
    lastChange: link.heavyLoss ? 'loss' : link.queued ? 'queueing' : 'bandwidth',
  };
}

/**
 * Clean enough to step up: no heavy loss, no queue, and loss under `lossClean` over what this
 * link loses anyway (a link that always loses 3 % kept paused video paused for ever otherwise).
 */
export function cleanForStepUp({ s, link, sample, t }: RuleInput): boolean {
  return !link.heavyLoss && !link.rttInflated && (sample.loss === null || sample.loss < t.lossClean + median(s.recentLoss));
}

/**
 * Room to step up: the budget carries the next rung, or it has `probeUpRatio` over what video uses
 * now (a probe: Chrome's estimate grows only a little over what is sent). Paused video resumes blind.
 */
export function roomToStepUp({ s, link, sample, ladder, t }: RuleInput): boolean {
  if (s.rung >= ladder.length || link.budget === null) return true;
  const inUse = Math.min(ladder[s.rung]!.maxBitrate, sample.sentVideoBps ?? Infinity);
  return link.budget >= ladder[s.rung - 1]!.maxBitrate || link.budget >= inUse * t.probeUpRatio;
}

/** A failed step-up doubles the wait before the next, up to a limit; paused video waits its own time. */
export function stepUpWait(s: LadderState, ladder: readonly Rung[], t: QualityTunables): number {
  const base = s.rung >= ladder.length ? t.resumeVideoAfterMs : t.stepUpAfterMs;
  return Math.min(base * 2 ** s.failedStepUps, t.maxStepUpBackoffMs);
}

/**
 * Step up after a clean spell with room: one rung, or straight to what the estimate carries.
 * qualityLimitationReason does not block it: 'bandwidth' there is Chrome following its own low
 * estimate, and raising the cap is what makes it probe for more.
 */
export function stepUpAfterACleanSpell(input: RuleInput): LadderState {
  const { s, link, ladder, t } = input;
  if (s.rung === 0) return { ...s, headroomSince: null };
  if (!cleanForStepUp(input) || !roomToStepUp(input)) return { ...s, headroomSince: null };
  const headroomSince = s.headroomSince ?? link.at;
  if (link.at - headroomSince < stepUpWait(s, ladder, t)) return { ...s, headroomSince };
  const paused = s.rung >= ladder.length;
  const supported = link.budget === null || paused ? ladder.length : rungForBudget(link.budget, 1, ladder);
  return {
    ...s,
    rung: Math.min(supported, s.rung - 1),
    headroomSince: null,
    lastStepUpAt: link.at,
    lastChange: paused ? 'resume' : 'headroom',
    unconfirmedDrop: null,
  };
}

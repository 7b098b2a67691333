/**
 * Where on the video ladder we should be, decided one sample at a time by named
 * rules (ladder-rules.ts) over what the sample says of the link (link-reading.ts).
 * Pure: state in, state out; time comes from the samples.
 *
 * Down is fast (within the sample, straight to the rung that fits); up is slow
 * (after a clean spell, one rung or straight to what the estimate carries).
 * The rules, in the order `nextLadderState` applies them:
 *   1. a new path is a new link;
 *   2. a dead path holds the rung (settles the sample);
 *   3. a step-up that held is forgiven;
 *   then the link is read (background loss is not congestion, one high RTT is no queue,
 *   the estimate is not trusted while warming up, probing or just back from a dead path);
 *   4. a fall nothing confirms is undone (may settle the sample);
 *   5. the down rules (`DOWN_RULES`): the lowest picture any of them asks for, this sample;
 *   6. otherwise, step up after a clean spell with room.
 */
import {
  aDeadPathHoldsTheRung,
  aFallNothingConfirmsIsUndone,
  aNewPathIsANewLink,
  aStepUpThatHeldIsForgiven,
  DOWN_RULES,
  stepDown,
  stepUpAfterACleanSpell,
} from './ladder-rules';
import { readLink } from './link-reading';
import type { QualitySample } from './stats';
import type { QualityTunables, Rung } from './tunables';

export { videoBudget } from './link-reading';

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

export function nextLadderState(state: LadderState, sample: QualitySample, ladder: readonly Rung[], t: QualityTunables): LadderState {
  const path = aDeadPathHoldsTheRung(aNewPathIsANewLink({ ...state, startedAt: state.startedAt ?? sample.at }, sample), sample);
  if (path.settled) return path.state;
  const { link, state: read } = readLink(aStepUpThatHeldIsForgiven(path.state, sample.at, t), sample, t);
  const undo = aFallNothingConfirmsIsUndone({ s: read, link, sample, ladder, t });
  if (undo.settled) return undo.state;
  const input = { s: undo.state, link, sample, ladder, t };
  if (!isPaused(input.s, ladder)) {
    const down = Math.max(input.s.rung, ...DOWN_RULES.map((rule) => rule.rung(input) ?? input.s.rung));
    if (down > input.s.rung) return stepDown(input, down);
  }
  return stepUpAfterACleanSpell(input);
}

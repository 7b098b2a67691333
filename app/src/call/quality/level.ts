/**
 * The quality level the user sees (good / fair / poor / lost), with
 * hysteresis: a worse level needs a few bad samples in a row, a better one
 * more good samples in a row, so the badge does not flicker on a noisy link.
 */
import type { QualityLevel } from '../types';
import type { QualitySample } from './stats';
import type { QualityTunables } from './tunables';

const RANK: Record<QualityLevel, number> = { good: 0, fair: 1, poor: 2, lost: 3 };
const BY_RANK: QualityLevel[] = ['good', 'fair', 'poor', 'lost'];

/** What the controller knows about our own video, besides the sample. */
export interface VideoCondition {
  paused: boolean;
  /** maxBitrate of the current rung, or null when there is no video. */
  capBps: number | null;
}

/** The level this one sample alone suggests. */
export function levelOfSample(sample: QualitySample, video: VideoCondition, t: QualityTunables): QualityLevel {
  if (sample.inboundMediaFlowing === false) return 'lost';
  const loss = sample.loss ?? 0;
  const rtt = sample.rttMs ?? 0;
  const concealment = sample.audioConcealment ?? 0;
  if (video.paused || loss >= t.lossPoor || rtt >= t.rttPoorMs || concealment >= t.concealmentPoor || sample.freezes > 0) {
    return 'poor';
  }
  if (
    loss >= t.lossFair ||
    rtt >= t.rttFairMs ||
    concealment >= t.concealmentFair ||
    (video.capBps !== null && video.capBps < t.videoFairBelowBps)
  ) {
    return 'fair';
  }
  return 'good';
}

export interface LevelState {
  level: QualityLevel | null;
  /** Most recent per-sample levels, newest last. */
  recent: QualityLevel[];
}

export const initialLevelState: LevelState = { level: null, recent: [] };

export function nextLevelState(state: LevelState, observed: QualityLevel, t: QualityTunables): LevelState {
  const keep = Math.max(t.levelDownSamples, t.levelUpSamples, t.lostAfterSilentSamples);
  const recent = [...state.recent, observed].slice(-keep);
  if (state.level === null) return { level: observed, recent };

  const current = RANK[state.level];
  const last = (n: number) => (recent.length >= n ? recent.slice(-n).map((l) => RANK[l]) : null);

  const lostRun = last(t.lostAfterSilentSamples);
  if (lostRun && lostRun.every((r) => r === RANK.lost) && current !== RANK.lost) return { level: 'lost', recent };

  // Media flows again: 'lost' would contradict what the user sees and hears.
  // Poor at best (the path has just come back); better levels climb as usual.
  if (current === RANK.lost && observed !== 'lost') return { level: BY_RANK[Math.max(RANK[observed], RANK.poor)]!, recent };

  const downRun = last(t.levelDownSamples);
  if (downRun && downRun.every((r) => r > current)) {
    // The mildest of the bad samples; `lost` only through the silent-run rule above.
    return { level: BY_RANK[Math.min(Math.min(...downRun), RANK.poor)]!, recent };
  }
  const upRun = last(t.levelUpSamples);
  if (upRun && upRun.every((r) => r < current)) {
    return { level: BY_RANK[Math.max(...upRun)]!, recent };
  }
  return { level: state.level, recent };
}

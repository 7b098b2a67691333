/**
 * The camera ladder fitted to the camera's own frame. The written caps are for 16:9 pictures; a
 * narrower frame (4:3, portrait) has fewer pixels at the same height, so each rung needs fewer bits
 * for the same picture. Without the fit a 640x480 camera needed a 16:9 budget to climb back from 360p.
 */
import type { Rung } from './tunables';

const LADDER_ASPECT = 16 / 9;

/** The ladder with every cap scaled to the pixels the camera's frame really has; unchanged for 16:9 or wider, or an unknown size. */
export function ladderForCameraFrame(ladder: readonly Rung[], frame: { width?: number; height?: number } | undefined): readonly Rung[] {
  const { width, height } = frame ?? {};
  if (!width || !height || !(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) return ladder;
  const share = Math.min(1, Math.max(width, height) / Math.min(width, height) / LADDER_ASPECT);
  if (share === 1) return ladder;
  return ladder.map((rung) => ({ ...rung, maxBitrate: Math.round(rung.maxBitrate * share) }));
}

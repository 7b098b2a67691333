/**
 * Pure: whether the peer's video has stopped reaching us while their audio
 * still does. That is what the person watching sees when the peer's controller
 * pauses video for bandwidth: a picture stuck on its last frame, which Chrome's
 * freeze counters do not show (a freeze is counted only when the next frame
 * comes). A camera switched off still sends frames (black ones), so it does
 * not count; a dead path stops audio too, and the call says "Reconnecting".
 */
import type { QualitySample } from './stats';
import type { QualityTunables } from './tunables';

export interface PeerVideoState {
  /** The peer's video reached us at some point in this call. */
  seen: boolean;
  /** Samples in a row with the peer's audio arriving and none of their video. */
  stalledSamples: number;
  paused: boolean;
}

export const initialPeerVideoState: PeerVideoState = { seen: false, stalledSamples: 0, paused: false };

export function nextPeerVideoState(s: PeerVideoState, sample: QualitySample, t: QualityTunables): PeerVideoState {
  const frames = sample.receivedVideoFrames;
  if (sample.intervalMs <= 0) return s;
  // Their video stream is gone (renegotiated away): nothing of theirs is paused any more.
  if (frames === null) return initialPeerVideoState;
  if (frames > 0) return { seen: true, stalledSamples: 0, paused: false };
  // Nothing arrives at all: a dead path (the call says "Reconnecting"), or one silent
  // second under heavy loss. Neither ends a pause ("Video is back" over silence) nor starts one.
  if (!((sample.receivedAudioBps ?? 0) > 0)) return { ...s, stalledSamples: 0 };
  if (!s.seen) return s;
  const stalledSamples = s.stalledSamples + 1;
  return { seen: true, stalledSamples, paused: s.paused || stalledSamples >= t.peerVideoStalledSamples };
}

import { describe, expect, it } from 'vitest';
import { initialPeerVideoState, nextPeerVideoState, type PeerVideoState } from './peer-video';
import type { QualitySample } from './stats';
import { defaultTunables as t } from './tunables';

const sample = (receivedVideoFrames: number | null, receivedAudioBps: number | null = 40_000): QualitySample => ({
  at: 0,
  intervalMs: 1_000,
  availableOutgoingBitrate: null,
  sentAudioBps: null,
  sentVideoBps: null,
  receivedAudioBps,
  receivedVideoBps: null,
  receivedVideoFrames,
  loss: null,
  rttMs: null,
  jitterMs: null,
  inboundJitterMs: null,
  freezes: 0,
  freezeDurationMs: 0,
  qualityLimitationReason: null,
  audioConcealment: null,
  sentVideo: null,
  inboundMediaFlowing: true,
  pathId: null,
});

/** `audio` per sample, or one value for all. */
const run = (frames: (number | null)[], audio: number | number[] = 40_000): PeerVideoState[] => {
  let s = initialPeerVideoState;
  return frames.map((f, i) => (s = nextPeerVideoState(s, sample(f, Array.isArray(audio) ? audio[i]! : audio), t)));
};

describe("the peer's video paused", () => {
  it('after peerVideoStalledSamples seconds of their audio without a frame of their video', () => {
    const states = run([30, 30, 0, 0, 0, 0]);
    expect(states.map((s) => s.paused)).toEqual([false, false, false, false, true, true]);
  });

  it('not for a peer whose camera is off: black frames still come, a few a second', () => {
    expect(run([30, 1, 1, 2, 1, 1]).some((s) => s.paused)).toBe(false);
  });

  it('not when nothing arrives at all: that is a dead path, and the call says "Reconnecting"', () => {
    expect(run([30, 0, 0, 0, 0], 0).some((s) => s.paused)).toBe(false);
  });

  it('not before any of their video came (a call still starting, or a voice call)', () => {
    expect(run([0, 0, 0, 0, 0]).some((s) => s.paused)).toBe(false);
    expect(run([null, null, null, null]).some((s) => s.paused)).toBe(false);
  });

  it('still paused through a second with nothing at all (no "Video is back" over silence)', () => {
    const states = run([30, 0, 0, 0, 0, 0, 0], [40_000, 40_000, 40_000, 40_000, 0, 40_000, 40_000]);
    expect(states.map((s) => s.paused)).toEqual([false, false, false, true, true, true, true]);
  });

  it('no longer paused once their video stream is gone (renegotiated away)', () => {
    expect(run([30, 0, 0, 0, null]).at(-1)!.paused).toBe(false);
  });

  it('back on their first frame', () => {
    expect(run([30, 0, 0, 0, 5]).at(-1)).toEqual({ seen: true, stalledSamples: 0, paused: false });
  });
});

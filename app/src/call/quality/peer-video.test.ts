import { describe, expect, it } from 'vitest';
import { initialPeerVideoState, nextPeerVideoState, type PeerVideoState } from './peer-video';
import type { QualitySample } from './stats';
import { defaultTunables as t } from './tunables';

const sample = (receivedVideoFrames: number | null, receivedAudioBps: number | null = 40_000): QualitySample => ({
  at: 0, intervalMs: 1_000, availableOutgoingBitrate: null, sentAudioBps: null, sentVideoBps: null,
  receivedAudioBps, receivedVideoBps: null, receivedVideoFrames, loss: null, rttMs: null, jitterMs: null, inboundJitterMs: null,
  freezes: 0, freezeDurationMs: 0, qualityLimitationReason: null, audioConcealment: null, sentVideo: null,
  inboundMediaFlowing: true, pathId: null,
});

const run = (frames: (number | null)[], audio = 40_000): PeerVideoState[] => {
  let s = initialPeerVideoState;
  return frames.map((f) => (s = nextPeerVideoState(s, sample(f, audio), t)));
};

describe('the peer\'s video paused', () => {
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

  it('back on their first frame', () => {
    expect(run([30, 0, 0, 0, 5]).at(-1)).toEqual({ seen: true, stalledSamples: 0, paused: false });
  });
});

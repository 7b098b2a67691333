import { describe, expect, it } from 'vitest';
import { initialLadderState, nextLadderState, type LadderState } from './ladder';
import type { QualitySample } from './stats';
import { qualitySample } from './testing';
import { defaultTunables as t } from './tunables';

// One test (or pair) per rule of the ladder, each through nextLadderState, so a rule taken out of
// the order or changed fails here. Camera ladder caps: 1.5M, 900k, 500k, 300k, 200k, 120k.
const NOW = 1_000_000;
const PAUSED = t.cameraLadder.length;

/** A call well past its warm-up on a clean 3 Mbit/s link, sending 1.2 Mbit/s of video at the top rung. */
function calm(over: Partial<LadderState> = {}): LadderState {
  return {
    ...initialLadderState(0),
    startedAt: NOW - 60_000,
    minRttMs: 80,
    pathId: 'P',
    recentEstimates: [3e6, 3e6, 3e6, 3e6, 3e6],
    recentLoss: [0, 0, 0, 0, 0],
    lastSentBps: 1_240_000,
    ...over,
  };
}

const sample = (over: Partial<QualitySample> = {}) =>
  qualitySample({ at: NOW, availableOutgoingBitrate: 3e6, sentVideoBps: 1_200_000, receivedVideoFrames: 20, pathId: 'P', ...over });

const next = (s: LadderState, over: Partial<QualitySample> = {}) => nextLadderState(s, sample(over), t.cameraLadder, t);

/** Feeds samples one second apart from NOW on. */
function run(s: LadderState, samples: Partial<QualitySample>[]): LadderState {
  return samples.reduce((state, over, i) => next(state, { at: NOW + i * 1_000, ...over }), s);
}

describe('ladder rules, each on its own', () => {
  it('a new path is a new link: its longer RTT is no queue', () => {
    const slowRelay = { rttMs: 500 };
    expect(run(calm(), [slowRelay, slowRelay]).rung).toBe(1);
    const moved = run(calm(), [
      { ...slowRelay, pathId: 'Q' },
      { ...slowRelay, pathId: 'Q' },
    ]);
    expect(moved).toMatchObject({ rung: 0, minRttMs: 500, startedAt: NOW, pathId: 'Q' });
  });

  it('a dead path holds the rung, and its loss does not count when media is back', () => {
    const dead = next(calm(), { inboundMediaFlowing: false, availableOutgoingBitrate: 300_000, loss: null });
    expect(dead).toMatchObject({ rung: 0, pathDown: true });
    expect(dead.recentEstimates).toEqual(calm().recentEstimates);
    const back = next(dead, { at: NOW + 1_000, loss: 0.9 });
    expect(back).toMatchObject({ rung: 0, pathDown: false, pathBackAt: NOW + 1_000 });
    // Without the dead path before it, the same report is heavy loss.
    expect(next(calm(), { loss: 0.9 }).rung).toBeGreaterThan(0);
  });

  it('a step-up that held is forgiven: the next wait is the base one again', () => {
    const held = next(calm({ rung: 1, lastStepUpAt: NOW - t.failedStepUpWindowMs, failedStepUps: 2 }));
    expect(held).toMatchObject({ lastStepUpAt: null, failedStepUps: 0 });
    const recent = next(calm({ rung: 1, lastStepUpAt: NOW - t.failedStepUpWindowMs + 1_000, failedStepUps: 2 }));
    expect(recent.failedStepUps).toBe(2);
  });

  it('background loss is not congestion: a 20 % report moves nothing on a link that always loses 5 %, and steps down on a clean one', () => {
    const lossy = calm({ recentLoss: Array(10).fill(0.05) });
    expect(next(lossy, { loss: 0.2, sentVideoBps: 1_500_000 })).toMatchObject({ rung: 0 });
    expect(next(calm(), { loss: 0.2, sentVideoBps: 1_500_000 })).toMatchObject({ rung: 1, lastChange: 'loss' });
  });

  it("on a lossy link heavy loss counts once Chrome's estimate falls with it", () => {
    const lossy = calm({ recentLoss: Array(10).fill(0.05) });
    expect(next(lossy, { loss: 0.2, sentVideoBps: 1_500_000, availableOutgoingBitrate: 1.9e6 })).toMatchObject({ lastChange: 'loss' });
  });

  it('one high RTT is no queue; two in a row are one rung down', () => {
    const once = next(calm(), { rttMs: 400 });
    expect(once.rung).toBe(0);
    expect(next(once, { at: NOW + 1_000, rttMs: 400 })).toMatchObject({ rung: 1, lastChange: 'queueing' });
  });

  it('the estimate is not trusted while Chrome warms up or probes a step-up', () => {
    const fall = { availableOutgoingBitrate: 1.2e6 }; // 0.6 of a 2 Mbit/s peak: a fall, not a collapse
    const estimates = { recentEstimates: [2e6, 2e6, 2e6, 2e6, 2e6] };
    expect(next(calm(estimates), fall)).toMatchObject({ rung: 1, lastChange: 'bandwidth' });
    expect(next(calm({ ...estimates, startedAt: NOW - t.warmUpMs + 1_000 }), fall).rung).toBe(0);
    expect(next(calm({ ...estimates, lastStepUpAt: NOW - t.probeGraceMs + 1_000 }), fall).rung).toBe(0);
  });

  it('steps down to what the estimate carries when it fell and holds video below what is sent', () => {
    const s = calm({ recentEstimates: [2e6, 2e6, 2e6, 2e6, 2e6] });
    // budget 1.2M x 0.85 - 64k = 956k: 540p's 900k x 0.7 fits, 720p's 1.5M x 0.7 does not.
    expect(next(s, { availableOutgoingBitrate: 1.2e6 })).toMatchObject({ rung: 1, lastChange: 'bandwidth' });
    // The same estimate with the encoder sending less than it: Chrome following what is sent.
    expect(next(s, { availableOutgoingBitrate: 1.2e6, sentVideoBps: 900_000 }).rung).toBe(0);
  });

  it('lands where a collapsing estimate ends up, in one step', () => {
    // 1.2M of a 3M peak: from half of it (536k after audio), 360p's 500k x 0.7 fits.
    expect(next(calm(), { availableOutgoingBitrate: 1.2e6 })).toMatchObject({ rung: 2, lastChange: 'bandwidth' });
  });

  it('steps down to what got through on heavy loss, before the estimate follows', () => {
    // 40 % of 1.24M lost: 744k x 0.85 - 64k = 568k carries 360p (x 0.7), more than one rung down.
    expect(next(calm(), { loss: 0.4 })).toMatchObject({ rung: 2, lastChange: 'loss' });
  });

  it('pauses video only on a thin link that loses packets', () => {
    const lowest = calm({ rung: 5, recentEstimates: [150_000, 150_000, 150_000, 150_000, 150_000], lastSentBps: 150_000 });
    const thin = { availableOutgoingBitrate: 100_000, sentVideoBps: 110_000 };
    expect(next(lowest, { ...thin, loss: 0.03 }).rung).toBe(PAUSED);
    expect(next(lowest, { ...thin, loss: 0 }).rung).toBe(5);
  });

  it('remembers a fall on the estimate alone, and counts one right after a step-up as a failed try', () => {
    const s = calm({ recentEstimates: [2e6, 2e6, 2e6, 2e6, 2e6] });
    expect(next(s, { availableOutgoingBitrate: 1.2e6 }).unconfirmedDrop).toEqual({ at: NOW, from: 0, sentBps: 1_240_000, cleanSamples: 0 });
    const tried = next({ ...s, lastStepUpAt: NOW - t.probeGraceMs, failedStepUps: 1 }, { availableOutgoingBitrate: 1.2e6 });
    expect(tried).toMatchObject({ rung: 1, unconfirmedDrop: null, failedStepUps: 2, lastStepUpAt: null });
  });

  it('undoes a fall nothing confirms once the estimate carries what was sent again', () => {
    const fallen = calm({ rung: 2, unconfirmedDrop: { at: NOW - 3_000, from: 0, sentBps: 1_240_000, cleanSamples: 1 } });
    const clean = { availableOutgoingBitrate: 1e6, sentVideoBps: 450_000 };
    expect(next(fallen, clean)).toMatchObject({ rung: 0, lastChange: 'undone', lastStepUpAt: NOW, recentEstimates: [1e6] });
    // Loss of 3 % on a clean link confirms the fall: it stands.
    expect(next(fallen, { ...clean, loss: 0.03 })).toMatchObject({ rung: 2, unconfirmedDrop: null });
  });

  it('steps up after a clean spell with room, straight to what the estimate carries', () => {
    const low = calm({ rung: 2, lastSentBps: 540_000 });
    const spell = { sentVideoBps: 500_000 };
    expect(next({ ...low, headroomSince: NOW - t.stepUpAfterMs }, spell)).toMatchObject({ rung: 0, lastChange: 'headroom' });
    expect(next({ ...low, headroomSince: NOW - t.stepUpAfterMs + 1_000 }, spell)).toMatchObject({ rung: 2, headroomSince: NOW - 3_000 });
  });

  it('probes one rung up when the estimate has room over what video uses but not the next rung', () => {
    // budget 800k x 0.85 - 64k = 616k: under 540p's 900k, over 1.25 x the 450k sent.
    const s = calm({ rung: 2, headroomSince: NOW - t.stepUpAfterMs, recentEstimates: [800_000] });
    expect(next(s, { availableOutgoingBitrate: 800_000, sentVideoBps: 450_000 })).toMatchObject({ rung: 1, lastChange: 'headroom' });
    expect(next(s, { availableOutgoingBitrate: 800_000, sentVideoBps: 500_000 })).toMatchObject({ rung: 2, headroomSince: null });
  });

  it('counts loss against stepping up only above what the link loses anyway', () => {
    const s = calm({ rung: 2, headroomSince: NOW - t.stepUpAfterMs, recentLoss: Array(10).fill(0.03) });
    expect(next(s, { loss: 0.04 }).rung).toBe(0);
    expect(next(s, { loss: 0.06 })).toMatchObject({ rung: 2, headroomSince: null });
  });

  it('a failed step-up doubles the wait before the next', () => {
    const s = calm({ rung: 2, failedStepUps: 1 });
    expect(next({ ...s, headroomSince: NOW - 2 * t.stepUpAfterMs + 1_000 }).rung).toBe(2);
    expect(next({ ...s, headroomSince: NOW - 2 * t.stepUpAfterMs }).rung).toBe(0);
  });

  it('resumes paused video blind after its own wait, one rung', () => {
    const paused = calm({ rung: PAUSED, lastSentBps: 40_000 });
    const audioOnly = { sentVideoBps: 0, availableOutgoingBitrate: 100_000 };
    expect(next({ ...paused, headroomSince: NOW - t.resumeVideoAfterMs }, audioOnly)).toMatchObject({ rung: 5, lastChange: 'resume' });
    expect(next({ ...paused, headroomSince: NOW - t.resumeVideoAfterMs + 1_000 }, audioOnly).rung).toBe(PAUSED);
  });
});

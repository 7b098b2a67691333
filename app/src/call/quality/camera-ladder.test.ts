import { describe, expect, it } from 'vitest';
import { ladderForCameraFrame } from './camera-ladder';
import { defaultTunables } from './tunables';

const ladder = defaultTunables.cameraLadder;
const caps = (rungs: readonly { maxBitrate: number }[]) => rungs.map((r) => r.maxBitrate);

describe("the camera ladder follows the camera's frame", () => {
  it('gives a 4:3 camera three quarters of each 16:9 cap, in landscape or portrait', () => {
    const fitted = ladderForCameraFrame(ladder, { width: 640, height: 480 });
    expect(caps(fitted)).toEqual([1_125_000, 675_000, 375_000, 225_000, 150_000, 90_000]);
    expect(fitted.map((r) => [r.name, r.height, r.maxFramerate])).toEqual(ladder.map((r) => [r.name, r.height, r.maxFramerate]));
    expect(ladderForCameraFrame(ladder, { width: 480, height: 640 })).toEqual(fitted);
  });

  it('keeps the written caps for 16:9 and wider frames: never more than written', () => {
    expect(ladderForCameraFrame(ladder, { width: 1280, height: 720 })).toBe(ladder);
    expect(ladderForCameraFrame(ladder, { width: 2560, height: 1080 })).toBe(ladder);
  });

  it('keeps the written ladder when the frame size is unknown or nonsense', () => {
    for (const frame of [
      undefined,
      {},
      { width: 640 },
      { width: 0, height: 480 },
      { width: -640, height: 480 },
      { width: NaN, height: 480 },
    ]) {
      expect(ladderForCameraFrame(ladder, frame)).toBe(ladder);
    }
  });
});

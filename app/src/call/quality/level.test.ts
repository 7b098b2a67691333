import { describe, expect, it } from 'vitest';
import type { QualityLevel } from '../types';
import { initialLevelState, levelOfSample, nextLevelState, type LevelState } from './level';
import { qualitySample as sample } from './testing';
import { defaultTunables as t } from './tunables';

const sharp = { paused: false, capBps: 1_500_000 };

function run(levels: QualityLevel[]): (QualityLevel | null)[] {
  let s: LevelState = initialLevelState;
  return levels.map((l) => (s = nextLevelState(s, l, t)).level);
}

describe('levelOfSample', () => {
  it('rates a clean link good and names what makes it worse', () => {
    expect(levelOfSample(sample(), sharp, t)).toBe('good');
    expect(levelOfSample(sample({ loss: 0.04 }), sharp, t)).toBe('fair');
    expect(levelOfSample(sample({ rttMs: 700 }), sharp, t)).toBe('poor');
    expect(levelOfSample(sample({ audioConcealment: 0.1 }), sharp, t)).toBe('poor');
    expect(levelOfSample(sample({ freezes: 1 }), sharp, t)).toBe('poor');
    expect(levelOfSample(sample(), { paused: true, capBps: null }, t)).toBe('poor');
    expect(levelOfSample(sample(), { paused: false, capBps: 200_000 }, t)).toBe('fair');
    expect(levelOfSample(sample(), { paused: false, capBps: null }, t)).toBe('good'); // voice call
    expect(levelOfSample(sample({ inboundMediaFlowing: false }), sharp, t)).toBe('lost');
  });
});

describe('level hysteresis', () => {
  it('ignores a single bad second', () => {
    expect(run(['good', 'poor', 'good', 'good']).every((l) => l === 'good')).toBe(true);
  });

  it('shows a worse level after two bad samples, the milder of the two', () => {
    expect(run(['good', 'poor', 'fair'])).toEqual(['good', 'good', 'fair']);
  });

  it('shows a better level only after five better samples in a row', () => {
    // Four good seconds, one bad one (resets the count), then five good ones.
    const levels = run(['poor', 'good', 'good', 'good', 'good', 'poor', 'good', 'good', 'good', 'good', 'good']);
    expect(levels.slice(0, 10).every((l) => l === 'poor')).toBe(true);
    expect(levels[10]).toBe('good');
    // Better but not all good: the worst of the five wins.
    expect(run(['poor', 'good', 'fair', 'good', 'good', 'good'])[5]).toBe('fair');
  });

  it('says lost after two silent samples, poor as soon as media flows again, good after five good ones', () => {
    const levels = run(['good', 'lost', 'lost', 'good', 'good', 'good', 'good', 'good']);
    expect(levels).toEqual(['good', 'good', 'lost', 'poor', 'poor', 'poor', 'poor', 'good']);
  });
});

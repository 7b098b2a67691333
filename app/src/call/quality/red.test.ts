import { describe, expect, it } from 'vitest';
import { preferAudioRed, withRedFirst } from './red';

// Chromium's audio receive capabilities, abridged: RED comes after Opus.
const chromium = [
  { mimeType: 'audio/opus', clockRate: 48_000, channels: 2, sdpFmtpLine: 'minptime=10;useinbandfec=1' },
  { mimeType: 'audio/red', clockRate: 48_000, channels: 2, sdpFmtpLine: '111/111' },
  { mimeType: 'audio/G722', clockRate: 8_000, channels: 1 },
  { mimeType: 'audio/PCMU', clockRate: 8_000, channels: 1 },
  { mimeType: 'audio/telephone-event', clockRate: 48_000, channels: 1 },
];

describe('audio RED preference', () => {
  it("puts RED first and Opus next, keeping every other codec in the browser's order", () => {
    expect(withRedFirst(chromium).map((c) => c.mimeType)).toEqual([
      'audio/red',
      'audio/opus',
      'audio/G722',
      'audio/PCMU',
      'audio/telephone-event',
    ]);
  });

  it('sets the preference on the transceiver when the browser has RED', () => {
    const set: string[][] = [];
    const ok = preferAudioRed({ setCodecPreferences: (codecs) => set.push(codecs.map((c) => c.mimeType)) }, { codecs: chromium });
    expect(ok).toBe(true);
    expect(set).toEqual([['audio/red', 'audio/opus', 'audio/G722', 'audio/PCMU', 'audio/telephone-event']]);
  });

  it('leaves the transceiver alone without RED or without setCodecPreferences', () => {
    const set: unknown[] = [];
    const noRed = chromium.filter((c) => c.mimeType !== 'audio/red');
    expect(preferAudioRed({ setCodecPreferences: (c) => set.push(c) }, { codecs: noRed })).toBe(false);
    expect(preferAudioRed({} as never, { codecs: chromium })).toBe(false);
    expect(preferAudioRed({ setCodecPreferences: (c) => set.push(c) }, null)).toBe(false);
    expect(set).toEqual([]);
  });
});

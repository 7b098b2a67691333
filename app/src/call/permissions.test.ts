import { describe, expect, it } from 'vitest';
import { mediaAllowedWithoutPrompt, type PermissionsLike } from './permissions';

const browser = (states: Record<string, string>): PermissionsLike => ({
  query: async ({ name }) => {
    if (!(name in states)) throw new TypeError(`'${name}' is not a valid permission name`);
    return { state: states[name]! };
  },
});

describe('does starting the media ask the user?', () => {
  it('a video call needs both camera and microphone allowed', async () => {
    expect(await mediaAllowedWithoutPrompt(browser({ camera: 'granted', microphone: 'granted' }), 'video')).toBe(true);
    expect(await mediaAllowedWithoutPrompt(browser({ camera: 'prompt', microphone: 'granted' }), 'video')).toBe(false);
    expect(await mediaAllowedWithoutPrompt(browser({ camera: 'granted', microphone: 'denied' }), 'video')).toBe(false);
  });

  it('a voice call only needs the microphone', async () => {
    expect(await mediaAllowedWithoutPrompt(browser({ camera: 'prompt', microphone: 'granted' }), 'voice')).toBe(true);
    expect(await mediaAllowedWithoutPrompt(browser({ microphone: 'prompt' }), 'voice')).toBe(false);
  });

  it('a browser that cannot tell counts as allowed (the usual case for a returning user)', async () => {
    expect(await mediaAllowedWithoutPrompt(undefined, 'video')).toBe(true);
    expect(await mediaAllowedWithoutPrompt(browser({ microphone: 'granted' }), 'video')).toBe(true);
  });
});

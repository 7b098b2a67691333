// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';

describe('defineFirecallElements', () => {
  it('registers nothing on import, then the three tags once, under custom names too', async () => {
    const module = await import('./index');
    expect(customElements.get('video-call')).toBeUndefined();
    expect(module.defineFirecallElements()).toEqual({ video: 'video-call', voice: 'voice-call', incoming: 'incoming-call' });
    expect(customElements.get('video-call')).toBeDefined();
    expect(customElements.get('voice-call')).toBeDefined();
    expect(customElements.get('incoming-call')).toBeDefined();
    // Calling again (e.g. from a second bundle) is harmless; other names get their own classes.
    expect(() => module.defineFirecallElements()).not.toThrow();
    module.defineFirecallElements({ tagNames: { video: 'crm-video-call' } });
    expect(customElements.get('crm-video-call')).toBeDefined();
    expect(customElements.get('crm-video-call')).not.toBe(customElements.get('video-call'));
  });

  it('gives voice-call the voice kind and video-call the video kind', async () => {
    const { defineFirecallElements } = await import('./index');
    defineFirecallElements();
    const voice = document.createElement('voice-call') as HTMLElement & { kind?: string };
    const video = document.createElement('video-call') as HTMLElement & { kind?: string };
    document.body.append(voice, video);
    expect(voice.kind).toBe('voice');
    expect(video.kind).toBe('video');
    voice.remove();
    video.remove();
  });
});

describe('firecall-error', () => {
  it('says why in the page language and names a documented reason', async () => {
    const { defineFirecallElements, setCallClient } = await import('./index');
    defineFirecallElements();
    document.documentElement.lang = 'de';
    const seen: Array<{ reason: string; message: string; detail?: string }> = [];
    const listener = (e: Event) => seen.push((e as CustomEvent).detail);
    document.addEventListener('firecall-error', listener);
    const video = document.createElement('video-call') as HTMLElement & { call(): void };
    video.setAttribute('callee-name', 'Ana');
    document.body.append(video);

    setCallClient(null);
    video.call();
    setCallClient({
      uid: 'ben',
      call: () => {
        throw new Error('signaling not ready');
      },
      onIncoming: () => () => undefined,
      dispose: () => undefined,
    });
    video.call();
    video.setAttribute('callee', 'ana');
    await Promise.resolve();
    video.call();

    expect(seen).toEqual([
      { reason: 'unauthenticated', message: 'Sie sind abgemeldet. Melden Sie sich an und rufen Sie erneut an.' },
      { reason: 'invalid-callee', message: 'Niemand zum Anrufen: Das Attribut callee ist leer.' },
      { reason: 'unexpected', message: 'Das hat nicht geklappt. Versuchen Sie es erneut.', detail: 'signaling not ready' },
    ]);
    document.removeEventListener('firecall-error', listener);
    video.remove();
    setCallClient(null);
    document.documentElement.lang = '';
  });
});

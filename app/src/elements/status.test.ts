import { describe, expect, it } from 'vitest';
import { setFirecallMessages, translator, resolveLanguage } from './messages';
import { announcementAfter, describeStatus, formatDuration } from './status';
import { baseSnapshot } from './testing/fake-client';

const en = translator('en');
const de = translator('de-AT');
const at = 1_000_000;

describe('status words', () => {
  it('says what each state means for an outgoing video call', () => {
    const say = (partial: Parameters<typeof baseSnapshot>[0]) =>
      describeStatus(en, { snapshot: baseSnapshot(partial), name: 'Ana', now: at, signedIn: true }).text;
    expect(say({ state: 'idle' })).toBe('Ready to call Ana');
    expect(say({ state: 'requesting-media' })).toBe('Getting your camera');
    expect(say({ state: 'requesting-media', kind: 'voice' })).toBe('Getting your microphone');
    expect(say({ state: 'ringing' })).toBe('Calling Ana');
    expect(say({ state: 'ringing', direction: 'incoming' })).toBe('Ana is calling');
    expect(say({ state: 'connecting', phase: 'checking' })).toBe('Connecting');
    expect(say({ state: 'connecting', phase: 'relaying' })).toBe('Connecting through relay');
    expect(say({ state: 'connected', connectedAt: at - 12_400 })).toBe('Connected 00:12');
    expect(say({ state: 'reconnecting' })).toBe('Reconnecting');
    expect(say({ state: 'failed', reason: 'timeout' })).toBe(
      'Call failed: the call took too long to connect. Check your connection and try again.',
    );
    expect(say({ state: 'ended', reason: 'hung-up' })).toBe('Call ended');
    expect(say({ state: 'ended', reason: 'declined' })).toBe('Call ended: Ana declined the call. Try again later.');
  });

  it('says whose connection dropped while reconnecting, with no countdown, in both languages', () => {
    const status = (t: typeof en, droppedConnection: 'own' | 'peer' | null) =>
      describeStatus(t, { snapshot: baseSnapshot({ state: 'reconnecting', droppedConnection }), name: 'Ana', now: at, signedIn: true });
    expect(status(en, 'peer')).toMatchObject({
      text: 'Reconnecting',
      detail: "Ana's connection dropped",
      announcement: "Reconnecting. Ana's connection dropped",
      tone: 'warn',
    });
    expect(status(en, 'own')).toMatchObject({
      text: 'Reconnecting',
      detail: 'Your connection dropped',
      announcement: 'Reconnecting. Your connection dropped',
    });
    expect(status(en, null)).toMatchObject({ text: 'Reconnecting', detail: null, announcement: 'Reconnecting' });
    expect(status(de, 'peer').detail).toBe('Die Verbindung von Ana ist unterbrochen');
    expect(status(de, 'own').detail).toBe('Ihre Verbindung ist unterbrochen');
  });

  it('says in plain words that a call ended at the reconnect deadline', () => {
    const snapshot = baseSnapshot({ state: 'failed', reason: 'connection-lost', message: 'engine sentence' });
    expect(describeStatus(en, { snapshot, name: 'Ana', now: at, signedIn: true }).text).toBe(
      'Call failed: the connection to Ana was lost and could not be restored. Check your connection, then call again.',
    );
    expect(describeStatus(de, { snapshot, name: 'Ana', now: at, signedIn: true }).text).toContain('die Verbindung zu Ana brach ab');
  });

  it('announces a connection once instead of every timer tick', () => {
    const status = describeStatus(en, {
      snapshot: baseSnapshot({ state: 'connected', connectedAt: at - 5000 }),
      name: 'Ana',
      now: at,
      signedIn: true,
    });
    expect(status.announcement).toBe('Connected to Ana');
  });

  it('says whose video is paused for bandwidth, and announces it', () => {
    const say = (videoPausedForBandwidth: boolean, peerVideoPaused: boolean) =>
      describeStatus(en, {
        snapshot: baseSnapshot({ state: 'connected', connectedAt: at, videoPausedForBandwidth, peerVideoPaused }),
        name: 'Ana',
        now: at,
        signedIn: true,
      });
    expect(say(true, false)).toMatchObject({
      announcement: 'Your video is paused: the network is too slow',
      detail: 'Your video is paused: the network is too slow',
    });
    expect(say(false, true)).toMatchObject({
      announcement: "Ana's video is paused: the network is too slow",
      detail: "Ana's video is paused: the network is too slow",
    });
    expect(say(true, true)).toMatchObject({ detail: 'Video is paused both ways: the network is too slow' });
    expect(say(false, false)).toMatchObject({ announcement: 'Connected to Ana', detail: null });
  });

  it('announces the end of a pause as video back, not as a new connection', () => {
    const status = (partial: Parameters<typeof baseSnapshot>[0]) =>
      describeStatus(en, {
        snapshot: baseSnapshot({ state: 'connected', connectedAt: at, ...partial }),
        name: 'Ana',
        now: at,
        signedIn: true,
      });
    const paused = status({ peerVideoPaused: true });
    const back = status({});
    expect(announcementAfter(en, paused, back)).toBe('Video is back');
    expect(announcementAfter(en, null, back)).toBe('Connected to Ana');
    expect(announcementAfter(en, paused, status({ state: 'reconnecting' }))).toBe('Reconnecting');
    expect(announcementAfter(de, paused, back)).toBe('Das Video läuft wieder');
  });

  it("falls back to the engine's sentence for a reason it does not know", () => {
    const snapshot = baseSnapshot({ state: 'failed', reason: 'brand-new' as never, message: 'Something new happened.' });
    expect(describeStatus(en, { snapshot, name: 'Ana', now: at, signedIn: true }).text).toBe('Call failed: Something new happened.');
  });

  it('speaks German for de-* pages and English for unknown languages', () => {
    expect(resolveLanguage('de-AT')).toBe('de');
    expect(resolveLanguage('fr')).toBe('en');
    expect(describeStatus(de, { snapshot: baseSnapshot({ state: 'ringing' }), name: 'Ana', now: at, signedIn: true }).text).toBe(
      'Ana wird angerufen',
    );
  });

  it('lets hosts override messages globally and per element', () => {
    setFirecallMessages('en', { reconnecting: 'Hold on, reconnecting' });
    expect(translator('en')('reconnecting')).toBe('Hold on, reconnecting');
    expect(translator('en', { reconnecting: 'Back in a moment' })('reconnecting')).toBe('Back in a moment');
    setFirecallMessages('en', { reconnecting: 'Reconnecting' });
  });

  it('formats the call timer', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(754_999)).toBe('12:34');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(-5)).toBe('00:00');
  });
});

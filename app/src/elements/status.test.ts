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
    expect(say({ state: 'ended', reason: 'declined' })).toBe('Ana declined the call');
  });

  it('says "Calling Ana" until a device of hers confirms the call, then "Ringing"', () => {
    const status = (t: typeof en, reachingPeer: boolean) =>
      describeStatus(t, { snapshot: baseSnapshot({ state: 'ringing', reachingPeer }), name: 'Ana', now: at, signedIn: true });
    expect(status(en, true)).toMatchObject({ text: 'Calling Ana', detail: null, announcement: 'Calling Ana' });
    expect(status(en, false)).toMatchObject({ text: 'Calling Ana', detail: 'Ringing', announcement: 'Calling Ana. Ringing' });
    expect(status(de, true)).toMatchObject({ text: 'Ana wird angerufen', detail: null });
    expect(status(de, false)).toMatchObject({ text: 'Ana wird angerufen', detail: 'Es klingelt' });
  });

  it("says how an unanswered call ended from each side's point of view, in English and German", () => {
    const say = (t: typeof en, direction: 'outgoing' | 'incoming', reason: string) =>
      describeStatus(t, {
        snapshot: baseSnapshot({ state: 'ended', direction, reason: reason as never }),
        name: 'Ana',
        now: at,
        signedIn: true,
      }).text;
    const table = (['declined', 'busy', 'unavailable', 'no-answer', 'cancelled', 'answered-elsewhere'] as const).map((reason) => [
      reason,
      say(en, 'outgoing', reason),
      say(en, 'incoming', reason),
      say(de, 'outgoing', reason),
      say(de, 'incoming', reason),
    ]);
    expect(table).toEqual([
      [
        'declined',
        'Ana declined the call',
        "You declined Ana's call",
        'Ana hat den Anruf abgelehnt',
        'Sie haben den Anruf von Ana abgelehnt',
      ],
      [
        'busy',
        'Ana is on another call',
        'Missed call from Ana: you were on another call',
        'Ana ist in einem anderen Gespräch',
        'Verpasster Anruf von Ana: Sie waren in einem anderen Gespräch',
      ],
      ['unavailable', "Ana isn't online right now", 'Missed call from Ana', 'Ana ist gerade nicht online', 'Verpasster Anruf von Ana'],
      ['no-answer', 'Ana did not answer', 'Missed call from Ana', 'Ana hat nicht angenommen', 'Verpasster Anruf von Ana'],
      ['cancelled', 'You cancelled the call', 'Missed call from Ana', 'Sie haben den Anruf abgebrochen', 'Verpasster Anruf von Ana'],
      [
        'answered-elsewhere',
        // Only an incoming call is answered in another tab; an outgoing one keeps the generic sentence.
        'Call ended: you answered the call in another tab.',
        'You answered this call in another tab',
        'Anruf beendet: Sie haben den Anruf in einem anderen Tab angenommen.',
        'Sie haben diesen Anruf in einem anderen Tab angenommen',
      ],
    ]);
  });

  it("a host override of one side's sentence wins", () => {
    const t = translator('en', { 'ended.incoming.declined': 'Declined: {name}' });
    expect(
      describeStatus(t, {
        snapshot: baseSnapshot({ state: 'ended', direction: 'incoming', reason: 'declined' }),
        name: 'Ana',
        now: at,
        signedIn: true,
      }).text,
    ).toBe('Declined: Ana');
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

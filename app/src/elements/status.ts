/**
 * What the status line says for a snapshot, in the user's words.
 * Pure: the element passes the clock reading for the call timer.
 */
import type { CallSnapshot } from '../call/types';
import { outcomeKey, reasonKey, type Translate } from './messages';

export interface StatusInput {
  snapshot: CallSnapshot | null;
  /** How to call the other person ("Ana"). */
  name: string;
  /** Epoch ms, for the call timer. */
  now: number;
  signedIn: boolean;
}

export interface Status {
  /** The visible line, e.g. "Connected 00:12". */
  text: string;
  /** What the live region announces on a change (no ticking timer). */
  announcement: string;
  /** A second line, e.g. the caller of a ringing incoming call. */
  detail: string | null;
  tone: 'idle' | 'busy' | 'good' | 'warn' | 'bad';
  /** Some video of a connected call (ours, the peer's or both) is paused for bandwidth. */
  videoPaused?: boolean;
}

/** Whose video is paused, in words; null when none is. */
function pausedVideo(t: Translate, snapshot: CallSnapshot, params: { name: string }): string | null {
  const ours = snapshot.videoPausedForBandwidth;
  const theirs = snapshot.peerVideoPaused;
  if (ours && theirs) return t('videoPausedBoth');
  if (ours) return t('videoPaused');
  return theirs ? t('peerVideoPaused', params) : null;
}

/**
 * What the live region says for `next` after `previous`: the end of a pause is
 * said as such ("Connected to Ana" mid-call sounded like a reconnection).
 */
export function announcementAfter(t: Translate, previous: Status | null, next: Status): string {
  return previous?.videoPaused && next.tone === 'good' && !next.videoPaused ? t('videoResumed') : next.announcement;
}

export function describeStatus(t: Translate, input: StatusInput): Status {
  const { snapshot, name, now } = input;
  const params = { name };
  const same = (text: string, tone: Status['tone'], detail: string | null = null): Status => ({ text, announcement: text, detail, tone });
  if (!snapshot || snapshot.state === 'idle') {
    return same(input.signedIn ? t('ready', params) : t('signedOut'), 'idle');
  }
  switch (snapshot.state) {
    case 'requesting-media':
      return same(t(snapshot.kind === 'voice' ? 'gettingMicrophone' : 'gettingCamera'), 'busy');
    case 'ringing': {
      if (snapshot.direction === 'incoming') return same(t('incoming', params), 'busy', t('ringing'));
      // "Ringing" only once a device of the callee confirmed the call; announced when it comes.
      const text = t('calling', params);
      if (snapshot.reachingPeer) return same(text, 'busy');
      return { text, announcement: `${text}. ${t('ringing')}`, detail: t('ringing'), tone: 'busy' };
    }
    case 'connecting':
      return same(t(snapshot.phase === 'relaying' ? 'connectingRelay' : 'connecting'), 'busy');
    case 'connected': {
      const since = snapshot.connectedAt ?? now;
      const paused = pausedVideo(t, snapshot, params);
      return {
        text: t('connected', { time: formatDuration(now - since) }),
        // A pause for bandwidth is news too: screen readers hear only the live region.
        announcement: paused ?? t('connectedAnnouncement', params),
        detail: paused,
        tone: 'good',
        videoPaused: paused !== null,
      };
    }
    case 'reconnecting': {
      // Whose connection dropped, without a countdown: either side may hang up, nobody is told to wait.
      const whose =
        snapshot.droppedConnection === 'own'
          ? t('reconnectingOwn')
          : snapshot.droppedConnection === 'peer'
            ? t('reconnectingPeer', params)
            : null;
      const text = t('reconnecting');
      return { text, announcement: whose ? `${text}. ${whose}` : text, detail: whose, tone: 'warn' };
    }
    case 'failed':
      return same(t('failed', { reason: reasonText(t, snapshot, name) }), 'bad');
    case 'ended': {
      const outcome = snapshot.reason && outcomeKey(snapshot.reason, snapshot.direction);
      if (outcome) return same(t(outcome, params), 'idle');
      return !snapshot.reason || snapshot.reason === 'hung-up'
        ? same(t('ended'), 'idle')
        : same(t('endedBecause', { reason: reasonText(t, snapshot, name) }), 'idle');
    }
  }
}

/** The reason sentence in the page's language; the engine's own sentence for a reason we do not know. */
export function reasonText(t: Translate, snapshot: CallSnapshot, name: string): string {
  if (!snapshot.reason) return snapshot.message ?? '';
  const key = reasonKey(snapshot.reason);
  const text = t(key, { name });
  return text === key ? (snapshot.message ?? snapshot.reason) : text;
}

/** "00:12", "12:34", "1:02:03". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/** States in which a call is under way (controls shown, hang-up possible). */
export function isActive(snapshot: CallSnapshot | null): boolean {
  return !!snapshot && !['idle', 'ended', 'failed'].includes(snapshot.state);
}

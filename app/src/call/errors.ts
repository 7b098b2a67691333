/**
 * Why a call failed or ended, with a sentence a user can act on.
 * The UI shows `message`; support reads `reason`.
 */
import type { CallReason } from './types';

const MESSAGES: Record<CallReason, string> = {
  'media-denied': 'The browser blocked the camera or microphone. Allow access in the address bar and call again.',
  'media-unavailable': 'No camera or microphone could be started. Check that one is connected and not used by another app.',
  unauthenticated: 'You are signed out. Sign in again, then retry the call.',
  'signaling-unavailable': 'The call service cannot be reached. Check your internet connection and try again.',
  'no-route':
    'No network path to the other person could be found, not even through the relay. Try another network or ask IT to allow TURN on port 443.',
  'connection-lost': 'The connection to the other person was lost and could not be restored. Check your connection and call again.',
  'turn-unreachable': 'The relay server cannot be reached from this network. Ask IT to allow TURN traffic (UDP 3478 or TCP 443).',
  declined: 'The call was declined.',
  busy: 'The other person is on another call. Try again later.',
  unavailable: 'The other person is not online right now. Try again later.',
  'no-answer': 'Nobody answered. Try again later.',
  'answered-elsewhere': 'You answered the call in another tab.',
  'peer-left': 'The other person left the call.',
  timeout: 'The call took too long to connect. Check your connection and try again.',
  'bad-signal': 'The call received invalid data from the other side and was stopped for safety. Try calling again.',
  cancelled: 'The call was cancelled before it was answered.',
  'hung-up': 'You ended the call.',
};

/** Reasons that end a call normally (someone chose to); all others are failures. */
const NORMAL_ENDINGS: ReadonlySet<CallReason> = new Set([
  'declined',
  'busy',
  'unavailable',
  'no-answer',
  'answered-elsewhere',
  'peer-left',
  'cancelled',
  'hung-up',
]);

export function reasonMessage(reason: CallReason): string {
  return MESSAGES[reason];
}

export function isFailure(reason: CallReason): boolean {
  return !NORMAL_ENDINGS.has(reason);
}

export function isCallReason(value: unknown): value is CallReason {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MESSAGES, value);
}

/** An error the engine raises or reports; `reason` is the code, `message` what to do. */
export class CallError extends Error {
  override readonly name = 'CallError';
  constructor(
    readonly reason: CallReason,
    message: string = reasonMessage(reason),
    readonly detail?: string,
  ) {
    super(message);
  }
}

/** Maps a getUserMedia rejection to the reason a user understands. */
export function mediaErrorReason(error: unknown): CallReason {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError' ? 'media-denied' : 'media-unavailable';
}

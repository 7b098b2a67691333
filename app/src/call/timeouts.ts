import type { RecoveryTimeouts } from './reconnector';

/** Every duration the engine waits for, in ms. Defaults suit real networks; tests shorten them. */
export interface CallTimeouts extends RecoveryTimeouts {
  /** Outgoing call rings this long before it counts as missed ('no-answer'). */
  ringMs: number;
  /**
   * No device of the callee confirmed the call this long after it was created: the call ends
   * as 'unavailable' ("Ana isn't online right now"). A page that is open confirms within a
   * signaling round trip; 8 s leaves room for a slow network and ends within 10 s of the click.
   */
  reachMs: number;
  /** Candidates gathered within this window leave in one write. */
  candidateWindowMs: number;
  /**
   * No ICE path this long after checks start: failed('no-route'). Checks start ~0.5 s after
   * the click and a relay over TCP 443 connects within ~3 s in the lab, so 8 s answers
   * "no path" within 10 s of the click with room for slow relays.
   */
  noRouteMs: number;
  /** Checking this long without success: phase 'relaying' (the UI says "trying the relay"). */
  relayHintMs: number;
  /** From answering to connected, whatever happens (signaling stuck): failed('timeout'). */
  connectMs: number;
  /** How often inbound media is sampled. */
  statsIntervalMs: number;
  /** No inbound media this long: reconnecting. */
  silenceMs: number;
  /** TURN credentials are renewed this long before they expire. */
  iceRefreshMarginMs: number;
}

export const DEFAULT_TIMEOUTS: CallTimeouts = {
  ringMs: 45_000,
  reachMs: 8_000,
  candidateWindowMs: 80,
  noRouteMs: 8_000,
  relayHintMs: 2_000,
  connectMs: 30_000,
  statsIntervalMs: 250,
  silenceMs: 1_000,
  restartGraceMs: 1_000,
  restartBackoffMs: [2_000, 3_000, 5_000],
  reconnectDeadlineMs: 60_000,
  recoveredAfterMs: 500,
  signalingStallMs: 1_500,
  iceRefreshMarginMs: 60_000,
};

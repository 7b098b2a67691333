/**
 * Trickle ICE in few writes. What decides a write is the ICE gathering itself, not how
 * fast the machine is: host candidates wait for end-of-gathering (sent with `done`), the
 * first server-reflexive and the first relay candidate of a generation leave at once (with
 * what is held), since the peer may be waiting for exactly that one, and later reachable
 * ones after a short quiet window. Caps bound the wait where gathering never finishes
 * (TCP to an unreachable TURN host hangs). One ICE generation costs one to three writes.
 * A lone end-of-candidates is not worth a write: it is advisory, browsers connect without it.
 */
import type { CandidateInit } from '../signaling/channel';
import { SIGNAL_LIMITS } from '../signaling/limits';
import { Timer, type Clock } from './clock';

export interface CandidateBatch {
  candidates: CandidateInit[];
  done?: boolean;
}

/** 6 x 80 ms: host, server-reflexive and relay candidates of a quick network are in by then. */
const HOST_HOLD_WINDOWS = 6;
/** Later reachable candidates leave at most this many windows after the first one held. */
const REACHABLE_HOLD_WINDOWS = 4;
/** Candidates reachable from outside the LAN (RFC 8839 "typ"). */
const REACHABLE = / typ (srflx|relay) /;

function reachableType(candidate: CandidateInit): string | null {
  return REACHABLE.exec(candidate.candidate)?.[1] ?? null;
}

/** A server-reflexive or relay candidate: one the peer can reach from outside our LAN. */
export function isReachable(candidate: CandidateInit): boolean {
  return reachableType(candidate) !== null;
}

export class CandidateBatcher {
  private held: CandidateInit[] = [];
  private readonly quiet: Timer;
  private readonly cap: Timer;
  private paused = true;
  private doneHeld = false;
  /** Reachable candidate types (srflx, relay) already sent in this ICE generation. */
  private readonly sentTypes = new Set<string>();

  constructor(
    clock: Clock,
    /** Reachable candidates leave once no new one came for this long (never later than 4x after the first). */
    private readonly windowMs: number,
    private readonly send: (batch: CandidateBatch) => void,
  ) {
    this.quiet = new Timer(clock);
    this.cap = new Timer(clock);
  }

  /** Called with each local candidate; `null` means gathering finished. */
  add(candidate: CandidateInit | null): void {
    if (candidate === null) {
      if (this.held.length === 0) return;
      this.doneHeld = true;
    } else this.held.push(candidate);
    this.arm();
  }

  /** Hold everything (while our description is being made), then release. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.arm();
  }

  /** A new ICE generation starts (restart): forget the old end-of-candidates. */
  reset(): void {
    this.quiet.stop();
    this.cap.stop();
    this.held = [];
    this.doneHeld = false;
    this.sentTypes.clear();
  }

  /** A server-reflexive or relay candidate of this ICE generation has been sent. */
  get sentReachable(): boolean {
    return this.sentTypes.size > 0;
  }

  flush(): void {
    this.quiet.stop();
    this.cap.stop();
    if (this.held.length === 0) {
      this.doneHeld = false;
      return;
    }
    const held = this.held;
    const done = this.doneHeld;
    for (const candidate of held) {
      const type = reachableType(candidate);
      if (type) this.sentTypes.add(type);
    }
    this.held = [];
    this.doneHeld = false;
    // A signal carries at most SIGNAL_LIMITS.maxCandidatesPerSignal candidates (firestore.rules).
    const size = SIGNAL_LIMITS.maxCandidatesPerSignal;
    for (let start = 0; start < held.length; start += size) {
      const last = start + size >= held.length;
      this.send({ candidates: held.slice(start, start + size), ...(last && done ? { done: true } : {}) });
    }
  }

  dispose(): void {
    this.reset();
  }

  private arm(): void {
    if (this.paused || this.held.length === 0) return;
    const firstOfItsType = this.held.some((c) => {
      const type = reachableType(c);
      return type !== null && !this.sentTypes.has(type);
    });
    // Now means the next tick, so candidates already queued behind this one ride along.
    if (this.doneHeld || firstOfItsType) return this.quiet.start(0, () => this.flush());
    const reachable = this.held.some(isReachable);
    if (reachable) this.quiet.start(this.windowMs, () => this.flush());
    const cap = this.windowMs * (reachable ? REACHABLE_HOLD_WINDOWS : HOST_HOLD_WINDOWS);
    if (!this.cap.running) this.cap.start(cap, () => this.flush());
  }
}

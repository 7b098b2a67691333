/**
 * Trickle ICE in few writes: candidates are held while they keep coming (a short
 * quiet window, capped) and sent together; end-of-gathering flushes right away with
 * `done`. The first server-reflexive and the first relay candidate of a generation
 * leave at once (with what is held), since the peer may be waiting for exactly that
 * one: one ICE generation costs one to three signaling writes. A lone end-of-candidates
 * is not worth a write: it is advisory, browsers connect without it.
 */
import type { CandidateInit } from '../signaling/channel';
import { SIGNAL_LIMITS } from '../signaling/validate';
import { Timer, type Clock } from './clock';

export interface CandidateBatch {
  candidates: CandidateInit[];
  done?: boolean;
}

/** 6 x 80 ms: host, server-reflexive and relay candidates of a quick network are in by then. */
const HOLD_WINDOWS_WHILE_RINGING = 6;
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
  private urgent = false;
  /** Reachable candidate types (srflx, relay) already sent in this ICE generation. */
  private readonly sentTypes = new Set<string>();

  constructor(
    clock: Clock,
    /** Send once no new candidate came for this long (never later than 4x after the first); see arm() before the answer. */
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

  /**
   * Before the peer's description arrives it cannot use our candidates yet (the call
   * is still ringing), so hold host candidates until gathering is done, or a little longer
   * than a quick network takes to gather (a network where UDP to TURN is blocked never
   * finishes). A server-reflexive or relay candidate is what crosses NATs and firewalls:
   * the first of each type leaves at once (with whatever is held), later ones after the
   * short window, so a callee who answers at once can check them right away; on a relayed
   * path the peer's TURN permission for our relay address waits for it. After the peer's
   * description, everything leaves quickly.
   */
  setUrgent(urgent: boolean): void {
    if (urgent === this.urgent) return;
    this.urgent = urgent;
    this.quiet.stop();
    this.cap.stop();
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
    const quick = this.urgent || this.held.some(isReachable);
    const firstOfItsType = this.held.some((c) => {
      const type = reachableType(c);
      return type !== null && !this.sentTypes.has(type);
    });
    const hold = this.windowMs * HOLD_WINDOWS_WHILE_RINGING;
    // Now means the next tick, so candidates already queued behind this one ride along.
    this.quiet.start(this.doneHeld || firstOfItsType ? 0 : quick ? this.windowMs : hold, () => this.flush());
    if (!this.cap.running) this.cap.start(quick ? this.windowMs * 4 : hold, () => this.flush());
  }
}

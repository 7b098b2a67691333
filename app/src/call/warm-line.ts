/**
 * A warm line: one RTCPeerConnection made before the next call, with a candidate
 * pool (`iceCandidatePoolSize: 1`), so that call, placed or answered, starts with its
 * host, server-reflexive and relay candidates already gathered. Without it the callee
 * starts gathering only when it answers, and behind a firewall that blocks UDP its
 * relay candidate (a TURN allocation over TCP: three round trips) is what the caller
 * waits for before anything can be checked.
 *
 * Cost: one TURN allocation per signed-in page while it waits for a call. The pool is
 * made again when the TURN credentials change (an allocation cannot be refreshed with
 * expired ones) and after each call, never during one.
 */
import type { PeerConnectionConstructor } from './negotiation';

/** What a session's connection is made with; the warm one must match it exactly. */
function keyOf(configuration: RTCConfiguration): string {
  const { iceServers = [], bundlePolicy = 'balanced', iceTransportPolicy = 'all' } = configuration;
  return JSON.stringify([iceServers, bundlePolicy, iceTransportPolicy]);
}

export class WarmLine {
  private warm: { pc: RTCPeerConnection; key: string } | null = null;

  constructor(private readonly PeerConnection: PeerConnectionConstructor) {}

  /** Makes the pooled connection for `configuration`, unless one for it is waiting already. */
  prepare(configuration: RTCConfiguration): void {
    const key = keyOf(configuration);
    if (this.warm?.key === key) return;
    this.close();
    this.warm = { pc: new this.PeerConnection({ ...configuration, iceCandidatePoolSize: 1 }), key };
  }

  /** The warm connection when it was made for `configuration` (handed out once), else a new one. */
  take(configuration: RTCConfiguration): RTCPeerConnection {
    const warm = this.warm;
    if (warm && warm.key === keyOf(configuration) && warm.pc.signalingState !== 'closed') {
      this.warm = null;
      return warm.pc;
    }
    return new this.PeerConnection(configuration);
  }

  /** A constructor sessions can use in place of RTCPeerConnection: `new` takes from this line. */
  get constructorForSessions(): PeerConnectionConstructor {
    const line = this;
    // A constructor that returns an object yields that object from `new`.
    return function WarmPeerConnection(configuration?: RTCConfiguration) {
      return line.take(configuration ?? {});
    } as unknown as PeerConnectionConstructor;
  }

  close(): void {
    const warm = this.warm;
    this.warm = null;
    try {
      warm?.pc.close();
    } catch {
      /* already closed */
    }
  }
}

/**
 * A warm line: one RTCPeerConnection made before the next call, with a candidate
 * pool (`iceCandidatePoolSize: 1`), so that the next call, placed or answered, starts with
 * its host, server-reflexive and relay candidates already gathered (an answer keeps the pool
 * through a provisional answer first: negotiation.ts setLocalAnswer).
 *
 * Cost: one TURN allocation per signed-in page while it waits for a call; with a leadership
 * (warm-line-leader.ts) one per browser, kept by the leader tab only: the other tabs still
 * prefetch credentials, but hold no allocation. The pool is made between calls only (gathering
 * would compete with a call's setup), again when the TURN credentials are renewed (an allocation
 * cannot be refreshed with expired ones) and after a network change; it is let go when the page
 * is hidden.
 */
import { Timer, type Clock } from './clock';
import type { IceServerCache } from './ice-servers';
import type { Logger } from './logger';
import type { PeerConnectionConstructor } from './negotiation';
import type { WarmLineLeadership } from './warm-line-leader';

/**
 * Never renew sooner than this: credentials that arrive already stale (a client clock
 * far ahead of the server's) would otherwise renew, and allocate, in a tight loop.
 */
const MIN_RENEW_MS = 60_000;
/** After the credentials could not be fetched, try again this much later. */
const RETRY_MS = 60_000;

/** Everything a session's connection is made with except the pool; the warm one must match it. */
function keyOf(configuration: RTCConfiguration): string {
  const { iceCandidatePoolSize: _pool, ...rest } = configuration;
  return JSON.stringify(rest);
}

export interface WarmLineDeps {
  PeerConnection: PeerConnectionConstructor;
  ice: Pick<IceServerCache, 'get' | 'refreshDueIn'>;
  clock: Clock;
  /** How a call's connection is configured for these servers (session.ts connectionConfiguration). */
  configurationFor: (iceServers: RTCIceServer[]) => RTCConfiguration;
  /** True while no call is under way. */
  idle: () => boolean;
  log: Logger;
  /** Shares one line among the tabs of a browser; without it this tab keeps its own. */
  leadership?: WarmLineLeadership | null;
}

export class WarmLine {
  private warm: { pc: RTCPeerConnection; key: string } | null = null;
  private readonly renew: Timer;
  private suspended = false;
  private disposed = false;
  /** Whether this tab keeps the pool; always with no leadership. */
  private leader: boolean;
  private leave: (() => void) | null = null;

  constructor(private readonly deps: WarmLineDeps) {
    this.renew = new Timer(deps.clock);
    this.leader = !deps.leadership;
    this.join();
  }

  /** Takes part in choosing the tab that keeps the line; it keeps warm once chosen, lets go when not. */
  private join(): void {
    if (!this.deps.leadership || this.leave) return;
    this.leave = this.deps.leadership.follow((leader) => {
      this.leader = leader;
      if (leader) this.keepWarm();
      else this.close();
    });
  }

  /** Hands the line to another tab (it may make its own at once). */
  private handOver(): void {
    this.leave?.();
    this.leave = null;
    if (this.deps.leadership) this.leader = false;
  }

  /** Makes the line ready (or keeps it) when no call is under way; renews it before its credentials go stale. */
  keepWarm(): void {
    if (this.suspended || this.disposed || !this.deps.idle()) return;
    this.deps.ice.get().then(
      (grant) => {
        if (this.suspended || this.disposed || !this.deps.idle()) return;
        try {
          if (this.leader) this.prepare(this.deps.configurationFor(grant.iceServers));
        } catch (error) {
          // E.g. a malformed TURN URL: the call that uses these servers reports it (turn-unreachable).
          this.deps.log.warn(`could not keep a line warm: ${(error as Error)?.message}`);
        }
        this.renew.start(Math.max(this.deps.ice.refreshDueIn() ?? 0, MIN_RENEW_MS), () => this.keepWarm());
      },
      (error) => {
        this.deps.log.warn(`ICE servers prefetch failed: ${(error as Error)?.message}`);
        this.renew.start(RETRY_MS, () => this.keepWarm());
      },
    );
  }

  /** The page is hidden (it may be going away): let the connection and its TURN allocation go until the next call. */
  suspend(): void {
    this.suspended = true;
    this.renew.stop();
    this.close();
    this.handOver();
  }

  /** A call is being made: the line may be kept warm again once it is over. */
  resume(): void {
    this.suspended = false;
    if (!this.disposed) this.join();
  }

  /** Our network changed: pooled candidates may belong to the old one. */
  networkChanged(): void {
    if (!this.warm) return;
    this.close();
    this.keepWarm();
  }

  dispose(): void {
    this.disposed = true;
    this.renew.stop();
    this.close();
    this.handOver();
  }

  /** Makes the pooled connection for `configuration`, unless a live one for it is waiting already. */
  prepare(configuration: RTCConfiguration): void {
    const key = keyOf(configuration);
    if (this.warm?.key === key && this.warm.pc.signalingState !== 'closed') return;
    this.close();
    this.warm = { pc: new this.deps.PeerConnection({ ...configuration, iceCandidatePoolSize: 1 }), key };
  }

  /** The warm connection when it was made for `configuration` (handed out once), else a new one. */
  take(configuration: RTCConfiguration): RTCPeerConnection {
    const warm = this.warm;
    if (warm && warm.key === keyOf(configuration) && warm.pc.signalingState !== 'closed') {
      this.warm = null;
      return warm.pc;
    }
    return new this.deps.PeerConnection(configuration);
  }

  /** A constructor sessions can use in place of RTCPeerConnection: `new` takes from this line. */
  get constructorForSessions(): PeerConnectionConstructor {
    const take = (configuration?: RTCConfiguration) => this.take(configuration ?? {});
    // A constructor that returns an object yields that object from `new`.
    return function WarmPeerConnection(configuration?: RTCConfiguration) {
      return take(configuration);
    } as unknown as PeerConnectionConstructor;
  }

  private close(): void {
    const warm = this.warm;
    this.warm = null;
    try {
      warm?.pc.close();
    } catch {
      /* already closed */
    }
  }
}

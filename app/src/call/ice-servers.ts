/**
 * ICE servers with short-lived TURN credentials: fetched before ringing, reused
 * while fresh, refreshed before expiry and while an outage goes on.
 */
import type { Clock } from './clock';
import type { IceServerGrant, IceServerProvider } from './types';

export class IceServerCache {
  private grant: IceServerGrant | null = null;
  private pending: Promise<IceServerGrant> | null = null;
  /** When the current grant arrived (its lifetime bounds the refresh margin). */
  private receivedAt = 0;

  constructor(
    private readonly provider: IceServerProvider,
    private readonly clock: Clock,
    /** Credentials closer than this to expiry count as stale. */
    private readonly marginMs: number,
  ) {}

  /** Fresh-enough servers, from cache when possible. */
  get(): Promise<IceServerGrant> {
    if (this.grant && this.grant.expiresAt - this.margin() > this.clock.now()) return Promise.resolve(this.grant);
    return this.refresh();
  }

  /** New credentials from the provider (concurrent callers share one request). */
  refresh(): Promise<IceServerGrant> {
    if (this.pending) return this.pending;
    const pending = Promise.resolve()
      .then(() => this.provider())
      .then((grant) => {
        if (!grant || !Array.isArray(grant.iceServers)) throw new Error('ICE server provider returned no server list');
        this.grant = grant;
        this.receivedAt = this.clock.now();
        return grant;
      })
      .finally(() => {
        this.pending = null;
      });
    this.pending = pending;
    return pending;
  }

  /** How long ago the current grant arrived, or null without one. */
  ageMs(): number | null {
    return this.grant ? this.clock.now() - this.receivedAt : null;
  }

  /** Milliseconds until the current grant should be refreshed, or null without one. */
  refreshDueIn(): number | null {
    return this.grant ? Math.max(0, this.grant.expiresAt - this.margin() - this.clock.now()) : null;
  }

  /**
   * The margin, capped at half the grant's lifetime: a grant shorter than the margin would
   * otherwise be stale on arrival and refreshed every second, into the callable's rate limit.
   */
  private margin(): number {
    if (!this.grant) return this.marginMs;
    return Math.min(this.marginMs, Math.max(0, (this.grant.expiresAt - this.receivedAt) / 2));
  }
}

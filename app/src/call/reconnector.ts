/**
 * Keeps a connected call alive through an outage. The media watchdog says when inbound media
 * stops and returns; the Reconnector decides what the user sees and what the connection does:
 *
 * - silence is not leaving: only the deadline ends a call from here, never a quiet peer;
 * - one ICE restart at a time: none while an offer/answer round is under way, while our own
 *   signaling cannot deliver (the offer already waits in its queue) or while the browser is offline;
 * - the impolite side restarts first; the polite side follows the peer's restart and takes over
 *   only if the peer stops trying;
 * - "connected" again only once media has flowed for a moment, so the screen never flaps.
 *
 * The README of this folder says why the timings are what they are.
 */
import { Timer, type Clock } from './clock';
import type { IceServerCache } from './ice-servers';
import type { Logger } from './logger';
import type { DroppedConnection } from './types';

export interface RecoveryTimeouts {
  /** Reconnecting this long before the impolite side's first ICE restart (the polite side waits twice as long). */
  restartGraceMs: number;
  /** Delays between further ICE restarts; the last one repeats until the deadline. */
  restartBackoffMs: number[];
  /** Reconnecting this long without media: failed('connection-lost'). */
  reconnectDeadlineMs: number;
  /** Media must flow this long before the call shows "connected" again. */
  recoveredAfterMs: number;
  /** A signal write unacknowledged this long means our own signaling is offline. */
  signalingStallMs: number;
}

/** What the Reconnector needs from the peer connection (PeerLink). */
export interface RecoveryLink {
  /** ICE restart; without servers, the current ones are kept. */
  restartIce(iceServers?: RTCIceServer[]): void;
  setIceServers(iceServers: RTCIceServer[]): void;
  /** An offer/answer round (ours or the peer's) is under way. */
  readonly negotiating: boolean;
  /** Runs `task` before the next peer signal is handled. */
  beforeNextSignal(task: () => Promise<void>): void;
  sendKeyFrame(): Promise<void>;
}

/** What the Reconnector reads from the media watchdog. */
export interface MediaFlow {
  readonly isSilent: boolean;
  /** How long inbound media has flowed without a gap (0 while it does not). */
  readonly flowingForMs: number;
  /** Nothing left us either: our own network is the likelier culprit. */
  readonly sendingStalled: boolean;
}

export interface ReconnectorOptions {
  clock: Clock;
  log: Logger;
  timeouts: RecoveryTimeouts;
  /** The callee is polite: it lets the caller's restart lead. */
  polite: boolean;
  link: RecoveryLink;
  media: MediaFlow;
  ice: Pick<IceServerCache, 'get' | 'refresh' | 'refreshDueIn' | 'ageMs'>;
  /** The call goes through a relay (whose host may be gone: restart sooner). */
  relayed: () => boolean;
  /** Entered reconnecting, or learnt whose connection dropped (null: not known yet). */
  onReconnecting: (dropped: DroppedConnection | null) => void;
  onRecovered: () => void;
  onGiveUp: (detail: string) => void;
}

type RestartTrigger = 'scheduled' | 'network' | 'ice-failed';

/** ICE failures reported this soon after our own restart belong to the generation it replaced. */
const ICE_FAILED_QUIET_MS = 1_000;
/** An outage this long has outlived the first restarts: fresh credentials are fetched from then on. */
const RENEW_AFTER_MS = 2_500;
/** During an outage, credentials are renewed at most this often (a few callable requests a minute). */
const RENEW_DURING_OUTAGE_MS = 10_000;

export class Reconnector {
  private started = false;
  private stopped = false;
  private reconnecting = false;
  /** Ours when we see our own side fail; the peer's once our signaling proves it works; null before. */
  private dropped: DroppedConnection | null = null;
  private attempt = 0;
  /** A restart is taking its credentials: a second trigger meanwhile joins it. */
  private preparing = false;
  /** When our last restart went out (clock ms), or null. */
  private lastRestartAt: number | null = null;
  private offline = false;
  private overdueWrites = 0;
  /** Bumped when media returns, so a restart still fetching credentials is dropped. */
  private restartTicket = 0;
  private readonly timers: Record<'restart' | 'deadline' | 'recovered' | 'credentials' | 'renew', Timer>;

  constructor(private readonly options: ReconnectorOptions) {
    const timer = () => new Timer(options.clock);
    this.timers = { restart: timer(), deadline: timer(), recovered: timer(), credentials: timer(), renew: timer() };
  }

  /** The call is connected: react to outages from now on, and keep TURN credentials fresh. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.keepCredentialsFresh();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of Object.values(this.timers)) timer.stop();
  }

  /** Inbound media stopped (the watchdog saw no progress). */
  mediaStopped(why: string): void {
    if (!this.active) return;
    if (this.reconnecting) {
      // A relapse while we waited for media to hold: carry on with the restarts.
      this.timers.recovered.stop();
      if (!this.timers.restart.running) this.schedule(this.step());
      return;
    }
    this.reconnecting = true;
    this.attempt = 0;
    const { timeouts, media, polite } = this.options;
    this.dropped = this.offline || this.overdueWrites > 0 || media.sendingStalled ? 'own' : null;
    this.options.log.info(`reconnecting: ${why}${this.dropped === 'own' ? '; our connection dropped' : ''}`);
    this.options.onReconnecting(this.dropped);
    this.timers.deadline.start(timeouts.reconnectDeadlineMs, () => this.deadlinePassed());
    this.timers.renew.start(RENEW_AFTER_MS, () => this.renewDuringOutage());
    const base = timeouts.restartGraceMs;
    this.schedule(polite ? 2 * base : this.options.relayed() ? base / 4 : base);
  }

  /** Inbound media flows again: the restart is no longer needed; "connected" once it holds. */
  mediaFlowing(): void {
    if (!this.active || !this.reconnecting) return;
    this.options.log.debug('inbound media flows again');
    this.restartTicket += 1;
    this.timers.restart.stop();
    this.timers.recovered.start(this.options.timeouts.recoveredAfterMs, () => this.checkRecovered());
    // The peer's decoder lost its reference frames during the outage and its first key frame
    // request likely died with the path: send one now, not ~2.5 s later, nor after the hold.
    void this.options.link.sendKeyFrame();
  }

  /** ICE gave up on every pair: restart now rather than at the next step. */
  iceFailed(): void {
    if (this.active) void this.restart('ice-failed');
  }

  /** The browser is online again or changed networks (new address): restart at once. */
  networkChanged(): void {
    this.offline = false;
    if (this.active) void this.restart('network');
  }

  /** The browser went offline: it is our connection that dropped. */
  networkLost(): void {
    this.offline = true;
    this.learnOwnConnectionDropped('the browser is offline');
  }

  /** The peer offered while we reconnect (its ICE restart): answer it, and let it lead. */
  peerRestarting(): void {
    if (!this.active || !this.reconnecting) return;
    // Our answer gathers new candidates: with credentials that still work (fetched only near expiry).
    this.options.link.beforeNextSignal(async () => {
      try {
        this.options.link.setIceServers((await this.options.ice.get()).iceServers);
      } catch (error) {
        this.options.log.warn(`ICE servers unavailable, answering the restart with the old ones: ${(error as Error)?.message}`);
      }
    });
    // Restarting again a moment later would throw its checks away half-way: wait two steps
    // (none at all while media is back and only has to hold).
    if (!this.options.media.isSilent) return;
    this.schedule(2 * this.step());
    this.attempt += 1;
  }

  /**
   * Tracks a signal write: one unacknowledged for signalingStallMs means our own signaling is
   * offline; one acknowledged while media is gone means ours works, so it is the peer's side.
   */
  trackWrite<T>(write: Promise<T>): Promise<T> {
    let overdue = false;
    const handle = this.options.clock.setTimeout(() => {
      overdue = true;
      this.overdueWrites += 1;
      if (this.overdueWrites === 1) this.learnOwnConnectionDropped('our signaling is not delivering');
    }, this.options.timeouts.signalingStallMs);
    const settle = (delivered: boolean) => {
      this.options.clock.clearTimeout(handle);
      if (overdue) {
        this.overdueWrites -= 1;
        if (this.overdueWrites === 0) this.options.log.info('our signaling delivers again');
      }
      if (delivered && this.dropped === null && this.overdueWrites === 0 && this.active && this.reconnecting) {
        this.dropped = 'peer';
        this.options.log.info("the peer's connection dropped: our signaling delivers");
        this.options.onReconnecting('peer');
      }
    };
    write.then(
      () => settle(true),
      () => settle(false),
    );
    return write;
  }

  private get active(): boolean {
    return this.started && !this.stopped;
  }

  private learnOwnConnectionDropped(why: string): void {
    if (!this.active || !this.reconnecting || this.dropped === 'own') return;
    this.dropped = 'own';
    this.options.log.info(`our connection dropped: ${why}`);
    this.options.onReconnecting('own');
  }

  /** The delay before the next restart, by attempt. */
  private step(): number {
    const backoff = this.options.timeouts.restartBackoffMs;
    return backoff[Math.min(this.attempt, backoff.length - 1)] ?? 1_000;
  }

  private schedule(delay: number): void {
    this.timers.restart.start(delay, () => void this.restart('scheduled'));
  }

  private waitingFor(trigger: RestartTrigger): string | null {
    if (this.offline) return 'the browser to be online';
    if (this.preparing) return 'the restart being prepared';
    // The browser reports the old generation's failure again right after a restart: not news.
    const sinceRestart = this.lastRestartAt === null ? Infinity : this.options.clock.now() - this.lastRestartAt;
    if (trigger === 'ice-failed' && sinceRestart < ICE_FAILED_QUIET_MS) return 'the restart just made';
    // A network change makes the round under way stale: the browser restarts again once it is done.
    if (trigger === 'network') return null;
    if (this.overdueWrites > 0) return 'our signaling (the last offer waits in its queue)';
    if (this.options.link.negotiating) return 'the restart under way';
    return null;
  }

  private async restart(trigger: RestartTrigger): Promise<void> {
    if (trigger === 'scheduled' && !this.reconnecting) return;
    const waiting = this.waitingFor(trigger);
    if (waiting) {
      this.options.log.info(`ICE restart (${trigger}) waits for ${waiting}`);
      if (this.reconnecting) this.schedule(this.step());
      return;
    }
    this.timers.restart.stop();
    const ticket = this.restartTicket;
    let iceServers: RTCIceServer[] | undefined;
    this.preparing = true;
    try {
      iceServers = (await this.options.ice.get()).iceServers;
    } catch (error) {
      this.options.log.warn(`ICE servers unavailable, restarting with the old ones: ${(error as Error)?.message}`);
    } finally {
      this.preparing = false;
    }
    // Media came back by itself while we fetched credentials: this restart is no longer needed.
    if (!this.active || ticket !== this.restartTicket) return;
    this.options.log.info(`ICE restart (${trigger}, attempt ${this.attempt + 1})`);
    this.options.link.restartIce(iceServers);
    this.lastRestartAt = this.options.clock.now();
    if (!this.reconnecting) return;
    this.schedule(this.step());
    this.attempt += 1;
  }

  private checkRecovered(): void {
    const { media, timeouts } = this.options;
    if (media.isSilent) return;
    const flowing = media.flowingForMs;
    if (flowing < timeouts.recoveredAfterMs) {
      this.timers.recovered.start(timeouts.recoveredAfterMs - flowing, () => this.checkRecovered());
      return;
    }
    this.reconnecting = false;
    this.dropped = null;
    this.attempt = 0;
    for (const name of ['restart', 'deadline', 'recovered', 'renew'] as const) this.timers[name].stop();
    this.options.log.info('media is back');
    this.options.onRecovered();
  }

  private deadlinePassed(): void {
    // Media is back, if choppy, and only waiting to hold: a call that carries media is not lost.
    if (!this.options.media.isSilent) {
      this.timers.deadline.start(this.options.timeouts.recoveredAfterMs, () => this.deadlinePassed());
      return;
    }
    this.stop();
    const seconds = Math.round(this.options.timeouts.reconnectDeadlineMs / 1000);
    const whose =
      this.dropped === 'own'
        ? 'our connection dropped'
        : this.dropped === 'peer'
          ? "the peer's connection dropped"
          : 'whose connection dropped is unknown';
    this.options.onGiveUp(`media did not come back within ${seconds} s (${whose})`);
  }

  /**
   * An outage that outlasts the first restarts may have met a TURN host that refuses credentials
   * which look valid (it restarted, or its clock differs). Restarts never wait for the callable
   * (it may hang while the link is down), so both sides fetch fresh ones beside them, for the
   * next restart or the answer to the peer's: at most one per RENEW_DURING_OUTAGE_MS.
   */
  private renewDuringOutage(): void {
    if (!this.active || !this.reconnecting) return;
    const age = this.options.ice.ageMs();
    if (age === null || age >= RENEW_DURING_OUTAGE_MS) {
      this.options.ice.refresh().catch((error) => this.options.log.warn(`ICE server refresh during the outage failed: ${error?.message}`));
    }
    this.timers.renew.start(RENEW_DURING_OUTAGE_MS, () => this.renewDuringOutage());
  }

  private keepCredentialsFresh(): void {
    const due = this.options.ice.refreshDueIn();
    if (due === null || this.stopped) return;
    this.timers.credentials.start(Math.max(due, 1_000), () => {
      this.options.ice
        .refresh()
        .then((grant) => {
          if (!this.stopped) this.options.link.setIceServers(grant.iceServers);
        })
        .catch((error) => this.options.log.warn(`ICE server refresh failed: ${error?.message}`))
        .finally(() => this.keepCredentialsFresh());
    });
  }
}

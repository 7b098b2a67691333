/**
 * Watches inbound media, because the browser notices a dead link far too late
 * (Chromium says `disconnected` ~7 s after media stops).
 * Inbound bytes or decoded frames that stop growing for `silenceMs` mean the
 * user is looking at a frozen picture: report it; report again when media returns.
 * Also reads whether anything still leaves us, and the selected ICE path for the UI and the lab.
 */
import { Timer, type Clock } from './clock';
import type { Logger } from './logger';
import type { CallPath } from './types';

export interface MediaWatchdogOptions {
  pc: RTCPeerConnection;
  clock: Clock;
  intervalMs: number;
  silenceMs: number;
  log: Logger;
  onSilent: () => void;
  onFlowing: () => void;
  onPath: (path: CallPath | null) => void;
}

type Stat = Record<string, unknown> & { type: string; id: string };

/** Sampling interval while inbound media is missing. */
const SILENT_INTERVAL_MS = 100;

export class MediaWatchdog {
  private readonly timer: Timer;
  private lastTotal = -1;
  private lastProgressAt = 0;
  /** Since when every sample showed inbound progress (null: the last one did not). */
  private flowingSince: number | null = null;
  private lastSent = -1;
  private lastSentAt = 0;
  private silent = false;
  private stopped = true;
  private lastPathKey = '';

  constructor(private readonly options: MediaWatchdogOptions) {
    this.timer = new Timer(options.clock);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.lastProgressAt = this.lastSentAt = this.options.clock.now();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer.stop();
  }

  /** True while inbound media is missing. */
  get isSilent(): boolean {
    return this.silent;
  }

  /** How long inbound media has flowed without a gap between samples (0 while it does not). */
  get flowingForMs(): number {
    return this.flowingSince === null ? 0 : this.options.clock.now() - this.flowingSince;
  }

  /** Nothing left us for `silenceMs` either (a dead interface stops both ways at once). */
  get sendingStalled(): boolean {
    return this.options.clock.now() - this.lastSentAt >= this.options.silenceMs;
  }

  private schedule(): void {
    // While media is gone, look more often: its return is what every recovery figure waits for.
    const interval = this.silent ? Math.min(this.options.intervalMs, SILENT_INTERVAL_MS) : this.options.intervalMs;
    if (!this.stopped) this.timer.start(interval, () => void this.sample());
  }

  private async sample(): Promise<void> {
    let report: Stat[];
    try {
      const stats = await this.options.pc.getStats();
      report = [];
      stats.forEach((value: Stat) => report.push(value));
    } catch (error) {
      this.options.log.debug(`getStats failed: ${(error as Error).message}`);
      return this.schedule();
    }
    if (this.stopped) return;
    const now = this.options.clock.now();
    let total = 0;
    let sent = 0;
    for (const stat of report) {
      if (stat.type === 'inbound-rtp') total += Number(stat.bytesReceived ?? 0) + Number(stat.framesDecoded ?? 0);
      if (stat.type === 'outbound-rtp') sent += Number(stat.bytesSent ?? 0);
    }
    if (sent > this.lastSent) {
      this.lastSent = sent;
      this.lastSentAt = now;
    }
    if (total > this.lastTotal) {
      this.lastTotal = total;
      this.lastProgressAt = now;
      this.flowingSince ??= now;
      if (this.silent) {
        this.silent = false;
        this.options.onFlowing();
      }
    } else {
      this.flowingSince = null;
      if (!this.silent && now - this.lastProgressAt >= this.options.silenceMs) {
        this.silent = true;
        this.options.onSilent();
      }
    }
    const path = readPath(report);
    const key = JSON.stringify(path);
    if (key !== this.lastPathKey) {
      this.lastPathKey = key;
      this.options.onPath(path);
    }
    this.schedule();
  }
}

/**
 * The selected candidate pair, in the words the UI uses. Chromium names it on its transport
 * stats; Firefox's may not, and it marks the pair itself (`selected`); else the nominated pair that works.
 */
export function readPath(report: Stat[]): CallPath | null {
  const byId = new Map(report.map((stat) => [stat.id, stat]));
  const transport = report.find((stat) => stat.type === 'transport' && typeof stat.selectedCandidatePairId === 'string');
  const pairs = report.filter((stat) => stat.type === 'candidate-pair');
  const pair =
    (transport && byId.get(transport.selectedCandidatePairId as string)) ??
    pairs.find((stat) => stat.selected === true) ??
    pairs.find((stat) => stat.nominated === true && stat.state === 'succeeded');
  if (!pair) return null;
  const local = byId.get(pair.localCandidateId as string);
  const remote = byId.get(pair.remoteCandidateId as string);
  if (!local || !remote) return null;
  const kind = (value: unknown) => (value === 'srflx' || value === 'prflx' || value === 'relay' ? value : 'host') as CallPath['local'];
  const path: CallPath = {
    local: kind(local.candidateType),
    remote: kind(remote.candidateType),
    protocol: local.protocol === 'tcp' ? 'tcp' : 'udp',
  };
  if (path.local === 'relay') {
    const relayProtocol = local.relayProtocol;
    if (relayProtocol === 'udp' || relayProtocol === 'tcp' || relayProtocol === 'tls') path.relayProtocol = relayProtocol;
    const port = typeof local.url === 'string' ? /:(\d+)(\?|$)/.exec(local.url)?.[1] : undefined;
    if (port) path.relayPort = Number(port);
  }
  return path;
}

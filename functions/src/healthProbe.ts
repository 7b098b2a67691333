/**
 * One run of the scheduled TURN health probe. Cloud Scheduler fires at most once a minute, so a
 * run probes `rounds` times, `intervalMs` apart: with two rounds 30 s apart a host that dies is
 * marked down within about 30 s plus the probe timeout, and the callable's cache adds at most 10 s.
 */
import type { HealthRecord } from './health';
import type { IceLogger } from './iceServersHandler';
import { probeHosts, type HostProbe } from './probe';
import type { TurnTransport } from './iceServerList';

export interface HealthProbeOptions {
  /** Read per run, so a deploy with new hosts is probed from its first run. */
  targets: () => { hosts: string[]; transports: TurnTransport[] };
  write: (record: HealthRecord) => Promise<void>;
  logger: Pick<IceLogger, 'info' | 'warn'>;
  probe?: HostProbe;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  rounds?: number;
  intervalMs?: number;
  timeoutMs?: number;
}

export function createHealthProbeRun({
  targets,
  write,
  logger,
  probe,
  clock = Date.now,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  rounds = 2,
  intervalMs = 30_000,
  timeoutMs = 3_000,
}: HealthProbeOptions): () => Promise<void> {
  return async () => {
    const started = clock();
    for (let round = 0; round < rounds; round++) {
      const wait = started + round * intervalMs - clock();
      if (wait > 0) await sleep(wait);
      const { hosts, transports } = targets();
      const record = await probeHosts({ hosts, transports, probe, clock, timeoutMs });
      await write(record);
      const down = Object.entries(record.hosts).filter(([, health]) => !health.up);
      if (down.length > 0) {
        logger.warn('TURN hosts down', { down: Object.fromEntries(down.map(([host, health]) => [host, health.detail])) });
      } else {
        logger.info('TURN hosts up', { hosts });
      }
    }
  };
}

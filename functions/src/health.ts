/**
 * The TURN health record: which hosts answered their last probe. The prober writes it, the
 * `iceServers` callable reads it (cached briefly per instance) and leaves hosts marked down out
 * of its answers. It fails open: a missing, stale or unreadable record drops nothing, because a
 * relay that might work beats an answer with none.
 */
import type { TurnHostGroup } from './regions';

/** Firestore document the record lives in (server-only: clients cannot read it under the rules). */
export const HEALTH_DOC = 'turnHealth/hosts';

export interface HostHealth {
  up: boolean;
  /** Epoch ms of the probe. */
  checkedAt: number;
  /** Why it is down, for operators (e.g. "no STUN answer on udp:3478 or tcp:3478 within 3000 ms"). */
  detail?: string;
}

export interface HealthRecord {
  hosts: Record<string, HostHealth>;
}

/** A record older than this is ignored: the prober has stopped, so its verdicts no longer hold. */
export const STALE_AFTER_MS = 3 * 60_000;

export interface HealthReaderOptions {
  /** Reads the record; null when there is none yet. */
  read: () => Promise<HealthRecord | null>;
  /** Epoch ms. */
  clock: () => number;
  /** How long one read serves the instance's calls. */
  cacheMs?: number;
  /** A slow read must not delay credentials: past this the last known record (or none) is used. */
  timeoutMs?: number;
  onError?: (error: Error) => void;
}

export interface HealthReader {
  /** Hosts a fresh record marks down. */
  downHosts(): Promise<Set<string>>;
}

export function createHealthReader({
  read,
  clock,
  cacheMs = 10_000,
  timeoutMs = 1_500,
  onError = () => {},
}: HealthReaderOptions): HealthReader {
  let cached: { record: HealthRecord | null; readAt: number } | null = null;
  let pending: Promise<HealthRecord | null> | null = null;

  const refresh = (): Promise<HealthRecord | null> => {
    pending ??= read()
      .then((record) => {
        cached = { record: validRecord(record), readAt: clock() };
        return cached.record;
      })
      .catch((error: unknown) => {
        onError(error instanceof Error ? error : new Error(String(error)));
        // Keep the last record but retry on the next call's cache check only after cacheMs.
        cached = { record: cached?.record ?? null, readAt: clock() };
        return cached.record;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };

  return {
    async downHosts() {
      const now = clock();
      let record = cached?.record ?? null;
      if (!cached || now - cached.readAt >= cacheMs) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        });
        const result = await Promise.race([refresh(), timedOut]);
        clearTimeout(timer);
        if (result === 'timeout') onError(new Error(`the TURN health record did not arrive within ${timeoutMs} ms; answering without it`));
        else record = result;
      }
      return markedDown(record, now);
    },
  };
}

/** Hosts the record marks down, ignoring verdicts older than STALE_AFTER_MS. */
export function markedDown(record: HealthRecord | null, now: number): Set<string> {
  const down = new Set<string>();
  for (const [host, health] of Object.entries(record?.hosts ?? {})) {
    if (!health.up && now - health.checkedAt < STALE_AFTER_MS) down.add(host);
  }
  return down;
}

/**
 * Groups without their down hosts, empty groups removed. If that leaves no host at all the
 * groups come back unchanged (`allDown`): either every relay is really gone, and nothing is lost,
 * or the probe itself is broken, and the hosts still work.
 */
export function withoutDownHosts(
  groups: readonly TurnHostGroup[],
  down: ReadonlySet<string>,
): { groups: TurnHostGroup[]; allDown: boolean } {
  const kept = groups
    .map((group) => ({ region: group.region, hosts: group.hosts.filter((host) => !down.has(host)) }))
    .filter((group) => group.hosts.length > 0);
  if (kept.length === 0 && groups.length > 0) return { groups: [...groups], allDown: true };
  return { groups: kept, allDown: false };
}

/** Anything not shaped like a record is treated as no record, so a hand edit cannot drop hosts. */
function validRecord(record: unknown): HealthRecord | null {
  if (!record || typeof record !== 'object') return null;
  const hosts = (record as { hosts?: unknown }).hosts;
  if (!hosts || typeof hosts !== 'object') return null;
  const valid: Record<string, HostHealth> = {};
  for (const [host, health] of Object.entries(hosts as Record<string, unknown>)) {
    const { up, checkedAt } = (health ?? {}) as Partial<HostHealth>;
    if (typeof up === 'boolean' && typeof checkedAt === 'number') valid[host] = health as HostHealth;
  }
  return { hosts: valid };
}

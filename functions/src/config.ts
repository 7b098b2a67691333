/**
 * Turns raw parameter values (strings and lists from .env files / Secret Manager) into a
 * checked configuration. Pure: the params module reads the values, this decides if they make sense.
 * A bad value is reported by name with what to fix; a secret's value is never repeated.
 */
import { parseTurnSecrets } from './credentials';
import { parseTransport, type TurnTransport } from './iceServerList';
import { parseTurnHostGroups, type TurnHostGroup } from './regions';

export const TTL_BOUNDS = { min: 60, max: 86_400 } as const;
export const RATE_BOUNDS = { min: 1, max: 10_000 } as const;
/** Shorter secrets are guessable offline from one observed credential. */
export const MIN_SECRET_LENGTH = 16;

export interface RawIceParams {
  /** TURN_SECRET: one or more secrets, comma or newline separated; the first signs. */
  turnSecret: string;
  /** TURN_HOSTS: `host` or `region=host` entries (see regions.ts). */
  turnHosts: readonly string[];
  /** STUN_URLS; empty means `stun:<host>:<first udp port or 3478>` for each TURN host. */
  stunUrls: readonly string[];
  /** TURN_TRANSPORTS, e.g. ['udp:3478', 'tcp:3478', 'tls:443']. */
  transports: readonly string[];
  /** TURN_TTL_SECONDS: default and maximum lifetime of issued credentials. */
  ttlSeconds: number;
  /** ICE_SERVERS_PER_MINUTE: calls allowed per user per minute (per instance). */
  ratePerMinute: number;
}

export interface IceConfig {
  /** Rotation list; `secrets[0]` signs. */
  secrets: string[];
  /** Every host, in configured order. */
  turnHosts: string[];
  /** The same hosts grouped by region, in the order regions first appear. */
  turnHostGroups: TurnHostGroup[];
  stunUrls: string[];
  /** True when STUN_URLS is empty: STUN is then served by each answered TURN host on `stunPort`. */
  stunOnTurnHosts: boolean;
  stunPort: number;
  transports: TurnTransport[];
  maxTtlSeconds: number;
  ratePerMinute: number;
}

export class IceConfigError extends Error {
  readonly reason = 'turn-not-configured';
  constructor(readonly problems: string[]) {
    super(`TURN credentials are not configured correctly: ${problems.join(' ')}`);
    this.name = 'IceConfigError';
  }
}

export function readIceConfig(raw: RawIceParams): IceConfig {
  const problems: string[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      problems.push((error as Error).message);
      return undefined;
    }
  };

  const secrets = parseTurnSecrets(raw.turnSecret);
  if (secrets.length === 0) {
    problems.push('TURN_SECRET is empty: set it with `firebase functions:secrets:set TURN_SECRET` (emulator: functions/.secret.local).');
  } else if (secrets.some((secret) => secret.length < MIN_SECRET_LENGTH)) {
    problems.push(`Every TURN_SECRET entry must be at least ${MIN_SECRET_LENGTH} characters long.`);
  }

  const hostList = nonEmpty(raw.turnHosts);
  if (hostList.length === 0) problems.push('TURN_HOSTS is empty: list at least one coturn host name, e.g. turn.example.com.');
  const turnHostGroups = hostList.map((entry) => attempt(() => parseTurnHostGroups([entry]))).some((parsed) => parsed === undefined)
    ? []
    : parseTurnHostGroups(hostList);
  const turnHosts = turnHostGroups.flatMap((group) => group.hosts);

  const transportList = nonEmpty(raw.transports);
  if (transportList.length === 0) problems.push('TURN_TRANSPORTS is empty: list e.g. udp:3478,tcp:3478,tls:443.');
  const transports = transportList.map((spec) => attempt(() => parseTransport(spec))).filter(isDefined);

  const stunUrls = nonEmpty(raw.stunUrls);
  for (const url of stunUrls) {
    if (!/^stuns?:[^\s?#]+$/.test(url)) problems.push(`STUN_URLS entry "${url}" must look like stun:host:3478.`);
  }

  if (!isIntegerIn(raw.ttlSeconds, TTL_BOUNDS)) {
    problems.push(`TURN_TTL_SECONDS must be an integer from ${TTL_BOUNDS.min} to ${TTL_BOUNDS.max}, got ${raw.ttlSeconds}.`);
  }
  if (!isIntegerIn(raw.ratePerMinute, RATE_BOUNDS)) {
    problems.push(`ICE_SERVERS_PER_MINUTE must be an integer from ${RATE_BOUNDS.min} to ${RATE_BOUNDS.max}, got ${raw.ratePerMinute}.`);
  }

  if (problems.length > 0) throw new IceConfigError(problems);

  const stunPort = transports.find((transport) => transport.kind === 'udp')?.port ?? 3478;
  return {
    secrets,
    turnHosts,
    turnHostGroups,
    stunUrls: stunUrls.length > 0 ? stunUrls : turnHosts.map((host) => `stun:${host}:${stunPort}`),
    stunOnTurnHosts: stunUrls.length === 0,
    stunPort,
    transports,
    maxTtlSeconds: raw.ttlSeconds,
    ratePerMinute: raw.ratePerMinute,
  };
}

export function isIntegerIn(value: unknown, bounds: { min: number; max: number }): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= bounds.min && value <= bounds.max;
}

function nonEmpty(list: readonly string[]): string[] {
  return list.map((item) => item.trim()).filter((item) => item.length > 0);
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/**
 * The `iceServers` callable's logic, free of deployment details: the clock, the config source
 * and the logger are injected, so expiry, rate limits and log contents are testable.
 * Order of checks: auth, config, arguments, rate; an unauthenticated caller learns nothing else.
 * TURN hosts come nearest region first, without hosts the health record marks down, and at most
 * two regions: every listed host costs the browser an allocation per call and per warm line.
 */
import { HttpsError, type CallableRequest } from 'firebase-functions/v2/https';
import { IceConfigError, type IceConfig } from './config';
import { turnCredentials } from './credentials';
import { buildIceServers, type IceServer } from './iceServerList';
import { withoutDownHosts, type HealthReader } from './health';
import { createRateLimiter, type RateLimiter } from './rateLimiter';
import { callerRegion, orderGroupsFor } from './regions';
import { parseIceServersRequest } from './request';

/** The caller's nearest region plus one fallback region. */
export const REGIONS_PER_ANSWER = 2;

export interface IceServersResponse {
  iceServers: IceServer[];
  /** When the TURN credentials stop working, epoch ms (the username's expiry). */
  expiresAt: number;
  ttlSeconds: number;
}

/** The subset of firebase-functions' logger we use; structured fields go in the last argument. */
export interface IceLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface IceServersHandlerOptions {
  /** Reads and checks the configuration; called per request because secrets exist only at run time. */
  readConfig: () => IceConfig;
  /** Epoch ms. */
  clock?: () => number;
  logger: IceLogger;
  /** Defaults to a one-minute sliding window on `clock`. */
  limiter?: RateLimiter;
  /** Which hosts are down; without it every configured host is answered. */
  health?: HealthReader;
}

export type IceServersHandler = (
  request: Pick<CallableRequest<unknown>, 'auth' | 'data'> & { rawRequest?: { headers: Readonly<Record<string, unknown>> } },
) => Promise<IceServersResponse>;

export function createIceServersHandler({
  readConfig,
  clock = Date.now,
  logger,
  limiter,
  health,
}: IceServersHandlerOptions): IceServersHandler {
  const rate = limiter ?? createRateLimiter({ windowMs: 60_000, clock });

  return async (request) => {
    const uid = request.auth?.uid;
    if (!uid) {
      throw new HttpsError('unauthenticated', 'iceServers: sign in first; TURN credentials are issued only to signed-in users.');
    }

    const config = loadConfig(readConfig, logger);
    const { ttlSeconds, region } = parseIceServersRequest(request.data, config.maxTtlSeconds);

    const decision = rate.take(uid, config.ratePerMinute);
    if (!decision.allowed) {
      const retryAfterSeconds = Math.ceil(decision.retryAfterMs / 1000);
      logger.warn('iceServers rate limit reached', { uid, limitPerMinute: config.ratePerMinute, retryAfterSeconds });
      throw new HttpsError(
        'resource-exhausted',
        `iceServers: more than ${config.ratePerMinute} requests in a minute; retry in ${retryAfterSeconds} s.`,
        { retryAfterSeconds },
      );
    }

    const caller = callerRegion(region, request.rawRequest?.headers);
    const down = health ? await health.downHosts() : new Set<string>();
    const healthy = withoutDownHosts(orderGroupsFor(config.turnHostGroups, caller), down);
    if (healthy.allDown)
      logger.error('iceServers: the health record marks every TURN host down; answering all of them', { down: [...down] });
    const turnHosts = healthy.groups.slice(0, REGIONS_PER_ANSWER).flatMap((group) => group.hosts);
    const stunUrls = config.stunOnTurnHosts ? turnHosts.map((host) => `stun:${host}:${config.stunPort}`) : config.stunUrls;

    const expiresAtSeconds = Math.floor(clock() / 1000) + ttlSeconds;
    const credentials = turnCredentials(config.secrets[0]!, uid, expiresAtSeconds);
    // Log who got what and until when; never the secret or the credential (it is a bearer token).
    logger.info('iceServers issued TURN credentials', {
      uid,
      username: credentials.username,
      ttlSeconds,
      turnHosts,
      region: caller ? { continent: caller.continent, group: caller.group, source: caller.source } : null,
      ...(down.size > 0 ? { downHosts: [...down] } : {}),
    });
    return {
      iceServers: buildIceServers({ stunUrls, turnHosts, transports: config.transports, credentials }),
      expiresAt: expiresAtSeconds * 1000,
      ttlSeconds,
    };
  };
}

function loadConfig(readConfig: () => IceConfig, logger: IceLogger): IceConfig {
  try {
    return readConfig();
  } catch (error) {
    const problems = error instanceof IceConfigError ? error.problems : [(error as Error).message];
    logger.error('iceServers is misconfigured', { problems });
    // The caller cannot fix this; operators find the details in the log line above.
    throw new HttpsError(
      'failed-precondition',
      'iceServers: TURN relay is not configured on the server; calls may fail behind firewalls. Contact your administrator.',
    );
  }
}

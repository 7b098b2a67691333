/**
 * What a caller may send to `iceServers`: nothing, `null`, `{}` or `{ ttlSeconds?, region? }`:
 * an integer from 60 to the configured TTL, and a region hint (a TURN region name such as
 * `europe-west`, or the browser's IANA time zone such as `Europe/Berlin`). Anything else is refused with a sentence saying what
 * was wrong, never silently ignored.
 */
import { HttpsError } from 'firebase-functions/v2/https';
import { TTL_BOUNDS } from './config';

export interface IceServersRequest {
  /** Wanted credential lifetime; defaults to the configured TTL, which is also the maximum. */
  ttlSeconds?: number;
  /** Where the caller is, so the nearest TURN region comes first. */
  region?: string;
}

const ALLOWED_KEYS = new Set(['ttlSeconds', 'region']);
const REGION_HINT = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

export function parseIceServersRequest(data: unknown, maxTtlSeconds: number): IceServersRequest & { ttlSeconds: number } {
  if (data === undefined || data === null) return { ttlSeconds: maxTtlSeconds };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw invalid(`expected no argument or an object like { ttlSeconds: 600 }, got ${describe(data)}.`);
  }
  const unknownKeys = Object.keys(data).filter((key) => !ALLOWED_KEYS.has(key));
  if (unknownKeys.length > 0) {
    // Bounded echo: a payload with huge or countless keys must not come back in the error.
    const shown = unknownKeys.slice(0, 5).map((key) => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key));
    const more = unknownKeys.length > 5 ? ` and ${unknownKeys.length - 5} more` : '';
    throw invalid(`unknown field(s) ${shown.join(', ')}${more}; only ttlSeconds and region are accepted.`);
  }
  const { ttlSeconds, region } = data as { ttlSeconds?: unknown; region?: unknown };
  if (region !== undefined && (typeof region !== 'string' || !REGION_HINT.test(region))) {
    throw invalid(`region must be a region name or time zone like "europe" or "Europe/Berlin", got ${describe(region)}.`);
  }
  const hint = region === undefined ? {} : { region };
  if (ttlSeconds === undefined) return { ttlSeconds: maxTtlSeconds, ...hint };
  if (typeof ttlSeconds !== 'number' || !Number.isInteger(ttlSeconds) || ttlSeconds < TTL_BOUNDS.min || ttlSeconds > maxTtlSeconds) {
    throw invalid(`ttlSeconds must be an integer from ${TTL_BOUNDS.min} to ${maxTtlSeconds}, got ${describe(ttlSeconds)}.`);
  }
  return { ttlSeconds, ...hint };
}

function invalid(detail: string): HttpsError {
  return new HttpsError('invalid-argument', `iceServers: ${detail}`);
}

/** A short, bounded description of a bad value, so a huge payload is not echoed back. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? '…' : ''})`;
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}

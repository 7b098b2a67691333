/**
 * TURN REST credentials (draft-uberti-behave-turn-rest, coturn `use-auth-secret`):
 * username `<expiry unix seconds>:<uid>`, credential base64(HMAC-SHA1(secret, username)).
 * coturn recomputes the HMAC with each of its `static-auth-secret`s and refuses the
 * username once its expiry has passed, so nothing is stored per user.
 *
 * Stable exports (used by turn/ tests and the network lab):
 *   turnCredentials(secret, uid, expiresAtSeconds) -> { username, credential }
 *   verifyTurnCredentials(secrets, username, credential, nowMs) -> verdict
 *   parseTurnSecrets(raw) -> string[]   (rotation list, signing secret first)
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TurnCredentials {
  /** `<expiry unix seconds>:<uid>`; coturn reads the expiry from it. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
}

/** Signs a TURN REST username for `uid` that coturn accepts until `expiresAtSeconds` (unix seconds). */
export function turnCredentials(secret: string, uid: string, expiresAtSeconds: number): TurnCredentials {
  if (!secret) throw new TypeError('turnCredentials: the TURN secret is empty; nothing could verify these credentials.');
  if (!uid) throw new TypeError('turnCredentials: uid is empty; credentials must name the user they were issued to.');
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds <= 0) {
    throw new TypeError(`turnCredentials: expiresAtSeconds must be a positive integer of unix seconds, got ${expiresAtSeconds}.`);
  }
  const username = `${expiresAtSeconds}:${uid}`;
  return { username, credential: sign(secret, username) };
}

export type TurnCredentialVerdict = 'valid' | 'expired' | 'forged' | 'malformed';

/**
 * What coturn would decide for these credentials with `secrets` as its static-auth-secrets:
 * any listed secret may have signed them (rotation), and the expiry must be in the future.
 */
export function verifyTurnCredentials(
  secrets: readonly string[],
  username: string,
  credential: string,
  nowMs: number,
): TurnCredentialVerdict {
  const match = /^(\d+):(.+)$/s.exec(username);
  if (!match) return 'malformed';
  const given = Buffer.from(credential, 'base64');
  const signedByUs = secrets.some((secret) => {
    const expected = Buffer.from(sign(secret, username), 'base64');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!signedByUs) return 'forged';
  return Number(match[1]) * 1000 > nowMs ? 'valid' : 'expired';
}

/**
 * The TURN_SECRET value is a rotation list: secrets separated by commas or newlines,
 * the first one signs, every one is also configured in coturn until retired.
 */
export function parseTurnSecrets(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(/[,\n]/)
    .map((secret) => secret.trim())
    .filter((secret) => secret.length > 0);
}

function sign(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

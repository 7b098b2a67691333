/**
 * TURN REST credentials computed by the lab itself (username `<expiry>:<uid>`,
 * credential base64(HMAC-SHA1(secret, username))). Used for the plain WebRTC
 * baseline and whenever the Functions emulator is not part of the run; the
 * firecall peers get theirs from the real `iceServers` callable (emulator.ts).
 */
import { createHmac } from 'node:crypto';
import type { TurnService } from './turn';

export interface IceGrant {
  iceServers: RTCIceServer[];
  expiresAt: number;
}

export function computeGrant(turn: TurnService, uid: string, ttlSeconds = 600, now = Date.now()): IceGrant {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const username = `${expiry}:${uid}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  const stun = turn.urls.filter((u) => u.startsWith('stun:'));
  const relays = turn.urls.filter((u) => !u.startsWith('stun:'));
  return {
    iceServers: [...(stun.length ? [{ urls: stun }] : []), { urls: relays, username, credential }],
    expiresAt: expiry * 1000,
  };
}

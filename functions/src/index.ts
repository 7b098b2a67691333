/**
 * Cloud Functions entry point. `iceServers` issues short-lived TURN REST credentials to a
 * signed-in user: `{ iceServers, expiresAt, ttlSeconds }` (see iceServersHandler.ts).
 */
import { logger } from 'firebase-functions';
import { onCall } from 'firebase-functions/v2/https';
import { createIceServersHandler } from './iceServersHandler';
import { readIceConfigFromParams, turnSecret } from './params';

export const iceServers = onCall(
  { secrets: [turnSecret], timeoutSeconds: 10 },
  createIceServersHandler({ readConfig: readIceConfigFromParams, logger }),
);

/**
 * Cloud Functions entry point. `iceServers` issues short-lived TURN REST credentials to a
 * signed-in user: `{ iceServers, expiresAt, ttlSeconds }` (see iceServersHandler.ts), nearest
 * region first and without hosts the health record marks down. `turnHealthProbe` keeps that
 * record, every minute.
 */
import { logger } from 'firebase-functions';
import { onCall } from 'firebase-functions/v2/https';
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { createHealthReader } from './health';
import { createHealthProbeRun } from './healthProbe';
import { firestoreHealthStore, hasHealthStore } from './healthStore';
import { createIceServersHandler } from './iceServersHandler';
import { readIceConfigFromParams, readProbeTargetsFromParams, turnSecret } from './params';

const healthStore = firestoreHealthStore();

export const iceServers = onCall(
  { secrets: [turnSecret], timeoutSeconds: 10 },
  createIceServersHandler({
    readConfig: readIceConfigFromParams,
    logger,
    health: hasHealthStore()
      ? createHealthReader({
          read: healthStore.read,
          clock: Date.now,
          onError: (error) => logger.warn('TURN health record unavailable', { error: error.message }),
        })
      : undefined,
  }),
);

export const turnHealthProbe = onSchedule(
  { schedule: 'every 1 minutes', timeoutSeconds: 60, retryCount: 0 },
  createHealthProbeRun({ targets: readProbeTargetsFromParams, write: healthStore.write, logger }),
);

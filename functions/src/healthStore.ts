/**
 * The health record in Firestore, through the Admin SDK (the rules let no client read it).
 * It is used only where a Firestore exists: deployed, or with the Firestore emulator running.
 * The Functions emulator alone has none, and must not reach a production database from a laptop.
 */
import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { HEALTH_DOC, type HealthRecord } from './health';

export interface HealthStore {
  read(): Promise<HealthRecord | null>;
  write(record: HealthRecord): Promise<void>;
}

export function firestoreHealthStore(): HealthStore {
  const doc = () => {
    if (getApps().length === 0) initializeApp();
    return getFirestore().doc(HEALTH_DOC);
  };
  return {
    async read() {
      const snapshot = await doc().get();
      return snapshot.exists ? (snapshot.data() as HealthRecord) : null;
    },
    async write(record) {
      await doc().set(record);
    },
  };
}

/** Deployed (Cloud Run sets K_SERVICE) or pointed at a Firestore emulator. */
export function hasHealthStore(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FIRESTORE_EMULATOR_HOST) return true;
  return Boolean(env.K_SERVICE) && env.FUNCTIONS_EMULATOR !== 'true';
}

/**
 * The port's contract against the Firestore emulator, through the real firestore.rules:
 * every channel is a signed-in user of the rules-unit-testing environment.
 * Run: npx firebase emulators:exec --only firestore --project demo-firecall "npx vitest run --project firestore"
 */
import { Timestamp, doc, setDoc } from 'firebase/firestore';
import { describeSignalingContract } from './contract';
import { createFirestoreSignaling } from './firestore';
import { asModular, startRulesEnvironment } from './firestore.testenv';

describeSignalingContract(
  'Firestore (emulator, with firestore.rules)',
  async () => {
    const env = await startRulesEnvironment();
    return {
      // A loaded CI machine can take more than the production 10 s to open a first connection.
      channel: (uid) => createFirestoreSignaling({ db: asModular(env.authenticatedContext(uid).firestore()), uid, writeTimeoutMs: 45_000 }),
      injectSignal: (callId, raw) =>
        env.withSecurityRulesDisabled(async (context) => {
          const { id, ...fields } = raw;
          const data: Record<string, unknown> = {};
          for (const [key, value] of Object.entries(fields)) if (value !== undefined) data[key] = value;
          if (typeof data.createdAt === 'number') data.createdAt = Timestamp.fromMillis(data.createdAt);
          if (typeof data.expireAt === 'number') data.expireAt = Timestamp.fromMillis(data.expireAt);
          await setDoc(doc(asModular(context.firestore()), 'calls', callId, 'signals', String(id)), data);
        }),
      close: () => env.cleanup(),
    };
  },
  // Generous: the emulator shares two cores with other suites.
  { waitMs: 30_000, testTimeoutMs: 90_000 },
);

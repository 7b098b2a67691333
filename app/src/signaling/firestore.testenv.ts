/**
 * Shared setup of the Firestore emulator suites (*.firestore.test.ts).
 *
 * They run only under `firebase emulators:exec --only firestore`, which sets
 * FIRESTORE_EMULATOR_HOST. Without it they fail loudly with the reason instead of passing:
 * scripts/test.mjs prints `SKIPPED firestore suites: <reason>` and does not start them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initializeTestEnvironment, type RulesTestEnvironment } from '@firebase/rules-unit-testing';
import { doc, setDoc, setLogLevel, type Firestore } from 'firebase/firestore';

export const PROJECT_ID = 'demo-firecall';

export const RULES_PATH = fileURLToPath(new URL('../../../firestore.rules', import.meta.url));

/** host:port of the emulator, or throws the reason these suites cannot run. */
export function firestoreEmulatorHost(env: NodeJS.ProcessEnv = process.env): { host: string; port: number } {
  const value = env.FIRESTORE_EMULATOR_HOST;
  const match = value?.match(/^\[?([^\]]+?)\]?:(\d+)$/);
  if (!match) {
    throw new Error(
      'SKIPPED firestore suites: FIRESTORE_EMULATOR_HOST is not set. These suites need the Firestore emulator: ' +
        'run them with `npx firebase emulators:exec --only firestore --project demo-firecall "npx vitest run --project firestore"`.',
    );
  }
  return { host: match[1]!, port: Number(match[2]) };
}

/** A test environment with the repository's firestore.rules loaded into the emulator. */
export async function startRulesEnvironment(): Promise<RulesTestEnvironment> {
  const { host, port } = firestoreEmulatorHost();
  // Denied writes are the point of these suites; the SDK would log each one as a warning.
  setLogLevel('silent');
  const env = await initializeTestEnvironment({
    projectId: PROJECT_ID,
    firestore: { host, port, rules: readFileSync(RULES_PATH, 'utf8') },
  });
  // The emulator's first request (JIT warm-up) can take seconds; pay it here, not in a test.
  await env.withSecurityRulesDisabled(async (context) => {
    await setDoc(doc(asModular(context.firestore()), 'warmup', 'first'), { at: Date.now() });
  });
  return env;
}

/** The rules-unit-testing context's Firestore as the modular SDK type (same firebase@12 underneath). */
export function asModular(db: unknown): Firestore {
  return db as Firestore;
}

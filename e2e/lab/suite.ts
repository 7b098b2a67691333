/**
 * The Auth and Functions emulators for one lab test file: started before its tests
 * and stopped after them, also when starting gave up waiting (the emulators may still
 * come up afterwards). Separate from emulator.ts, which the bench uses outside vitest.
 */
import { afterAll, beforeAll } from 'vitest';
import { startCredentials, type CredentialsInput, type LabCredentials } from './emulator';

/** Registers the hooks; the returned getter gives the signed-in users once beforeAll ran. */
export function credentialsForSuite(input: CredentialsInput): () => LabCredentials {
  let credentials: LabCredentials | null = null;
  let starting: Promise<LabCredentials> | null = null;
  beforeAll(async () => {
    starting = startCredentials(input);
    credentials = await starting;
  }, 420_000);
  afterAll(async () => {
    const started = await starting?.catch(() => null);
    await started?.stop();
  }, 420_000);
  return () => {
    if (!credentials) throw new Error('the lab credentials are not ready: the emulators did not start');
    return credentials;
  };
}

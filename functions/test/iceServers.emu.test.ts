/**
 * The iceServers callable on the real Auth and Functions emulators, called the way the app does:
 * the firebase@12 client SDK with a real Auth-emulator ID token.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIceServersClient,
  signInAndFetchIceServers,
  startEmulators,
  type IceServersClient,
  type IceServersResult,
  type RunningEmulators,
} from '../../scripts/emulators.mjs';
import { verifyTurnCredentials } from '../src/credentials';

const SECRET = 'emu-current-secret-7c1d9a52e0';
const OLD_SECRET = 'emu-previous-secret-4b8e03f6a1';
const RATE = 5;
const TTL = 900;

let emulators: RunningEmulators;
const clients: IceServersClient[] = [];
const seen: unknown[] = []; // every response and error a caller got, checked for the secret at the end
let userCount = 0;

async function signedInClient(): Promise<{ client: IceServersClient; uid: string }> {
  const client = await createIceServersClient(emulators);
  clients.push(client);
  const user = await client.signUp(`user${++userCount}-${Date.now()}@example.com`, 'correct-horse-battery');
  return { client, uid: user.uid };
}

async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string; details?: unknown }> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(value)}`);
    },
    (reason: { code: string; message: string; details?: unknown }) => reason,
  );
  seen.push({ code: error.code, message: error.message, details: error.details });
  return error;
}

beforeAll(async () => {
  emulators = await startEmulators({
    turnSecret: [SECRET, OLD_SECRET],
    turnHosts: ['127.0.0.1', 'turn-b.example.test'],
    transports: ['udp:3478', 'tcp:3478', 'tls:443', 'tcp:443'],
    ttlSeconds: TTL,
    ratePerMinute: RATE,
    preferConfiguredPorts: false, // never collide with npm start or another suite's emulators
    readyTimeoutMs: 400_000, // below the hook timeout, so startEmulators cleans up after itself
  });
  console.log(
    `emulators ready in ${(emulators.startupMs / 1000).toFixed(1)} s (tsc build included): auth ${emulators.authUrl}, functions ${emulators.functionsUrl}`,
  );
}, 480_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await emulators?.stop();
}, 30_000);

describe('iceServers on the emulators', () => {
  it('gives a signed-in user TURN credentials for every configured host, expiring after the TTL', async () => {
    const before = Date.now();
    const result = await signInAndFetchIceServers({
      ...emulators,
      email: `alice-${Date.now()}@example.com`,
      password: 'correct-horse-battery',
    });
    const after = Date.now();
    seen.push(result);

    expect(result.ttlSeconds).toBe(TTL);
    expect(result.iceServers.map((server) => server.urls)).toEqual([
      ['stun:127.0.0.1:3478', 'stun:turn-b.example.test:3478'],
      [
        'turn:127.0.0.1:3478?transport=udp',
        'turn:127.0.0.1:3478?transport=tcp',
        'turns:127.0.0.1:443?transport=tcp',
        'turn:127.0.0.1:443?transport=tcp',
      ],
      [
        'turn:turn-b.example.test:3478?transport=udp',
        'turn:turn-b.example.test:3478?transport=tcp',
        'turns:turn-b.example.test:443?transport=tcp',
        'turn:turn-b.example.test:443?transport=tcp',
      ],
    ]);
    const [, turnA, turnB] = result.iceServers;
    expect(turnB).toMatchObject({ username: turnA!.username, credential: turnA!.credential });

    const [expiry, uid] = turnA!.username!.split(':');
    expect(uid).toBe(result.uid);
    expect(Number(expiry)).toBeGreaterThanOrEqual(Math.floor(before / 1000) + TTL);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.ceil(after / 1000) + TTL);
    expect(result.expiresAt).toBe(Number(expiry) * 1000);
    // Signed with the first secret of the rotation list, as coturn with that secret will check.
    expect(verifyTurnCredentials([SECRET], turnA!.username!, turnA!.credential!, after)).toBe('valid');
    expect(verifyTurnCredentials([OLD_SECRET], turnA!.username!, turnA!.credential!, after)).toBe('forged');
  });

  it('honours a shorter requested lifetime', async () => {
    const { client, uid } = await signedInClient();
    const before = Date.now();
    const result = await client.call({ ttlSeconds: 120 });
    seen.push(result);
    expect(result.ttlSeconds).toBe(120);
    const expiry = Number(result.iceServers[1]!.username!.split(':')[0]);
    expect(expiry).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 120);
    expect(expiry).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 120);
    expect(result.iceServers[1]!.username).toBe(`${expiry}:${uid}`);
  });

  it('refuses a caller without an ID token: unauthenticated', async () => {
    const anonymous = await createIceServersClient(emulators);
    clients.push(anonymous);
    const error = await refusal(anonymous.call());
    expect(error.code).toBe('functions/unauthenticated');
    expect(error.message).toMatch(/sign in first/);
  });

  it('refuses malformed arguments: invalid-argument with what was wrong', async () => {
    const { client } = await signedInClient();
    expect(await refusal(client.call('servers please'))).toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringMatching(/got a string/),
    });
    expect(await refusal(client.call({ ttlSeconds: 'long' }))).toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringMatching(/ttlSeconds must be an integer from 60 to 900/),
    });
    expect(await refusal(client.call({ ttlSeconds: TTL + 1 }))).toMatchObject({ code: 'functions/invalid-argument' });
    expect(await refusal(client.call({ ttlSeconds: 60, admin: true }))).toMatchObject({
      code: 'functions/invalid-argument',
      message: expect.stringMatching(/unknown field\(s\) "admin"/),
    });
  });

  it(`refuses a user's call number ${RATE + 1} within a minute: resource-exhausted, others unaffected`, async () => {
    const { client } = await signedInClient();
    for (let i = 0; i < RATE; i++) seen.push(await client.call());
    const error = await refusal(client.call());
    expect(error.code).toBe('functions/resource-exhausted');
    expect(error.message).toMatch(new RegExp(`more than ${RATE} requests in a minute`));
    expect(error.details).toMatchObject({ retryAfterSeconds: expect.any(Number) });
    const other = await signedInClient();
    await expect(other.client.call()).resolves.toMatchObject({ ttlSeconds: TTL });
  });

  it('never shows a secret in a response, an error or the emulator log', () => {
    const log = emulators.output();
    expect(log).toMatch(/iceServers issued TURN credentials/); // the function's log lines are in the capture
    expect(seen.length).toBeGreaterThanOrEqual(10);
    const debugLog = join(__dirname, '..', '..', 'firebase-debug.log');
    const everything = [JSON.stringify(seen), log, readIfPresent(debugLog)].join('\n');
    for (const secret of [SECRET, OLD_SECRET]) expect(everything).not.toContain(secret);
    // Credentials are bearer tokens for their lifetime: responses carry them, logs must not.
    const credentials = seen.flatMap(
      (item) => (item as Partial<IceServersResult>).iceServers?.map((server) => server.credential).filter(Boolean) ?? [],
    );
    expect(credentials.length).toBeGreaterThan(0);
    for (const credential of credentials) expect(log).not.toContain(credential);
  });
});

/** The firebase CLI's debug log exists only while it runs (and may be shared with another firebase process). */
function readIfPresent(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

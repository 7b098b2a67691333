/**
 * End to end: a user signed in on the Auth emulator calls the REAL iceServers callable on the
 * Functions emulator, and the TURN entry it returns allocates a relay on coturn started with
 * the local config (what `npm start` runs), over UDP and TCP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAndFetchIceServers, startEmulators, type RunningEmulators } from '../../scripts/emulators.mjs';
import { configs, randomSecret, startCoturn, type Coturn } from './coturn.js';
import { TurnClient } from './turnClient.js';

const secret = randomSecret();
const TTL = 600;
let coturn: Coturn;
let emulators: RunningEmulators | undefined;
let answer: Awaited<ReturnType<typeof signInAndFetchIceServers>>;
const clients: TurnClient[] = [];

beforeAll(async () => {
  coturn = await startCoturn({ config: configs.local, secrets: [secret] });
  emulators = await startEmulators({
    turnSecret: secret,
    turnHosts: ['127.0.0.1'],
    transports: [`udp:${coturn.port}`, `tcp:${coturn.port}`],
    ttlSeconds: TTL,
    // Below the hook timeout, so a slow start fails inside startEmulators, which then cleans up
    // (a hook timeout would leave the emulators running with nobody to stop them).
    readyTimeoutMs: 240_000,
  });
  console.log(`Auth + Functions emulators ready in ${(emulators.startupMs / 1000).toFixed(1)} s`);
  answer = await signInAndFetchIceServers({
    email: `turn-${Date.now()}@example.com`,
    password: 'correct-horse-battery',
    authUrl: emulators.authUrl,
    functionsUrl: emulators.functionsUrl,
  });
}, 420_000); // the emulators take 25-75 s to start on 2 idle cores, minutes when they are busy

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.allSettled([emulators?.stop(), coturn?.stop()]);
}, 60_000);

describe('credentials from the real iceServers callable', () => {
  it('name the signed-in user and expire after the configured TTL', () => {
    const turn = answer.iceServers.find((server) => server.username);
    expect(turn?.urls).toEqual([`turn:127.0.0.1:${coturn.port}?transport=udp`, `turn:127.0.0.1:${coturn.port}?transport=tcp`]);
    const [expiry, uid] = (turn?.username ?? '').split(':');
    expect(uid).toBe(answer.uid);
    expect(answer.expiresAt).toBe(Number(expiry) * 1000); // what the engine schedules its refresh on
    expect(Number(expiry)).toBeGreaterThan(Date.now() / 1000 + TTL - 120);
    expect(Number(expiry)).toBeLessThanOrEqual(Date.now() / 1000 + TTL + 1);
  });

  it.each(['udp', 'tcp'] as const)('allocate a relay on coturn over %s', async (transport) => {
    const turn = answer.iceServers.find((server) => server.urls.some((url) => url.endsWith(`transport=${transport}`)));
    if (!turn?.username || !turn.credential)
      throw new Error(`no TURN ${transport} entry with credentials in ${JSON.stringify(answer.iceServers.map((s) => s.urls))}`);
    const url = turn.urls.find((u) => u.endsWith(`transport=${transport}`))!;
    const [, host, port] = /^turn:([^:]+):(\d+)\?/.exec(url) ?? [];
    const c = await TurnClient.connect({ host: host!, port: Number(port), transport });
    clients.push(c);
    const outcome = await c.allocate({ username: turn.username, credential: turn.credential });
    if (!outcome.ok) throw new Error(`coturn refused the callable's credentials: ${outcome.code} ${outcome.reason}`);
    console.log(`callable credentials (${turn.username}) -> ${url}: relay ${outcome.value.relayed.address}:${outcome.value.relayed.port}`);
    expect(outcome.value.relayed.address).toBe('127.0.0.1');
    expect(outcome.value.relayed.port).toBeGreaterThanOrEqual(coturn.relayPorts.min);
    expect(outcome.value.relayed.port).toBeLessThanOrEqual(coturn.relayPorts.max);
  });
});

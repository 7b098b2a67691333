/**
 * TURN regions and health on the Auth, Functions and Firestore emulators: the deployed callable
 * orders its host groups for the caller, and a host that stops answering its probe leaves the
 * answers. The hosts are loopback addresses with a STUN responder each; the probe is the one the
 * scheduled function runs, writing the record to the Firestore emulator the callable reads.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createIceServersClient, startEmulators, type IceServersClient, type RunningEmulators } from '../../scripts/emulators.mjs';
import { firestoreEmulatorSetup } from '../../scripts/firestore-emulator.mjs';
import { firestoreHealthStore } from '../src/healthStore';
import { parseTransport } from '../src/iceServerList';
import { probeHosts } from '../src/probe';

const EUROPE = '127.0.0.1';
const AMERICAS = '127.0.0.2';
const ASIA = '127.0.0.3';
const HOSTS = [EUROPE, AMERICAS, ASIA];
const firestore = firestoreEmulatorSetup();

let emulators: RunningEmulators;
let client: IceServersClient;
let idToken: string;
let port: number;
const responders = new Map<string, Socket>();

/** A STUN responder on `host:port` that answers Binding requests, as coturn does. */
async function startResponder(host: string): Promise<void> {
  const socket = createSocket('udp4');
  socket.on('message', (message, from) => {
    const response = Buffer.from(message.subarray(0, 20));
    response.writeUInt16BE(0x0101, 0);
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => resolve());
  });
  responders.set(host, socket);
}

async function stopResponder(host: string): Promise<void> {
  const socket = responders.get(host);
  responders.delete(host);
  await new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
}

/** What the scheduled function does on each round: probe every host, write the record. */
async function probeRound(): Promise<void> {
  const record = await probeHosts({ hosts: HOSTS, transports: [parseTransport(`udp:${port}`)], timeoutMs: 1_000 });
  await firestoreHealthStore().write(record);
}

const turnHostsOf = (result: { iceServers: Array<{ urls: string[]; username?: string }> }) =>
  result.iceServers.filter((server) => server.username).map((server) => /^turns?:([^:]+):/.exec(server.urls[0]!)![1]);

describe.skipIf(firestore.problem !== null)('TURN regions and health on the emulators', () => {
  beforeAll(async () => {
    // One port free on all three loopback addresses: the first responder picks it.
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, EUROPE, () => resolve()));
    port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    for (const host of HOSTS) await startResponder(host);

    emulators = await startEmulators({
      turnSecret: 'emu-regions-secret-5e2a91c07b',
      turnHosts: [`europe=${EUROPE}`, `americas=${AMERICAS}`, `asia=${ASIA}`],
      transports: [`udp:${port}`],
      ratePerMinute: 1_000, // the waits below ask once a second
      withFirestore: true,
      env: firestore.env ?? {},
      preferConfiguredPorts: false,
      readyTimeoutMs: 400_000,
    });
    // The test writes the record as the scheduled function does, through the Admin SDK.
    process.env.FIRESTORE_EMULATOR_HOST = new URL(emulators.firestoreUrl!).host;
    process.env.GCLOUD_PROJECT = emulators.projectId;
    client = await createIceServersClient(emulators);
    idToken = await (await client.signUp(`agent-${Date.now()}@example.com`, 'correct-horse-battery')).getIdToken();
    await probeRound();
  }, 480_000);

  afterAll(async () => {
    await client?.close();
    await emulators?.stop();
    for (const host of [...responders.keys()]) await stopResponder(host);
  }, 30_000);

  it("lists the region of the caller's time zone first, and the nearest other region after it", async () => {
    expect(turnHostsOf(await client.call({ region: 'Europe/Berlin' }))).toEqual([EUROPE, ASIA]);
    expect(turnHostsOf(await client.call({ region: 'America/New_York' }))).toEqual([AMERICAS, EUROPE]);
    expect(turnHostsOf(await client.call({ region: 'americas' }))).toEqual([AMERICAS, EUROPE]);
  });

  it('falls back to the country header a load balancer sets, then to the configured order', async () => {
    const call = async (headers: Record<string, string>) => {
      const response = await fetch(emulators.iceServersUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${idToken}`, ...headers },
        body: JSON.stringify({ data: null }),
      });
      expect(response.status).toBe(200);
      return turnHostsOf(((await response.json()) as { result: { iceServers: Array<{ urls: string[]; username?: string }> } }).result);
    };
    expect(await call({ 'x-client-region': 'JP' })).toEqual([ASIA, EUROPE]);
    expect(await call({})).toEqual([EUROPE, AMERICAS]);
  });

  it("drops a host whose probe fails, within the callable's cache period, and takes it back once it answers", async () => {
    await stopResponder(EUROPE);
    await probeRound();
    await vi.waitFor(async () => expect(turnHostsOf(await client.call({ region: 'Europe/Berlin' }))).toEqual([ASIA, AMERICAS]), {
      timeout: 60_000,
      interval: 1_000,
    });

    await startResponder(EUROPE);
    await probeRound();
    await vi.waitFor(async () => expect(turnHostsOf(await client.call({ region: 'Europe/Berlin' }))).toEqual([EUROPE, ASIA]), {
      timeout: 60_000,
      interval: 1_000,
    });
  });
});

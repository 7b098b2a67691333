/**
 * coturn with the LOCAL config (what `npm start` runs) accepts exactly the credentials the
 * iceServers callable issues, and refuses expired, forged and tampered ones with 401.
 */
import { createSocket, type Socket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configs, randomSecret, restCredentials, startCoturn, type Coturn } from './coturn.js';
import { TurnClient } from './turnClient.js';

const current = randomSecret();
const previous = randomSecret();
const realNow = () => Date.now();
let coturn: Coturn;
const clients: TurnClient[] = [];

async function client(transport: 'udp' | 'tcp' = 'udp'): Promise<TurnClient> {
  const c = await TurnClient.connect({ host: '127.0.0.1', port: coturn.port, transport });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  // Rotation as deployed: the new secret first, the previous one still accepted.
  coturn = await startCoturn({ config: configs.local, secrets: [current, previous] });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await coturn?.stop();
});

describe('turn/start.sh', () => {
  it('prints the TURN URLs and never the secret', () => {
    expect(coturn.stdout).toContain(`turn:127.0.0.1:${coturn.port}?transport=udp`);
    expect(coturn.stdout).toContain(`turn:127.0.0.1:${coturn.port}?transport=tcp`);
    expect(coturn.stdout).not.toContain('turns:'); // the local config has no TLS
    const log = readFileSync(coturn.logFile, 'utf8');
    for (const secret of [current, previous]) {
      expect(coturn.stdout).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    // The secret lives only in start.sh's private config copy: owner read/write, nobody else.
    expect(statSync(`${coturn.pidFile}.conf`).mode & 0o777).toBe(0o600);
  });
});

describe('credentials made like the callable', () => {
  it.each(['udp', 'tcp'] as const)('allocate a relay over %s', async (transport) => {
    const creds = restCredentials({ secret: current, uid: 'alice', ttlSeconds: 3600, now: realNow });
    const c = await client(transport);
    const outcome = await c.allocate({ username: creds.username, credential: creds.credential });
    expect(outcome).toMatchObject({ ok: true });
    if (!outcome.ok) return;
    console.log(
      `TURN ${transport}: allocated relay ${outcome.value.relayed.address}:${outcome.value.relayed.port}, lifetime ${outcome.value.lifetime} s`,
    );
    expect(outcome.value.relayed.address).toBe('127.0.0.1');
    expect(outcome.value.relayed.port).toBeGreaterThanOrEqual(coturn.relayPorts.min);
    expect(outcome.value.relayed.port).toBeLessThanOrEqual(coturn.relayPorts.max);
    expect(await c.release()).toEqual({ ok: true, value: undefined });
  });

  it('relay media both ways to a peer on 127.0.0.1 (two browsers on one machine)', async () => {
    const creds = restCredentials({ secret: current, uid: 'bob', ttlSeconds: 600, now: realNow });
    const c = await client();
    const allocation = await c.allocate({ username: creds.username, credential: creds.credential });
    if (!allocation.ok) throw new Error(`allocate failed: ${allocation.code} ${allocation.reason}`);
    const peer: Socket = createSocket('udp4');
    try {
      await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
      const peerAddress = { address: '127.0.0.1', port: peer.address().port };
      const atPeer = new Promise<{ data: string; from: number }>((resolve) =>
        peer.once('message', (data, from) => resolve({ data: data.toString(), from: from.port })),
      );
      expect(await c.createPermission('127.0.0.1')).toEqual({ ok: true, value: undefined });
      c.send(peerAddress, Buffer.from('ping from the caller'));
      const received = await atPeer;
      expect(received).toEqual({ data: 'ping from the caller', from: allocation.value.relayed.port });
      peer.send('pong from the callee', allocation.value.relayed.port, '127.0.0.1');
      const back = await c.nextData(5_000);
      expect(back.data.toString()).toBe('pong from the callee');
      expect(back.peer).toEqual(peerAddress);
      console.log(`TURN local relay: client -> ${allocation.value.relayed.port} -> peer ${peerAddress.port} and back`);
    } finally {
      peer.close();
    }
  });

  it('still allocate when signed with the previous secret (rotation window)', async () => {
    const creds = restCredentials({ secret: previous, uid: 'carol', ttlSeconds: 600, now: realNow });
    const outcome = await (await client()).allocate({ username: creds.username, credential: creds.credential });
    expect(outcome.ok).toBe(true);
  });
});

describe("coturn's own client, turnutils_uclient, agrees", () => {
  function uclient(username: string, credential: string): Promise<{ code: number; output: string }> {
    // -y: two allocations on this server relay to each other (client-to-client through 127.0.0.1).
    const args = ['-y', '-n', '10', '-m', '1', '-l', '120', '-u', username, '-w', credential, '-p', String(coturn.port), '127.0.0.1'];
    return new Promise((resolve) =>
      execFile('turnutils_uclient', args, { timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      ),
    );
  }

  it('relays every message with callable-style credentials', async () => {
    const creds = restCredentials({ secret: current, uid: 'dave', ttlSeconds: 600, now: realNow });
    const { code, output } = await uclient(creds.username, creds.credential);
    const totals = /tot_send_msgs=(\d+), tot_recv_msgs=(\d+)\s*$/m.exec(output);
    const lost = /Total lost packets (\d+)/.exec(output);
    console.log(`turnutils_uclient: exit ${code}, sent ${totals?.[1]}, received ${totals?.[2]}, lost ${lost?.[1]}`);
    expect(code).toBe(0);
    expect(Number(totals?.[1])).toBeGreaterThan(0);
    expect(totals?.[2]).toBe(totals?.[1]);
    expect(lost?.[1]).toBe('0');
  });

  it('cannot allocate with a forged credential', async () => {
    const creds = restCredentials({ secret: randomSecret(), uid: 'mallory', ttlSeconds: 600, now: realNow });
    const { code, output } = await uclient(creds.username, creds.credential);
    expect(code).not.toBe(0);
    expect(output).toContain('Cannot complete Allocation');
  });
});

describe('refused credentials', () => {
  it('an expired username (clock injected 2 h back, TTL 1 h) gets 401', async () => {
    const twoHoursAgo = () => Date.now() - 2 * 3600_000;
    const creds = restCredentials({ secret: current, uid: 'alice', ttlSeconds: 3600, now: twoHoursAgo });
    expect(creds.expiresAt).toBeLessThan(Date.now() / 1000);
    const outcome = await (await client()).allocate({ username: creds.username, credential: creds.credential });
    console.log(`TURN expired credential (expired ${Math.round(Date.now() / 1000 - creds.expiresAt)} s ago): ${JSON.stringify(outcome)}`);
    expect(outcome).toMatchObject({ ok: false, code: 401 });
  });

  it('a credential signed with the wrong secret gets 401', async () => {
    const creds = restCredentials({ secret: randomSecret(), uid: 'mallory', ttlSeconds: 3600, now: realNow });
    const outcome = await (await client('tcp')).allocate({ username: creds.username, credential: creds.credential });
    console.log(`TURN forged credential: ${JSON.stringify(outcome)}`);
    expect(outcome).toMatchObject({ ok: false, code: 401 });
  });

  it('a valid credential reused with a longer expiry or another uid gets 401', async () => {
    const creds = restCredentials({ secret: current, uid: 'alice', ttlSeconds: 600, now: realNow });
    const [expiry] = creds.username.split(':');
    for (const username of [`${Number(expiry) + 86_400}:alice`, `${expiry}:mallory`]) {
      const outcome = await (await client()).allocate({ username, credential: creds.credential });
      expect(outcome, username).toMatchObject({ ok: false, code: 401 });
    }
  });
});

describe('the local config opens loopback only as far as the demo needs', () => {
  it.each(['127.0.0.2', '10.0.0.1', '169.254.169.254'])('%s stays refused (403)', async (peer) => {
    const creds = restCredentials({ secret: current, uid: 'alice', ttlSeconds: 600, now: realNow });
    const c = await client();
    expect((await c.allocate({ username: creds.username, credential: creds.credential })).ok).toBe(true);
    expect(await c.createPermission(peer)).toMatchObject({ ok: false, code: 403 });
  });
});

/**
 * TURN abuse against the PRODUCTION config, turn/turnserver.conf, used as is. The only changes
 * are command-line options for the test machine: listening addresses (127.0.0.1, ::1), ports,
 * relay range, no TLS (no certificate here), pid and log file; the secret is added by start.sh.
 * So every refusal below comes from the file itself.
 *
 * The client reaches coturn on loopback; that is the CLIENT address. What must be refused is a
 * PEER address: where the relay would send on the client's behalf.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandLine,
  configs,
  freePort,
  isRunning,
  randomRelayRange,
  randomSecret,
  restCredentials,
  startCoturn,
  type Coturn,
} from './coturn.js';
import { TurnClient, type TurnOutcome } from './turnClient.js';

const secret = randomSecret();
let coturn: Coturn;
const clients: TurnClient[] = [];
const figures: string[] = [];

/** A client holding a fresh relay of the given family (IPv6 relays need a client on ::1). */
async function allocated(family: 4 | 6, server: Coturn = coturn): Promise<TurnClient> {
  const host = family === 4 ? '127.0.0.1' : '::1';
  const c = await TurnClient.connect({ host, port: server.port, transport: 'udp' });
  clients.push(c);
  const creds = restCredentials({ secret, uid: 'attacker', ttlSeconds: 600, now: () => Date.now() });
  const outcome = await c.allocate({ username: creds.username, credential: creds.credential }, family);
  if (!outcome.ok) throw new Error(`could not allocate an IPv${family} relay: ${outcome.code} ${outcome.reason}`);
  expect(outcome.value.relayed.address).toBe(family === 4 ? '127.0.0.1' : '0:0:0:0:0:0:0:1');
  return c;
}

function show(outcome: TurnOutcome<void>): string {
  return outcome.ok ? '200 OK' : `${outcome.code} ${outcome.reason}`;
}

beforeAll(async () => {
  coturn = await startCoturn({ config: configs.production, secrets: [secret], listenIps: ['127.0.0.1', '::1'] });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await coturn?.stop();
  if (figures.length) console.log(`TURN abuse, production config:\n  ${figures.join('\n  ')}`);
});

describe('the test runs the production file itself', () => {
  it('passes no peer, loopback or auth rule on the command line', () => {
    const args = commandLine(coturn.pid);
    console.log(`turnserver ${args.slice(1).join(' ')}`);
    expect(args.filter((arg) => arg.startsWith('-') && /peer|loopback|secret|user|realm|quota|cli|bps/.test(arg))).toEqual([]);
    // coturn echoes the ranges it loaded: these come from turn/turnserver.conf.
    const log = readFileSync(coturn.logFile, 'utf8');
    expect(log).toContain('Black listing: 169.254.0.0-169.254.255.255');
    expect(log).toContain('Black listing: ::ffff:0.0.0.0-::ffff:255.255.255.255');
    expect(log).not.toContain('White listing');
    expect(log).not.toMatch(/allow_loopback_peers/i);
  });
});

describe('relaying into private, loopback, metadata and multicast addresses is refused (403)', () => {
  const v4 = ['127.0.0.1', '10.0.0.1', '172.16.0.1', '192.168.1.1', '100.64.0.1', '169.254.169.254', '224.0.0.1'];
  const v6 = ['::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254', 'fc00::1', 'fe80::1', 'ff02::1'];

  it.each([...v4.map((peer) => [4, peer] as const), ...v6.map((peer) => [6, peer] as const)])('IPv%i relay -> %s', async (family, peer) => {
    const c = await allocated(family);
    const permission = await c.createPermission(peer);
    // ChannelBind is the other way to make the relay send; channel numbers 0x4000-0x7FFF.
    const channel = await c.channelBind({ address: peer, port: 80 }, 0x4000);
    figures.push(`${peer.padEnd(24)} CreatePermission: ${show(permission).padEnd(16)} ChannelBind: ${show(channel)}`);
    expect(permission).toMatchObject({ ok: false, code: 403 });
    expect(channel).toMatchObject({ ok: false, code: 403 });
  });

  // Controls: the same client, relay and requests are accepted for a public address, so the
  // 403s above are the deny list at work, not a broken request.
  it.each([
    [4, '203.0.113.7'],
    [6, '2001:db8::7'],
  ] as const)('IPv%i relay -> public %s is allowed (control)', async (family, peer) => {
    const c = await allocated(family);
    const permission = await c.createPermission(peer);
    const channel = await c.channelBind({ address: peer, port: 80 }, 0x4001);
    figures.push(`${peer.padEnd(24)} CreatePermission: ${show(permission).padEnd(16)} ChannelBind: ${show(channel)}   (control)`);
    expect(permission).toEqual({ ok: true, value: undefined });
    expect(channel).toEqual({ ok: true, value: undefined });
  });
});

describe('credentials the production config refuses (401)', () => {
  it.each([
    ['expired (clock 2 h back, TTL 1 h)', secret, () => Date.now() - 2 * 3600_000],
    ['forged (wrong secret)', randomSecret(), () => Date.now()],
  ] as const)('%s', async (what, signingSecret, now) => {
    const creds = restCredentials({ secret: signingSecret, uid: 'attacker', ttlSeconds: 3600, now });
    const c = await TurnClient.connect({ host: '127.0.0.1', port: coturn.port, transport: 'udp' });
    clients.push(c);
    const outcome = await c.allocate({ username: creds.username, credential: creds.credential });
    figures.push(`${what.padEnd(34)} Allocate: ${outcome.ok ? '200 OK' : `${outcome.code} ${outcome.reason}`}`);
    expect(outcome).toMatchObject({ ok: false, code: 401 });
  });
});

describe('the IPv4-mapped range is what stops ::ffff:127.0.0.1 (CVE-2026-27624)', () => {
  it('without that one line, coturn 4.6.1 grants a permission to ::ffff:127.0.0.1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firecall-turn-cve-'));
    const mappedRange = 'denied-peer-ip=::ffff:0.0.0.0-::ffff:255.255.255.255';
    const production = readFileSync(configs.production, 'utf8');
    expect(production.split('\n')).toContain(mappedRange);
    const weakened = join(dir, 'without-mapped-range.conf');
    writeFileSync(
      weakened,
      production
        .split('\n')
        .filter((line) => line !== mappedRange)
        .join('\n'),
    );
    let weak: Coturn | undefined;
    try {
      weak = await startCoturn({ config: weakened, secrets: [secret], listenIps: ['127.0.0.1', '::1'] });
      const c = await allocated(6, weak);
      const permission = await c.createPermission('::ffff:127.0.0.1');
      figures.push(`${'::ffff:127.0.0.1'.padEnd(24)} CreatePermission: ${show(permission)}   (config WITHOUT the ::ffff range)`);
      expect(permission).toEqual({ ok: true, value: undefined });
    } finally {
      await weak?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a host where the secret was forgotten', () => {
  it('refuses every credential (401): the production file fails closed', async () => {
    // Started without start.sh, which would refuse to run without a secret.
    const dir = mkdtempSync(join(tmpdir(), 'firecall-turn-nosecret-'));
    const log = join(dir, 'turnserver.log');
    const port = await freePort(['127.0.0.1']);
    const relay = randomRelayRange();
    const child = spawn(
      'turnserver',
      [
        '-c',
        configs.production,
        '-L',
        '127.0.0.1',
        '-p',
        String(port),
        '--no-tls',
        '--no-dtls',
        '--min-port',
        String(relay.min),
        '--max-port',
        String(relay.max),
        '--pidfile',
        join(dir, 'pid'),
        '--log-file',
        log,
        '--simple-log',
        '--no-stdout-log',
      ],
      { stdio: 'ignore' },
    );
    try {
      for (let i = 0; i < 100 && !readFileSafe(log).includes('Relay ports initialization done'); i++)
        await new Promise((r) => setTimeout(r, 100));
      const c = await TurnClient.connect({ host: '127.0.0.1', port, transport: 'udp' });
      clients.push(c);
      const creds = restCredentials({ secret: randomSecret(), uid: 'anyone', ttlSeconds: 600, now: () => Date.now() });
      const outcome = await c.allocate({ username: creds.username, credential: creds.credential });
      figures.push(`${'no static-auth-secret'.padEnd(34)} Allocate: ${outcome.ok ? '200 OK' : `${outcome.code} ${outcome.reason}`}`);
      expect(outcome).toMatchObject({ ok: false, code: 401 });
    } finally {
      if (child.pid && isRunning(child.pid)) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * TURNS with the PRODUCTION config's TLS settings (no-tlsv1, no-tlsv1_1, cipher-list), on a free
 * port instead of 443 and with a test certificate instead of the host's real one (both command-line
 * overrides). What this cannot show: that browsers accept the deployed certificate on 443; Chromium
 * refuses self-signed TURNS certificates, so that needs a publicly trusted one on the real host.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configs, randomSecret, restCredentials, startCoturn, type Coturn } from './coturn.js';
import { TurnClient } from './turnClient.js';

const secret = randomSecret();
const dir = mkdtempSync(join(tmpdir(), 'firecall-turn-tls-'));
const cert = join(dir, 'cert.pem');
const key = join(dir, 'key.pem');
let coturn: Coturn;
let ca: Buffer;
const clients: TurnClient[] = [];

/** Outcome of a bare TLS handshake with coturn's TLS port. */
function handshake(options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: coturn.tlsPort, ca, ...options });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('no handshake within 3 s');
    }, 3_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(`connected ${socket.getProtocol()} ${socket.getCipher().name}`);
      socket.destroy();
    });
    socket.once('error', (error: Error & { code?: string }) => {
      clearTimeout(timer);
      resolve(`refused: ${error.code ?? error.message}`);
    });
  });
}

beforeAll(async () => {
  // A certificate for 127.0.0.1 that this test trusts explicitly (like a test CA in a profile).
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=firecall-turn-test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  ca = readFileSync(cert);
  coturn = await startCoturn({ config: configs.production, secrets: [secret], tls: { cert, key } });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await coturn?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('TURNS with the production TLS settings', () => {
  it('start.sh prints the turns: URL', () => {
    expect(coturn.stdout).toContain(`turns:127.0.0.1:${coturn.tlsPort}?transport=tcp`);
  });

  it('a browser-like client (TLS 1.2-1.3 offered, certificate verified) allocates a relay', async () => {
    const c = await TurnClient.connect({ host: '127.0.0.1', port: coturn.tlsPort!, transport: 'tls', tls: { ca } });
    clients.push(c);
    const creds = restCredentials({ secret, uid: 'alice', ttlSeconds: 600, now: () => Date.now() });
    const outcome = await c.allocate({ username: creds.username, credential: creds.credential });
    if (!outcome.ok) throw new Error(`allocate over TLS failed: ${outcome.code} ${outcome.reason}`);
    console.log(`TURNS: relay ${outcome.value.relayed.address}:${outcome.value.relayed.port} over ${await handshake({})}`);
    expect(outcome.value.relayed.address).toBe('127.0.0.1');
  });

  it('also answers plain TURN over TCP on the TLS port (turn:host:443?transport=tcp)', async () => {
    const c = await TurnClient.connect({ host: '127.0.0.1', port: coturn.tlsPort!, transport: 'tcp' });
    clients.push(c);
    const creds = restCredentials({ secret, uid: 'bob', ttlSeconds: 600, now: () => Date.now() });
    const outcome = await c.allocate({ username: creds.username, credential: creds.credential });
    expect(outcome).toMatchObject({ ok: true });
  });

  // Measured: with the file's no-tlsv1/no-tlsv1_1 coturn does not even answer such a hello; without
  // them, OpenSSL 3 with the file's cipher-list still refuses (alert 40). Either way: no session.
  // coturn 4.6.1 has no TLS 1.3 (4.6.2 adds it): a client offering 1.2-1.3 gets 1.2 (test above),
  // a 1.3-only client is refused; printed, not asserted, as it is coturn's limit, not our choice.
  it('gives clients held to TLS 1.0 or 1.1 no session', async () => {
    const old = { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
    const results = {
      'TLS 1.0': await handshake({ ...old, maxVersion: 'TLSv1' }),
      'TLS 1.1': await handshake({ ...old, maxVersion: 'TLSv1.1' }),
      'TLS 1.2 (control, same client options)': await handshake({ ...old, maxVersion: 'TLSv1.2' }),
      'TLS 1.3 only': await handshake({ minVersion: 'TLSv1.3' }),
    };
    console.log(
      `TURNS handshakes:\n${Object.entries(results)
        .map(([k, v]) => `  ${k.padEnd(40)} ${v}`)
        .join('\n')}`,
    );
    expect(results['TLS 1.0']).not.toMatch(/^connected/);
    expect(results['TLS 1.1']).not.toMatch(/^connected/);
    expect(results['TLS 1.2 (control, same client options)']).toMatch(/^connected TLSv1\.2 ECDHE-ECDSA-AES\d+-GCM-SHA\d+/);
  });
});

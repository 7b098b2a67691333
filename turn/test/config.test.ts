/**
 * The two config files stay in step: the local one differs from production only in the options
 * single-machine testing needs, and no peer rule is written in a form coturn 4.6.1 ignores.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configs } from './coturn.js';

/** Option lines (comments and blanks dropped), as coturn reads them. */
function options(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

describe('turnserver.local.conf', () => {
  it('differs from turnserver.conf only where a single machine needs it', () => {
    const production = options(configs.production);
    const local = options(configs.local);
    expect(production.filter((line) => !local.includes(line))).toEqual([
      'tls-listening-port=443',
      'cert=/etc/coturn/tls/fullchain.pem',
      'pkey=/etc/coturn/tls/privkey.pem',
    ]);
    expect(local.filter((line) => !production.includes(line))).toEqual(['no-tls', 'allow-loopback-peers', 'allowed-peer-ip=127.0.0.1']);
  });
});

describe.each(Object.entries(configs))('turnserver %s config', (_name, path) => {
  const lines = options(path);

  it('writes every peer rule as an IP or START-END range (coturn ignores CIDR silently)', () => {
    const rules = lines.filter((line) => /^(denied|allowed)-peer-ip/.test(line));
    expect(rules.length).toBeGreaterThan(10);
    for (const rule of rules) expect(rule, rule).toMatch(/^(denied|allowed)-peer-ip=[0-9a-f.:]+(-[0-9a-f.:]+)?$/);
  });

  it('denies the ranges the relay must never reach', () => {
    for (const range of [
      '0.0.0.0-0.255.255.255',
      '127.0.0.0-127.255.255.255',
      '10.0.0.0-10.255.255.255',
      '172.16.0.0-172.31.255.255',
      '192.168.0.0-192.168.255.255',
      '100.64.0.0-100.127.255.255',
      '169.254.0.0-169.254.255.255',
      '224.0.0.0-239.255.255.255',
      '240.0.0.0-255.255.255.255',
      '::1-::ffff:ffff',
      '::ffff:0.0.0.0-::ffff:255.255.255.255',
      'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      'ff00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]) {
      expect(lines).toContain(`denied-peer-ip=${range}`);
    }
  });

  it('keeps auth, the hardening switches and the quotas', () => {
    for (const option of [
      'use-auth-secret',
      'fingerprint',
      'no-cli',
      'no-multicast-peers',
      'no-tlsv1',
      'no-tlsv1_1',
      'no-tcp-relay',
      'no-software-attribute',
    ]) {
      expect(lines).toContain(option);
    }
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^realm=\S+/), expect.stringMatching(/^stale-nonce=\d+$/)]));
    for (const quota of ['user-quota', 'total-quota', 'max-bps']) {
      expect(
        lines.find((line) => line.startsWith(`${quota}=`)),
        quota,
      ).toMatch(/=[1-9]\d*$/);
    }
    // No secret in a file that lives in git; no line coturn would let override start.sh's log/listen options.
    expect(lines.filter((line) => /^(static-auth-secret|listening-ip|log-file|syslog|cli-password)\b/.test(line))).toEqual([]);
  });
});

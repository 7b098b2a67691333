import { describe, expect, it } from 'vitest';
import { buildIceServers, normalizeTurnHost, parseTransport, turnUrl } from './iceServerList';

const credentials = { username: '1700000000:alice', credential: 'c2lnbmVk' };

describe('TURN URLs', () => {
  it('builds the three default URLs per host: UDP, TCP, then TURNS on 443', () => {
    const transports = ['udp:3478', 'tcp:3478', 'tls:443'].map(parseTransport);
    expect(transports.map((transport) => turnUrl('turn.example.com', transport))).toEqual([
      'turn:turn.example.com:3478?transport=udp',
      'turn:turn.example.com:3478?transport=tcp',
      'turns:turn.example.com:443?transport=tcp',
    ]);
  });

  it('supports plain TURN over TCP on 443 for networks that only open 443', () => {
    expect(turnUrl('turn.example.com', parseTransport('tcp:443'))).toBe('turn:turn.example.com:443?transport=tcp');
  });

  it('rejects transports that are not udp/tcp/tls with a port', () => {
    for (const bad of ['udp', 'sctp:3478', 'udp:0', 'udp:70000', 'tls:443x', '']) {
      expect(() => parseTransport(bad)).toThrow(/not of the form udp:PORT/);
    }
  });

  it('accepts host names and IPs, brackets IPv6, refuses URLs and ports', () => {
    expect(normalizeTurnHost(' TURN.Example.com ')).toBe('turn.example.com');
    expect(normalizeTurnHost('203.0.113.7')).toBe('203.0.113.7');
    expect(normalizeTurnHost('2001:db8::1')).toBe('[2001:db8::1]');
    expect(normalizeTurnHost('[2001:db8::1]')).toBe('[2001:db8::1]');
    for (const bad of ['turn:turn.example.com', 'turn.example.com:3478x', 'https://x', 'a b', '-bad.example', '']) {
      expect(() => normalizeTurnHost(bad)).toThrow(/is not a host name or IP address/);
    }
  });
});

describe('buildIceServers', () => {
  it('puts STUN first, then one credentialed TURN entry per host in transport order', () => {
    const servers = buildIceServers({
      stunUrls: ['stun:turn-a.example.com:3478'],
      turnHosts: ['turn-a.example.com', 'turn-b.example.com'],
      transports: [parseTransport('udp:3478'), parseTransport('tls:443')],
      credentials,
    });
    expect(servers).toEqual([
      { urls: ['stun:turn-a.example.com:3478'] },
      { urls: ['turn:turn-a.example.com:3478?transport=udp', 'turns:turn-a.example.com:443?transport=tcp'], ...credentials },
      { urls: ['turn:turn-b.example.com:3478?transport=udp', 'turns:turn-b.example.com:443?transport=tcp'], ...credentials },
    ]);
  });

  it('omits the STUN entry when there are no STUN URLs', () => {
    const servers = buildIceServers({ stunUrls: [], turnHosts: ['t.example.com'], transports: [parseTransport('udp:3478')], credentials });
    expect(servers).toHaveLength(1);
    expect(servers[0]?.username).toBe(credentials.username);
  });
});

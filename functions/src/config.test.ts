import { describe, expect, it } from 'vitest';
import { IceConfigError, readIceConfig, type RawIceParams } from './config';

const SECRET = 'config-secret-0123456789';
const valid: RawIceParams = {
  turnSecret: SECRET,
  turnHosts: ['turn.example.com'],
  stunUrls: [],
  transports: ['udp:3478', 'tcp:3478', 'tls:443'],
  ttlSeconds: 3600,
  ratePerMinute: 30,
};

function problemsOf(raw: Partial<RawIceParams>): string[] {
  try {
    readIceConfig({ ...valid, ...raw });
  } catch (error) {
    expect(error).toBeInstanceOf(IceConfigError);
    return (error as IceConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('readIceConfig', () => {
  it('reads valid params, deriving STUN from the TURN hosts and their UDP port', () => {
    const config = readIceConfig({ ...valid, turnHosts: ['turn-a.example.com', ' '], transports: ['tcp:443', 'udp:3479'] });
    expect(config.turnHosts).toEqual(['turn-a.example.com']);
    expect(config.stunUrls).toEqual(['stun:turn-a.example.com:3479']);
    expect(config.transports).toEqual([
      { kind: 'tcp', port: 443 },
      { kind: 'udp', port: 3479 },
    ]);
    expect(config.maxTtlSeconds).toBe(3600);
    expect(config.ratePerMinute).toBe(30);
  });

  it('keeps explicit STUN URLs and the rotation order of secrets', () => {
    const config = readIceConfig({ ...valid, stunUrls: ['stun:stun.example.com:3478'], turnSecret: `${SECRET},older-secret-0123456` });
    expect(config.stunUrls).toEqual(['stun:stun.example.com:3478']);
    expect(config.secrets).toEqual([SECRET, 'older-secret-0123456']);
  });

  it('names every missing or bad param with what to do', () => {
    expect(problemsOf({ turnSecret: '' })).toEqual([expect.stringMatching(/TURN_SECRET is empty: set it/)]);
    expect(problemsOf({ turnHosts: [] })).toEqual([expect.stringMatching(/TURN_HOSTS is empty/)]);
    expect(problemsOf({ transports: [''] })).toEqual([expect.stringMatching(/TURN_TRANSPORTS is empty/)]);
    expect(problemsOf({ transports: ['quic:443'] })).toEqual([expect.stringMatching(/"quic:443" is not of the form/)]);
    expect(problemsOf({ stunUrls: ['http://stun'] })).toEqual([expect.stringMatching(/STUN_URLS entry "http:\/\/stun"/)]);
    expect(problemsOf({ ttlSeconds: 59 })).toEqual([expect.stringMatching(/TURN_TTL_SECONDS must be an integer from 60 to 86400, got 59/)]);
    expect(problemsOf({ ttlSeconds: 86_401 })).toHaveLength(1);
    expect(problemsOf({ ratePerMinute: 0 })).toEqual([expect.stringMatching(/ICE_SERVERS_PER_MINUTE must be an integer/)]);
    expect(problemsOf({ turnHosts: ['https://turn'], ratePerMinute: 1.5 })).toHaveLength(2);
  });

  it('refuses a short secret without repeating it', () => {
    const problems = problemsOf({ turnSecret: `${SECRET},short-pass` });
    expect(problems).toEqual([expect.stringMatching(/at least 16 characters/)]);
    expect(problems.join(' ')).not.toContain('short-pass');
  });
});

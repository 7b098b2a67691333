import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyTurnCredentials } from './credentials';

// The deployed wiring: params read from the environment the Functions runtime provides,
// logs written by firebase-functions' logger (which keeps the console methods it finds at load).
const SECRET = 'wiring-secret-0123456789';
const OLD_SECRET = 'wiring-old-secret-0123';
const env = {
  TURN_SECRET: `${SECRET},${OLD_SECRET}`,
  TURN_HOSTS: JSON.stringify(['turn.example.com']),
  STUN_URLS: JSON.stringify([]),
  TURN_TRANSPORTS: JSON.stringify(['udp:3478', 'tcp:443']),
  TURN_TTL_SECONDS: '600',
  ICE_SERVERS_PER_MINUTE: '30',
};
const alice = { auth: { uid: 'alice', token: {}, rawToken: 't' }, data: null } as never;

describe('iceServers (deployed wiring)', () => {
  const saved = { ...process.env };
  const logged: string[] = [];
  beforeEach(() => {
    Object.assign(process.env, env);
    for (const method of ['debug', 'info', 'log', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    }
  });
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  it('reads the params, issues credentials, and logs neither secret nor credential', async () => {
    const { iceServers } = await import('./index');
    const before = Date.now();
    const response = await iceServers.run(alice);
    expect(response.ttlSeconds).toBe(600);
    expect(response.iceServers).toEqual([
      { urls: ['stun:turn.example.com:3478'] },
      {
        urls: ['turn:turn.example.com:3478?transport=udp', 'turn:turn.example.com:443?transport=tcp'],
        username: expect.stringMatching(/^\d+:alice$/),
        credential: expect.any(String),
      },
    ]);
    const turn = response.iceServers[1]!;
    const expiry = Number(turn.username!.split(':')[0]);
    expect(expiry).toBeGreaterThanOrEqual(Math.floor(before / 1000) + 600);
    expect(expiry).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);
    expect(response.expiresAt).toBe(expiry * 1000);
    expect(verifyTurnCredentials([SECRET], turn.username!, turn.credential!, Date.now())).toBe('valid');

    process.env.TURN_HOSTS = '[]';
    process.env.TURN_SECRET = `${SECRET},short`;
    await expect(iceServers.run(alice)).rejects.toMatchObject({ code: 'failed-precondition' });

    const log = logged.join('\n');
    expect(log).toMatch(/iceServers issued TURN credentials/);
    expect(logged.find((line) => line.includes('iceServers is misconfigured'))).toMatch(/TURN_HOSTS is empty/);
    for (const secret of [SECRET, OLD_SECRET, 'short', turn.credential!]) expect(log).not.toContain(secret);
  });
});

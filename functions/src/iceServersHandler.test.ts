import { HttpsError } from 'firebase-functions/v2/https';
import { describe, expect, it } from 'vitest';
import { readIceConfig, type RawIceParams } from './config';
import { verifyTurnCredentials } from './credentials';
import { createIceServersHandler, type IceLogger } from './iceServersHandler';

const SECRET = 'handler-secret-5f1c2a9e7d';
const OLD_SECRET = 'handler-old-secret-83b0c4';
const T0 = 1_700_000_000_500; // epoch ms, half a second past a whole second

const params: RawIceParams = {
  turnSecret: `${SECRET},${OLD_SECRET}`,
  turnHosts: ['turn-a.example.com', 'turn-b.example.com'],
  stunUrls: [],
  transports: ['udp:3478', 'tcp:3478', 'tls:443'],
  ttlSeconds: 3600,
  ratePerMinute: 3,
};

/** Records every log call as the JSON a log sink would store. */
function capturingLogger() {
  const lines: string[] = [];
  const record = (severity: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(JSON.stringify({ severity, message, ...fields }));
  const logger: IceLogger = { info: record('INFO'), warn: record('WARNING'), error: record('ERROR') };
  return { logger, lines };
}

function setup(overrides: Partial<RawIceParams> = {}) {
  const time = { now: T0 };
  const { logger, lines } = capturingLogger();
  const handler = createIceServersHandler({ readConfig: () => readIceConfig({ ...params, ...overrides }), clock: () => time.now, logger });
  const asUser = (uid: string, data: unknown = null) => handler({ auth: { uid, token: {} as never, rawToken: 'token' }, data });
  return { handler, asUser, time, lines };
}

async function refusal(promise: Promise<unknown>): Promise<HttpsError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(HttpsError);
  return error as HttpsError;
}

describe('iceServers handler', () => {
  it('issues STUN and TURN servers for every host, with credentials expiring after the TTL', async () => {
    const { asUser } = setup();
    const response = await asUser('alice');
    const expiresAtSeconds = 1_700_000_000 + 3600;
    expect(response.ttlSeconds).toBe(3600);
    expect(response.expiresAt).toBe(expiresAtSeconds * 1000);
    expect(response.iceServers.map((server) => server.urls)).toEqual([
      ['stun:turn-a.example.com:3478', 'stun:turn-b.example.com:3478'],
      [
        'turn:turn-a.example.com:3478?transport=udp',
        'turn:turn-a.example.com:3478?transport=tcp',
        'turns:turn-a.example.com:443?transport=tcp',
      ],
      [
        'turn:turn-b.example.com:3478?transport=udp',
        'turn:turn-b.example.com:3478?transport=tcp',
        'turns:turn-b.example.com:443?transport=tcp',
      ],
    ]);
    const turn = response.iceServers[1]!;
    expect(turn.username).toBe(`${expiresAtSeconds}:alice`);
    // coturn with the current secret accepts it until expiry, then refuses it.
    expect(verifyTurnCredentials([SECRET], turn.username!, turn.credential!, T0)).toBe('valid');
    expect(verifyTurnCredentials([SECRET], turn.username!, turn.credential!, expiresAtSeconds * 1000)).toBe('expired');
  });

  it('signs with the first secret of the rotation list', async () => {
    const { asUser } = setup();
    const turn = (await asUser('alice')).iceServers[1]!;
    expect(verifyTurnCredentials([SECRET], turn.username!, turn.credential!, T0)).toBe('valid');
    expect(verifyTurnCredentials([OLD_SECRET], turn.username!, turn.credential!, T0)).toBe('forged');
  });

  it('honours a shorter requested TTL and follows the injected clock', async () => {
    const { asUser, time } = setup();
    time.now = T0 + 90_000;
    const response = await asUser('alice', { ttlSeconds: 120 });
    expect(response).toMatchObject({ ttlSeconds: 120, expiresAt: (1_700_000_090 + 120) * 1000 });
    expect(response.iceServers[1]!.username).toBe(`${1_700_000_090 + 120}:alice`);
  });

  it('refuses callers who are not signed in', async () => {
    const { handler } = setup();
    const error = await refusal(handler({ data: null }));
    expect(error.code).toBe('unauthenticated');
    expect(error.message).toMatch(/sign in first/);
  });

  it('refuses malformed arguments with invalid-argument', async () => {
    const { asUser } = setup();
    expect((await refusal(asUser('alice', { ttlSeconds: 99_999 }))).code).toBe('invalid-argument');
    expect((await refusal(asUser('alice', 'give me servers'))).code).toBe('invalid-argument');
  });

  it('limits each user to the configured rate per minute, then lets them in again', async () => {
    const { asUser, time } = setup();
    for (let i = 0; i < 3; i++) await asUser('alice');
    const error = await refusal(asUser('alice'));
    expect(error.code).toBe('resource-exhausted');
    expect(error.message).toMatch(/more than 3 requests in a minute; retry in 60 s/);
    expect(error.details).toEqual({ retryAfterSeconds: 60 });
    await expect(asUser('bob')).resolves.toBeDefined(); // other users are not hurt
    time.now += 60_000;
    await expect(asUser('alice')).resolves.toBeDefined();
  });

  it('reports a misconfigured server as failed-precondition and logs what to fix', async () => {
    const { asUser, lines } = setup({ turnHosts: [] });
    const error = await refusal(asUser('alice'));
    expect(error.code).toBe('failed-precondition');
    expect(error.message).toMatch(/TURN relay is not configured/);
    expect(lines.join('\n')).toMatch(/TURN_HOSTS is empty/);
  });

  it('never puts a secret in a response, an error or a log line', async () => {
    const { asUser, handler, lines } = setup({ ratePerMinute: 2 });
    const seen: unknown[] = [];
    seen.push(await asUser('alice'), await asUser('alice', { ttlSeconds: 60 }));
    seen.push(await refusal(asUser('alice')), await refusal(asUser('alice', { secret: true })), await refusal(handler({ data: null })));
    const misconfigured = setup({ turnSecret: `${SECRET},too-short`, ratePerMinute: 0 });
    seen.push(await refusal(misconfigured.asUser('alice')));

    const visible = [...seen.map((item) => JSON.stringify(item, Object.getOwnPropertyNames(item))), ...lines, ...misconfigured.lines].join(
      '\n',
    );
    expect(lines.length).toBeGreaterThan(0);
    expect(visible).toContain('alice'); // the capture did see the traffic
    for (const secret of [SECRET, OLD_SECRET, 'too-short']) expect(visible).not.toContain(secret);
    // The credential is a bearer token for the TTL: responses carry it, logs must not.
    const credential = (seen[0] as { iceServers: { credential?: string }[] }).iceServers[1]!.credential!;
    expect([...lines, ...misconfigured.lines].join('\n')).not.toContain(credential);
  });

  it("lists the caller's nearest region first, one fallback region, and no host marked down", async () => {
    const time = { now: T0 };
    const down = new Set<string>();
    const handler = createIceServersHandler({
      readConfig: () =>
        readIceConfig({
          ...params,
          turnHosts: ['europe=fra-1.example.com', 'europe=fra-2.example.com', 'americas=iad.example.com', 'asia=sin.example.com'],
          ratePerMinute: 100,
        }),
      clock: () => time.now,
      logger: capturingLogger().logger,
      health: { downHosts: async () => down },
    });
    const hosts = async (data: unknown, headers: Record<string, string> = {}) => {
      const response = await handler({ auth: { uid: 'ana', token: {} as never, rawToken: 't' }, data, rawRequest: { headers } });
      return {
        stun: response.iceServers[0]!.urls,
        turn: response.iceServers.slice(1).map((server) => new URL(server.urls[0]!.replace(/^turn:/, 'turn://')).hostname),
      };
    };
    expect(await hosts({ region: 'America/Chicago' })).toEqual({
      stun: ['stun:iad.example.com:3478', 'stun:fra-1.example.com:3478', 'stun:fra-2.example.com:3478'],
      turn: ['iad.example.com', 'fra-1.example.com', 'fra-2.example.com'],
    });
    expect((await hosts(null, { 'x-appengine-country': 'SG' })).turn).toEqual([
      'sin.example.com',
      'fra-1.example.com',
      'fra-2.example.com',
    ]);
    expect((await hosts(null)).turn).toEqual(['fra-1.example.com', 'fra-2.example.com', 'iad.example.com']);
    down.add('iad.example.com');
    expect((await hosts({ region: 'America/Chicago' })).turn).toEqual(['fra-1.example.com', 'fra-2.example.com', 'sin.example.com']);
    down.add('fra-1.example.com').add('fra-2.example.com').add('sin.example.com');
    expect((await hosts({ region: 'America/Chicago' })).turn).toEqual(['iad.example.com', 'fra-1.example.com', 'fra-2.example.com']);
  });

  it('refuses a region hint that is not a name or time zone', async () => {
    const { asUser } = setup();
    expect((await refusal(asUser('alice', { region: '<script>' }))).code).toBe('invalid-argument');
    expect((await refusal(asUser('alice', { region: 42 }))).message).toMatch(
      /region must be a region name or time zone like "europe" or "Europe\/Berlin", got 42/,
    );
  });
});

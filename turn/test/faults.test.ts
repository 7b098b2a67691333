/**
 * TURN faults mid-call (a relay killed, credentials expiring): two real WebRTC peers (@roamhq/wrtc) forced
 * onto the relay (iceTransportPolicy 'relay'), real coturn on loopback started by turn/start.sh
 * with the local config, and credentials signed exactly as the iceServers callable signs them.
 * The faults without TURN (peer killed, signaling offline) are in app/src/call/faults.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPhones, inboundBytes, nextIncoming, reach, sleep } from '../../app/src/call/testing/wrtc';
import type { CallSessionApi, IceServerProvider } from '../../app/src/call/types';
import { configs, isRunning, randomSecret, restCredentials, startCoturn, startScript, type Coturn } from './coturn.js';
import { TurnClient } from './turnClient.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function coturn(secret: string): Promise<Coturn> {
  const server = await startCoturn({ config: configs.local, secrets: [secret] });
  cleanup.push(() => server.stop());
  return server;
}

/**
 * The iceServers callable's answer for these coturns: one TURN UDP URL each, credentials with
 * `ttlSeconds`, and the engine is told that lifetime.
 */
function provider(secret: string, servers: () => Coturn[], ttlSeconds: number) {
  const issued: { username: string; credential: string; expiresAt: number }[] = [];
  const get: IceServerProvider = async () => {
    const creds = restCredentials({ secret, uid: 'alice', ttlSeconds, now: () => Date.now() });
    issued.push(creds);
    return {
      iceServers: servers().map((s) => ({
        urls: `turn:127.0.0.1:${s.port}?transport=udp`,
        username: creds.username,
        credential: creds.credential,
      })),
      expiresAt: creds.expiresAt * 1000,
    };
  };
  return { get, issued };
}

async function relayedCall(iceServers: IceServerProvider, timeouts: Record<string, number> = {}) {
  // DEBUG_FAULTS=1 prints the engine logs with times (ms), to see where a gap comes from.
  const debug = process.env.DEBUG_FAULTS
    ? { log: (level: string, name: string, message: string) => console.log(`${Date.now() % 100_000} ${level} ${name} ${message}`) }
    : {};
  const w = createPhones(['alice', 'bob'], { latencyMs: 30 }, { iceServers, iceTransportPolicy: 'relay', timeouts, ...debug });
  cleanup.push(w.dispose);
  const incoming = nextIncoming(w.phones.bob!.client);
  const caller = w.phones.alice!.client.call({ callee: 'bob', kind: 'video' });
  const callee = await incoming;
  void callee.accept();
  await Promise.all([reach(caller, 'connected', 20_000), reach(callee, 'connected', 20_000)]);
  // Let the watchdog read the selected path.
  for (let i = 0; i < 30 && !(caller.snapshot.path && callee.snapshot.path); i++) await sleep(100);
  return { ...w, caller, callee };
}

/**
 * Samples inbound bytes on both sides every 100 ms for `ms` and returns, per side, the longest
 * stretch without any growth: the freeze a user would see.
 */
async function longestFreeze(sessions: CallSessionApi[], ms: number): Promise<number[]> {
  const last = await Promise.all(sessions.map(inboundBytes));
  const lastGrowthAt = sessions.map(() => Date.now());
  const worst = sessions.map(() => 0);
  for (const end = Date.now() + ms; Date.now() < end;) {
    await sleep(100);
    const now = Date.now();
    const bytes = await Promise.all(sessions.map(inboundBytes));
    bytes.forEach((b, i) => {
      if (b > last[i]!) {
        worst[i] = Math.max(worst[i]!, now - lastGrowthAt[i]!);
        last[i] = b;
        lastGrowthAt[i] = now;
      }
    });
  }
  return worst.map((w, i) => Math.max(w, Date.now() - lastGrowthAt[i]!));
}

/** SIGKILL by pid (a crashed host: no goodbye to any client), then wait until it is gone. */
async function kill(server: Coturn): Promise<void> {
  process.kill(server.pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive(server.pid); i++) await sleep(20);
  expect(alive(server.pid)).toBe(false);
}

/** Running and not a zombie (a killed daemon may wait a while for its reaper). */
function alive(pid: number): boolean {
  if (!isRunning(pid)) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Starts coturn again on a port that just became free (a TURN host restarted in place). */
async function restartInPlace(old: Coturn, secret: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'firecall-turn-again-'));
  const pidFile = join(dir, 'turnserver.pid');
  const args = [
    startScript,
    '--config',
    configs.local,
    '--listen-ip',
    '127.0.0.1',
    '--port',
    String(old.port),
    '--no-tls',
    '--relay-ports',
    `${old.relayPorts.min}-${old.relayPorts.max}`,
    '--log-file',
    join(dir, 'turnserver.log'),
    '--pid-file',
    pidFile,
  ];
  await new Promise<void>((resolve, reject) =>
    execFile('bash', args, { env: { ...process.env, FIRECALL_TURN_SECRET: secret }, timeout: 30_000 }, (error, _out, stderr) =>
      error ? reject(new Error(`restarting coturn failed: ${stderr.trim() || error.message}`)) : resolve(),
    ),
  );
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  cleanup.push(() => {
    if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return pid;
}

describe('two TURN hosts, the one in use killed mid-call', () => {
  it('media continues through the other within seconds', async () => {
    const secret = randomSecret();
    const servers = [await coturn(secret), await coturn(secret)];
    const { caller, callee } = await relayedCall(provider(secret, () => servers, 600).get);
    expect(caller.snapshot.path).toMatchObject({ local: 'relay', remote: 'relay' });
    const inUse = servers.find((s) => s.port === caller.snapshot.path!.relayPort)!;
    const other = servers.find((s) => s !== inUse)!;
    expect(inUse).toBeDefined();
    await sleep(500);
    await kill(inUse);
    const freezes = await longestFreeze([caller, callee], 10_000);
    console.log(
      `TURN host :${inUse.port} killed mid-call: longest media gap ${freezes[0]} ms at the caller, ${freezes[1]} ms at the callee (goal 5000); now relaying via :${caller.snapshot.path?.relayPort}`,
    );
    // Generous (shared CI cores; 4.0 s is typical): a gap that runs to the end of the window means
    // media never came back. The printed figure is read against the 5 s goal.
    expect(Math.max(...freezes)).toBeLessThan(8_000);
    expect(caller.snapshot.state).toBe('connected');
    expect(callee.snapshot.state).toBe('connected');
    expect(caller.snapshot.path).toMatchObject({ local: 'relay', relayPort: other.port });
  });
});

describe('TURN credentials expire mid-call, then the TURN host restarts', () => {
  it('credentials are renewed before they expire, and the call recovers through working ones', async () => {
    const secret = randomSecret();
    const server = await coturn(secret);
    // coturn honours each grant for 8 s and the engine is told so: it renews them on its own
    // schedule, so a restart after the first ones expired still has credentials coturn accepts.
    const creds = provider(secret, () => [server], 8);
    const { caller, callee } = await relayedCall(creds.get);
    const configured = (s: CallSessionApi) =>
      (s as unknown as { link: { pc: RTCPeerConnection } }).link.pc.getConfiguration().iceServers![0]!.username as string;
    const expiryOf = (username: string) => Number(username.split(':')[0]) * 1000;
    const firstExpiry = Math.max(...creds.issued.slice(0, 2).map((c) => c.expiresAt)) * 1000;
    await sleep(Math.max(0, firstExpiry - Date.now()) + 1_500);
    // The first grants are dead at coturn; both peers already hold later ones.
    for (const s of [caller, callee]) expect(expiryOf(configured(s))).toBeGreaterThan(Date.now());
    const before = await inboundBytes(caller);
    await sleep(500);
    expect(await inboundBytes(caller)).toBeGreaterThan(before);

    // The link drops: the TURN host restarts in place and every allocation is gone.
    const seen: string[] = [];
    caller.on('state', (snap) => seen.push(snap.state));
    await kill(server);
    const droppedAt = Date.now();
    await restartInPlace(server, secret);
    // The first credentials would not get a new relay now (401): only renewed ones can recover.
    const probe = await TurnClient.connect({ host: '127.0.0.1', port: server.port, transport: 'udp' });
    const stale = await probe.allocate({ username: creds.issued[0]!.username, credential: creds.issued[0]!.credential }, 4);
    probe.close();
    expect(stale).toMatchObject({ ok: false, code: 401 });

    for (let i = 0; i < 100 && !seen.includes('reconnecting'); i++) await sleep(100);
    expect(seen[0]).toBe('reconnecting');
    await Promise.all([reach(caller, 'connected', 20_000), reach(callee, 'connected', 20_000)]);
    const recoveredMs = Date.now() - droppedAt;
    const used = configured(caller);
    console.log(
      `credentials expired ${((droppedAt - firstExpiry) / 1000).toFixed(1)} s before the link dropped; recovered ${recoveredMs} ms after the drop with credentials valid until +${Number(used.split(':')[0]) - Math.floor(Date.now() / 1000)} s (${creds.issued.length} grants of 8 s)`,
    );
    for (const s of [caller, callee]) expect(expiryOf(configured(s))).toBeGreaterThan(droppedAt);
    const flowing = await inboundBytes(caller);
    await sleep(500);
    expect(await inboundBytes(caller)).toBeGreaterThan(flowing);
  });
});

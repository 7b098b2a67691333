/**
 * coturn inside the lab's internet namespace, started with turn/start.sh and the
 * local/test config (its denied-peer ranges apply): one on 3478 (UDP and TCP)
 * and a second one on plain TCP 443 with its own relay range, because Chromium
 * rejects a self-signed `turns:` certificate.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { ADDRESSES, type Lab } from './topology';
import { run, signalPid, delay } from './processes';

export interface TurnService {
  host: string;
  secret: string;
  /** The ICE server URLs the lab hands out itself, in the engine's preferred order. */
  urls: string[];
  /** The same for the `iceServers` callable's TURN_TRANSPORTS parameter. */
  transports: string[];
  /** Kills this host's coturns (by pid) now, e.g. to fail a TURN host mid-call. */
  stop(): Promise<void>;
  /** SIGKILLs this host's coturns at once (a crashed host: no goodbye to any client); resolves when they are gone. */
  crash(): Promise<void>;
}

const START_SH = fileURLToPath(new URL('../../turn/start.sh', import.meta.url));
const LOCAL_CONF = fileURLToPath(new URL('../../turn/turnserver.local.conf', import.meta.url));

export function newTurnSecret(): string {
  return randomBytes(24).toString('base64url');
}

export interface TurnOptions {
  /** Listening and relay address inside the internet namespace (default ADDRESSES.turn). */
  host?: string;
}

export async function startTurn(lab: Lab, secret = newTurnSecret(), options: TurnOptions = {}): Promise<TurnService> {
  const host = options.host ?? ADDRESSES.turn;
  const dir = mkdtempSync(join(tmpdir(), `${lab.id}-turn-${host}-`));
  const instances = [
    { port: 3478, relay: '49152-50151' },
    { port: 443, relay: '50152-51151' },
  ];
  const pidFiles: string[] = [];
  const stop = async () => {
    for (const file of pidFiles) await stopByPidFile(file);
  };
  lab.onDispose(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const { port, relay } of instances) {
    const pidFile = join(dir, `turnserver-${port}.pid`);
    pidFiles.push(pidFile);
    await run(
      'ip',
      [
        'netns',
        'exec',
        lab.ns.internet,
        'bash',
        START_SH,
        '--config',
        LOCAL_CONF,
        '--listen-ip',
        host,
        '--port',
        String(port),
        '--no-tls',
        '--relay-ports',
        relay,
        '--pid-file',
        pidFile,
        '--log-file',
        join(dir, `turnserver-${port}.log`),
        '--ready-timeout',
        '10',
      ],
      { timeoutMs: 20_000, env: { ...process.env, FIRECALL_TURN_SECRET: secret } },
    );
  }
  return {
    host,
    secret,
    urls: [`stun:${host}:3478`, `turn:${host}:3478?transport=udp`, `turn:${host}:3478?transport=tcp`, `turn:${host}:443?transport=tcp`],
    transports: ['udp:3478', 'tcp:3478', 'tcp:443'],
    stop,
    async crash() {
      for (const file of pidFiles) await stopByPidFile(file, 'SIGKILL');
    },
  };
}

async function stopByPidFile(file: string, first: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  let pid = 0;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return;
  }
  if (!(pid > 0)) return;
  signalPid(pid, first);
  for (let i = 0; i < 20 && alive(pid); i++) await delay(first === 'SIGKILL' ? 10 : 100);
  if (alive(pid)) signalPid(pid, 'SIGKILL');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Test harness for the turn suite: starts coturn through turn/start.sh (the same path `npm start`
 * and the lab use) on loopback with free ports, stops it by pid, and signs TURN REST credentials
 * with the iceServers callable's own signing function.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { turnCredentials } from '../../functions/src/credentials';

export const turnDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const startScript = join(turnDir, 'start.sh');
export const configs = {
  production: join(turnDir, 'turnserver.conf'),
  local: join(turnDir, 'turnserver.local.conf'),
} as const;

/**
 * TURN REST credentials as the callable signs them (username "<expiry unix s>:<uid>",
 * credential base64(HMAC-SHA1(secret, username))), with the clock injected.
 */
export function restCredentials(options: { secret: string; uid: string; ttlSeconds: number; now: () => number }): {
  username: string;
  credential: string;
  expiresAt: number;
} {
  const expiresAt = Math.floor(options.now() / 1000) + options.ttlSeconds;
  return { ...turnCredentials(options.secret, options.uid, expiresAt), expiresAt };
}

export function randomSecret(): string {
  return randomBytes(24).toString('base64url');
}

export interface Coturn {
  pid: number;
  port: number;
  /** Set when started with `tls`. */
  tlsPort?: number;
  relayPorts: { min: number; max: number };
  logFile: string;
  pidFile: string;
  /** What start.sh printed (the TURN URLs). */
  stdout: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A config file path, usually configs.production or configs.local. */
  config: string;
  secrets: string[];
  listenIps?: string[];
  /** Serve TLS on a free port with this certificate and key; otherwise no TLS listener. */
  tls?: { cert: string; key: string };
}

/** Starts coturn; rejects with start.sh's own error text when it cannot. */
export async function startCoturn(options: StartOptions): Promise<Coturn> {
  const listenIps = options.listenIps ?? ['127.0.0.1'];
  const port = await freePort(listenIps);
  const tlsPort = options.tls ? await freePort(listenIps, [port]) : undefined;
  const relayPorts = randomRelayRange();
  const runDir = mkdtempSync(join(tmpdir(), 'firecall-turn-'));
  const pidFile = join(runDir, 'turnserver.pid');
  const logFile = join(runDir, 'turnserver.log');
  const args = [
    startScript,
    '--config',
    options.config,
    ...listenIps.flatMap((ip) => ['--listen-ip', ip]),
    '--port',
    String(port),
    ...(options.tls ? ['--tls-port', String(tlsPort)] : ['--no-tls']),
    '--relay-ports',
    `${relayPorts.min}-${relayPorts.max}`,
    '--log-file',
    logFile,
    '--pid-file',
    pidFile,
    ...(options.tls ? ['--', '--cert', options.tls.cert, '--pkey', options.tls.key] : []),
  ];
  const stdout = await run('bash', args, { FIRECALL_TURN_SECRET: options.secrets.join(',') });
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  let stopped = false;
  return {
    pid,
    port,
    tlsPort,
    relayPorts,
    logFile,
    pidFile,
    stdout,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run('bash', [startScript, 'stop', '--pid-file', pidFile]).catch(() => undefined);
      if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

export function isRunning(pid: number): boolean {
  const comm = `/proc/${pid}/comm`;
  return existsSync(comm) && readFileSync(comm, 'utf8').trim() === 'turnserver';
}

/** The turnserver command line (NUL-separated in /proc), to show which options came from where. */
export function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args[0]} failed: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

/** 100 relay ports below Linux's ephemeral range (32768+), so they rarely meet other sockets. */
export function randomRelayRange(): { min: number; max: number } {
  const min = 20_000 + 100 * Math.floor(Math.random() * 120);
  return { min, max: min + 99 };
}

/** A port free for TCP and UDP on every listen address (coturn binds both). */
export async function freePort(ips: string[], avoid: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, ips[0], () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const checks = await Promise.all(ips.flatMap((ip) => [tcpFree(ip, port), udpFree(ip, port)]));
    if (checks.every(Boolean) && !avoid.includes(port)) return port;
  }
  throw new Error(`no port free for TCP and UDP on ${ips.join(', ')} after 20 tries`);
}

function tcpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, ip, () => server.close(() => resolve(true)));
  });
}

function udpFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, ip, () => socket.close(() => resolve(true)));
  });
}

/**
 * Probing TURN hosts: a host is up when it answers a STUN Binding request on its UDP port, or
 * accepts a TCP connection on its TCP/TLS port (for networks where the prober's UDP is filtered).
 * `probeHosts` probes every host at once and returns the record the callable reads.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP, connect } from 'node:net';
import type { HealthRecord } from './health';
import type { TurnTransport } from './iceServerList';

export interface ProbeOptions {
  /** Whole probe budget per host, ms. */
  timeoutMs?: number;
}

export type ProbeResult = { up: true } | { up: false; detail: string };

export type HostProbe = (host: string, transports: readonly TurnTransport[], options?: ProbeOptions) => Promise<ProbeResult>;

const STUN_MAGIC_COOKIE = 0x2112a442;

/** UDP STUN first (what most calls use), TCP connect to the first TCP/TLS port as the fallback. */
export const probeTurnHost: HostProbe = async (host, transports, { timeoutMs = 3_000 } = {}) => {
  const address = host.replace(/^\[(.*)\]$/, '$1');
  const udp = transports.find((transport) => transport.kind === 'udp');
  const stream = transports.find((transport) => transport.kind !== 'udp');
  const checks = [udp && stunBinding(address, udp.port, timeoutMs), stream && tcpAccepts(address, stream.port, timeoutMs)].filter(
    (check): check is Promise<boolean> => Boolean(check),
  );
  if (await firstTrue(checks)) return { up: true };
  const tried = [udp && `STUN on udp:${udp.port}`, stream && `a connection on tcp:${stream.port}`].filter(Boolean).join(' or ');
  return { up: false, detail: `no answer to ${tried} within ${timeoutMs} ms` };
};

export interface ProbeHostsOptions {
  hosts: readonly string[];
  transports: readonly TurnTransport[];
  probe?: HostProbe;
  clock?: () => number;
  timeoutMs?: number;
}

/** Probes every host in parallel; a probe that throws counts as down with its message. */
export async function probeHosts({
  hosts,
  transports,
  probe = probeTurnHost,
  clock = Date.now,
  timeoutMs,
}: ProbeHostsOptions): Promise<HealthRecord> {
  const results = await Promise.all(
    hosts.map((host) =>
      probe(host, transports, { timeoutMs }).catch((error: Error): ProbeResult => ({ up: false, detail: error.message })),
    ),
  );
  const checkedAt = clock();
  return {
    hosts: Object.fromEntries(
      hosts.map((host, index) => {
        const result = results[index]!;
        return [host, result.up ? { up: true, checkedAt } : { up: false, checkedAt, detail: result.detail }];
      }),
    ),
  };
}

/** True as soon as one check says so; false once all said no. */
function firstTrue(checks: Promise<boolean>[]): Promise<boolean> {
  return new Promise((resolve) => {
    let left = checks.length;
    if (left === 0) resolve(false);
    for (const check of checks) void check.then((ok) => (ok ? resolve(true) : --left === 0 && resolve(false)));
  });
}

/** Sends a Binding request, retransmitted at 0, 500 and 1500 ms (RFC 8489's schedule, cut short). */
function stunBinding(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    const transactionId = randomBytes(12);
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt16BE(0, 2);
    request.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
    transactionId.copy(request, 8);
    const timers: ReturnType<typeof setTimeout>[] = [];
    let done = false;
    const finish = (up: boolean) => {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      socket.close();
      resolve(up);
    };
    socket.on('message', (message) => {
      const isResponse = message.length >= 20 && (message.readUInt16BE(0) & 0x0110) === 0x0100; // success or error class
      if (isResponse && message.readUInt32BE(4) === STUN_MAGIC_COOKIE && message.subarray(8, 20).equals(transactionId)) finish(true);
    });
    socket.on('error', () => finish(false));
    const send = () => socket.send(request, port, host, (error) => error && finish(false));
    for (const at of [0, 500, 1_500]) if (at < timeoutMs) timers.push(setTimeout(send, at));
    timers.push(setTimeout(() => finish(false), timeoutMs));
  });
}

function tcpAccepts(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    let done = false;
    const finish = (up: boolean) => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

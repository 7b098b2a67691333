import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHosts, probeTurnHost } from './probe';

const open: Array<Socket | Server> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((handle) => new Promise<void>((resolve) => handle.close(() => resolve()))));
});

/** A loopback STUN responder that answers Binding requests with a success response (no attributes). */
async function stunResponder(): Promise<number> {
  const socket = createSocket('udp4');
  open.push(socket);
  socket.on('message', (message, from) => {
    const response = Buffer.from(message.subarray(0, 20));
    response.writeUInt16BE(0x0101, 0);
    socket.send(response, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket.address().port;
}

async function tcpListener(): Promise<number> {
  const server = createServer((connection) => connection.destroy());
  open.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** A port nothing listens on: bound, then closed. */
async function deadUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('TURN host probe', () => {
  it('calls a host up when it answers STUN on UDP', async () => {
    const port = await stunResponder();
    expect(await probeTurnHost('127.0.0.1', [{ kind: 'udp', port }], { timeoutMs: 2_000 })).toEqual({ up: true });
  });

  it('calls a host up when only its TCP port answers', async () => {
    const [udpPort, tcpPort] = [await deadUdpPort(), await tcpListener()];
    expect(
      await probeTurnHost(
        '127.0.0.1',
        [
          { kind: 'udp', port: udpPort },
          { kind: 'tls', port: tcpPort },
        ],
        { timeoutMs: 2_000 },
      ),
    ).toEqual({ up: true });
  });

  it('calls a host down with what was tried when nothing answers', async () => {
    const port = await deadUdpPort();
    const result = await probeTurnHost('127.0.0.1', [{ kind: 'udp', port }], { timeoutMs: 300 });
    expect(result).toEqual({ up: false, detail: `no answer to STUN on udp:${port} within 300 ms` });
  });

  it('writes one verdict per host, with the probe time', async () => {
    const record = await probeHosts({
      hosts: ['a.example.com', 'b.example.com', 'c.example.com'],
      transports: [{ kind: 'udp', port: 3478 }],
      clock: () => 42,
      probe: async (host) => {
        if (host === 'c.example.com') throw new Error('getaddrinfo ENOTFOUND c.example.com');
        return host === 'a.example.com' ? { up: true } : { up: false, detail: 'no answer' };
      },
    });
    expect(record).toEqual({
      hosts: {
        'a.example.com': { up: true, checkedAt: 42 },
        'b.example.com': { up: false, checkedAt: 42, detail: 'no answer' },
        'c.example.com': { up: false, checkedAt: 42, detail: 'getaddrinfo ENOTFOUND c.example.com' },
      },
    });
  });
});

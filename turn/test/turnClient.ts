/**
 * A minimal TURN client (UDP, TCP or TLS) with long-term credentials: Allocate, CreatePermission,
 * ChannelBind, Send/Data indications and Refresh. Every request resolves to coturn's answer
 * (success, or the exact error code and reason), so tests assert 401/403 precisely.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6, connect, type Socket as TcpSocket } from 'node:net';
import { connect as connectTls, type ConnectionOptions as TlsOptions } from 'node:tls';
import {
  Attr,
  Method,
  MessageClass,
  attribute,
  channelNumberAttr,
  decodeMessage,
  decodeXorAddress,
  encodeMessage,
  errorOf,
  framedLength,
  longTermKey,
  newTransactionId,
  requestedFamily,
  requestedTransportUdp,
  stringAttr,
  uint32Attr,
  xorAddressAttr,
  type StunAttribute,
  type StunMessage,
  type TransportAddress,
} from './stun.js';

export type TurnOutcome<T> = { ok: true; value: T } | { ok: false; code: number; reason: string };

export interface TurnCredentials {
  username: string;
  credential: string;
}

export interface Allocation {
  relayed: TransportAddress;
  mapped: TransportAddress;
  lifetime: number;
}

export interface TurnClientOptions {
  host: string;
  port: number;
  transport: 'udp' | 'tcp' | 'tls';
  /** For transport 'tls': trust anchors, versions, ciphers. */
  tls?: TlsOptions;
  /** How long one request (or the TCP/TLS connect) may go unanswered (UDP retransmits within it). */
  timeoutMs?: number;
}

interface Pending {
  resolve: (message: StunMessage) => void;
}

export class TurnClient {
  private readonly pending = new Map<string, Pending>();
  private readonly data: Array<{ peer: TransportAddress; data: Buffer }> = [];
  private dataWaiter: (() => void) | null = null;
  private auth: { username: string; key: Buffer; realm: string; nonce: string } | null = null;
  private tcpBuffer = Buffer.alloc(0);

  private constructor(
    private readonly options: Required<Omit<TurnClientOptions, 'tls'>>,
    private readonly udp: UdpSocket | null,
    private readonly tcp: TcpSocket | null,
  ) {}

  static async connect(options: TurnClientOptions): Promise<TurnClient> {
    const { tls: _tls, ...rest } = options;
    const full = { timeoutMs: 5_000, ...rest };
    if (options.transport === 'udp') {
      const udp = createSocket(isIPv6(options.host) ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.connect(options.port, options.host, () => resolve());
      });
      const client = new TurnClient(full, udp, null);
      udp.on('message', (packet) => client.receive(packet));
      return client;
    }
    const tcp =
      options.transport === 'tls'
        ? connectTls({ host: options.host, port: options.port, ...options.tls })
        : connect({ host: options.host, port: options.port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        tcp.destroy();
        reject(new Error(`no ${options.transport} connection to ${options.host}:${options.port} within ${full.timeoutMs} ms`));
      }, full.timeoutMs);
      tcp.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      tcp.once(options.transport === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    tcp.setNoDelay(true);
    const client = new TurnClient(full, null, tcp);
    tcp.on('data', (chunk) => client.receiveStream(chunk));
    tcp.on('error', () => undefined); // a reset after close is not a test failure
    return client;
  }

  /** Allocates a UDP relay: first unauthenticated (to learn realm and nonce), then signed. */
  async allocate(credentials: TurnCredentials, family?: 4 | 6): Promise<TurnOutcome<Allocation>> {
    const attrs = (): StunAttribute[] => [requestedTransportUdp(), ...(family ? [requestedFamily(family)] : [])];
    const challenge = await this.request(Method.Allocate, attrs());
    const error = errorOf(challenge);
    if (challenge.cls === MessageClass.Success) throw new Error('coturn allocated without asking for credentials');
    if (error?.code !== 401) return { ok: false, code: error?.code ?? 0, reason: error?.reason ?? 'no error code' };
    const realm = attribute(challenge, Attr.Realm)?.toString('utf8') ?? '';
    const nonce = attribute(challenge, Attr.Nonce)?.toString('utf8') ?? '';
    this.auth = {
      username: credentials.username,
      key: longTermKey(credentials.username, realm, credentials.credential),
      realm,
      nonce,
    };
    const answer = await this.authenticated(Method.Allocate, attrs);
    if (answer.cls !== MessageClass.Success) return failure(answer);
    const tid = answer.transactionId;
    const relayed = attribute(answer, Attr.XorRelayedAddress);
    const mapped = attribute(answer, Attr.XorMappedAddress);
    const lifetime = attribute(answer, Attr.Lifetime);
    if (!relayed || !mapped || !lifetime) throw new Error('Allocate success without relayed/mapped address or lifetime');
    return {
      ok: true,
      value: { relayed: decodeXorAddress(relayed, tid), mapped: decodeXorAddress(mapped, tid), lifetime: lifetime.readUInt32BE(0) },
    };
  }

  /** Asks coturn to let `peer` (an IP literal) exchange data with the relay. */
  async createPermission(peer: string): Promise<TurnOutcome<void>> {
    const answer = await this.authenticated(Method.CreatePermission, (tid) => [
      xorAddressAttr(Attr.XorPeerAddress, { address: peer, port: 0 }, tid),
    ]);
    return answer.cls === MessageClass.Success ? { ok: true, value: undefined } : failure(answer);
  }

  /** Binds a channel (0x4000-0x7FFF) to `peer`: the other way a client sends through the relay. */
  async channelBind(peer: TransportAddress, channel: number): Promise<TurnOutcome<void>> {
    const answer = await this.authenticated(Method.ChannelBind, (tid) => [
      channelNumberAttr(channel),
      xorAddressAttr(Attr.XorPeerAddress, peer, tid),
    ]);
    return answer.cls === MessageClass.Success ? { ok: true, value: undefined } : failure(answer);
  }

  /** Send indication: relays `data` to `peer` if a permission exists (no answer either way). */
  send(peer: TransportAddress, data: Buffer): void {
    const transactionId = newTransactionId();
    this.write(
      encodeMessage({
        method: Method.Send,
        cls: MessageClass.Indication,
        transactionId,
        attributes: [xorAddressAttr(Attr.XorPeerAddress, peer, transactionId), { type: Attr.Data, value: data }],
      }),
    );
  }

  /** The next Data indication, i.e. what a peer sent to the relayed address. */
  async nextData(timeoutMs: number): Promise<{ peer: TransportAddress; data: Buffer }> {
    const deadline = Date.now() + timeoutMs;
    while (this.data.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no relayed data arrived within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.dataWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.data.shift()!;
  }

  /** Frees the allocation (Refresh with lifetime 0). */
  async release(): Promise<TurnOutcome<void>> {
    if (!this.auth) return { ok: true, value: undefined };
    const answer = await this.authenticated(Method.Refresh, () => [uint32Attr(Attr.Lifetime, 0)]);
    return answer.cls === MessageClass.Success ? { ok: true, value: undefined } : failure(answer);
  }

  close(): void {
    this.udp?.close();
    this.tcp?.destroy();
    for (const { resolve } of this.pending.values()) resolve(closedAnswer());
    this.pending.clear();
  }

  /** Signed request; a 438 (stale nonce) is retried once with the fresh nonce, as RFC 5766 asks. */
  private async authenticated(method: number, attrs: (transactionId: Buffer) => StunAttribute[]): Promise<StunMessage> {
    if (!this.auth) throw new Error('allocate first: no realm/nonce yet');
    let answer = await this.signed(method, attrs);
    if (errorOf(answer)?.code === 438) {
      this.auth.nonce = attribute(answer, Attr.Nonce)?.toString('utf8') ?? this.auth.nonce;
      answer = await this.signed(method, attrs);
    }
    return answer;
  }

  private signed(method: number, attrs: (transactionId: Buffer) => StunAttribute[]): Promise<StunMessage> {
    const auth = this.auth!;
    const transactionId = newTransactionId();
    const attributes = [
      ...attrs(transactionId),
      stringAttr(Attr.Username, auth.username),
      stringAttr(Attr.Realm, auth.realm),
      stringAttr(Attr.Nonce, auth.nonce),
    ];
    return this.transact(encodeMessage({ method, cls: MessageClass.Request, transactionId, attributes }, auth.key), transactionId);
  }

  private request(method: number, attributes: StunAttribute[]): Promise<StunMessage> {
    const transactionId = newTransactionId();
    return this.transact(encodeMessage({ method, cls: MessageClass.Request, transactionId, attributes }), transactionId);
  }

  private transact(packet: Buffer, transactionId: Buffer): Promise<StunMessage> {
    const key = transactionId.toString('hex');
    const { host, port, timeoutMs, transport } = this.options;
    return new Promise<StunMessage>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const finish = (message: StunMessage | Error): void => {
        timers.forEach(clearTimeout);
        this.pending.delete(key);
        if (message instanceof Error) reject(message);
        else resolve(message);
      };
      this.pending.set(key, { resolve: finish });
      this.write(packet);
      // UDP may lose a datagram even on loopback under load: retransmit (RFC 5389 7.2.1, shortened).
      if (transport === 'udp') for (let at = 250; at < timeoutMs; at *= 2) timers.push(setTimeout(() => this.write(packet), at));
      timers.push(
        setTimeout(() => finish(new Error(`coturn at ${host}:${port}/${transport} did not answer within ${timeoutMs} ms`)), timeoutMs),
      );
    });
  }

  private write(packet: Buffer): void {
    if (this.udp) this.udp.send(packet);
    else this.tcp?.write(packet);
  }

  private receiveStream(chunk: Buffer): void {
    this.tcpBuffer = Buffer.concat([this.tcpBuffer, chunk]);
    for (let length = framedLength(this.tcpBuffer); length !== null; length = framedLength(this.tcpBuffer)) {
      this.receive(this.tcpBuffer.subarray(0, length));
      this.tcpBuffer = this.tcpBuffer.subarray(length);
    }
  }

  private receive(packet: Buffer): void {
    const message = decodeMessage(packet);
    if (!message) return; // ChannelData: these tests read relayed data through Data indications only
    if (message.cls === MessageClass.Indication && message.method === Method.Data) {
      const peer = attribute(message, Attr.XorPeerAddress);
      const data = attribute(message, Attr.Data);
      if (peer && data) this.data.push({ peer: decodeXorAddress(peer, message.transactionId), data: Buffer.from(data) });
      this.dataWaiter?.();
      this.dataWaiter = null;
      return;
    }
    this.pending.get(message.transactionId.toString('hex'))?.resolve(message);
  }
}

function failure(answer: StunMessage): { ok: false; code: number; reason: string } {
  const error = errorOf(answer);
  return { ok: false, code: error?.code ?? 0, reason: error?.reason ?? 'error answer without ERROR-CODE' };
}

function closedAnswer(): StunMessage {
  return {
    method: 0,
    cls: MessageClass.Error,
    transactionId: Buffer.alloc(12),
    attributes: [{ type: Attr.ErrorCode, value: Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from('client closed')]) }],
  };
}

/**
 * The slice of STUN (RFC 5389) and TURN (RFC 5766, RFC 6156) the turn tests need:
 * building requests with long-term credentials and reading coturn's answers, so a test can
 * assert exact error codes (401, 403, 438...) instead of scraping a CLI's output.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { crc32 } from 'node:zlib';

const MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;

export const Method = {
  Binding: 0x001,
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
} as const;

export const MessageClass = { Request: 0x000, Indication: 0x010, Success: 0x100, Error: 0x110 } as const;
export type MessageClassValue = (typeof MessageClass)[keyof typeof MessageClass];

export const Attr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  Realm: 0x0014,
  Nonce: 0x0015,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  RequestedTransport: 0x0019,
  XorMappedAddress: 0x0020,
  Software: 0x8022,
  Fingerprint: 0x8028,
} as const;

export interface TransportAddress {
  address: string;
  port: number;
}

export interface StunAttribute {
  type: number;
  value: Buffer;
}

export interface StunMessage {
  method: number;
  cls: MessageClassValue;
  transactionId: Buffer;
  attributes: StunAttribute[];
}

/** Long-term credential key (RFC 5389 15.4): MD5(username ":" realm ":" password). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

export function newTransactionId(): Buffer {
  return randomBytes(12);
}

/** Encodes a message; with `integrityKey` it appends MESSAGE-INTEGRITY, then always FINGERPRINT. */
export function encodeMessage(message: StunMessage, integrityKey?: Buffer): Buffer {
  const body = Buffer.concat(message.attributes.map(encodeAttribute));
  let packet = Buffer.concat([header(message, body.length), body]);
  if (integrityKey) {
    // The HMAC covers the message with its length already counting the MESSAGE-INTEGRITY attribute.
    const withLength = Buffer.from(packet);
    withLength.writeUInt16BE(body.length + 24, 2);
    const hmac = createHmac('sha1', integrityKey).update(withLength).digest();
    packet = Buffer.concat([withLength, encodeAttribute({ type: Attr.MessageIntegrity, value: hmac })]);
  }
  const withFingerprintLength = Buffer.from(packet);
  withFingerprintLength.writeUInt16BE(packet.length - HEADER_BYTES + 8, 2);
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE((crc32(withFingerprintLength) ^ 0x5354554e) >>> 0);
  return Buffer.concat([withFingerprintLength, encodeAttribute({ type: Attr.Fingerprint, value: fingerprint })]);
}

/** Returns the message, or null when the bytes are not a STUN message (e.g. ChannelData). */
export function decodeMessage(packet: Buffer): StunMessage | null {
  if (packet.length < HEADER_BYTES || (packet[0]! & 0xc0) !== 0) return null;
  if (packet.readUInt32BE(4) !== MAGIC_COOKIE) return null;
  const length = packet.readUInt16BE(2);
  if (packet.length < HEADER_BYTES + length) return null;
  const type = packet.readUInt16BE(0);
  const cls = (type & 0x0110) as MessageClassValue;
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const attributes: StunAttribute[] = [];
  let offset = HEADER_BYTES;
  while (offset + 4 <= HEADER_BYTES + length) {
    const attrType = packet.readUInt16BE(offset);
    const attrLength = packet.readUInt16BE(offset + 2);
    attributes.push({ type: attrType, value: packet.subarray(offset + 4, offset + 4 + attrLength) });
    offset += 4 + Math.ceil(attrLength / 4) * 4;
  }
  return { method, cls, transactionId: packet.subarray(8, 20), attributes };
}

/** Total bytes of the STUN message at the start of `buffer` (for TCP framing), or null if incomplete. */
export function framedLength(buffer: Buffer): number | null {
  if (buffer.length < 4) return null;
  const first = buffer[0]! >> 6;
  // 0b01: ChannelData (RFC 5766 11.5), padded to 4 bytes over TCP.
  const total = first === 1 ? 4 + Math.ceil(buffer.readUInt16BE(2) / 4) * 4 : HEADER_BYTES + buffer.readUInt16BE(2);
  return buffer.length >= total ? total : null;
}

export function attribute(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((a) => a.type === type)?.value;
}

export function errorOf(message: StunMessage): { code: number; reason: string } | null {
  const value = attribute(message, Attr.ErrorCode);
  if (!value || value.length < 4) return null;
  return { code: (value[2]! & 0x7) * 100 + value[3]!, reason: value.subarray(4).toString('utf8') };
}

export function stringAttr(type: number, text: string): StunAttribute {
  return { type, value: Buffer.from(text, 'utf8') };
}

export function uint32Attr(type: number, n: number): StunAttribute {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(n >>> 0);
  return { type, value };
}

/** REQUESTED-TRANSPORT: UDP (17), the only relay transport WebRTC uses. */
export function requestedTransportUdp(): StunAttribute {
  return { type: Attr.RequestedTransport, value: Buffer.from([17, 0, 0, 0]) };
}

/** REQUESTED-ADDRESS-FAMILY (RFC 6156): 4 or 6. */
export function requestedFamily(family: 4 | 6): StunAttribute {
  return { type: Attr.RequestedAddressFamily, value: Buffer.from([family === 4 ? 0x01 : 0x02, 0, 0, 0]) };
}

export function channelNumberAttr(channel: number): StunAttribute {
  const value = Buffer.alloc(4);
  value.writeUInt16BE(channel);
  return { type: Attr.ChannelNumber, value };
}

/** XOR-*-ADDRESS attribute. IPv4-mapped IPv6 (::ffff:a.b.c.d) stays an IPv6 address on the wire. */
export function xorAddressAttr(type: number, peer: TransportAddress, transactionId: Buffer): StunAttribute {
  const raw = addressBytes(peer.address);
  const value = Buffer.alloc(4 + raw.length);
  value[1] = raw.length === 4 ? 0x01 : 0x02;
  value.writeUInt16BE(peer.port ^ (MAGIC_COOKIE >>> 16), 2);
  const mask = xorMask(transactionId);
  raw.forEach((byte, i) => (value[4 + i] = byte ^ mask[i]!));
  return { type, value };
}

export function decodeXorAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  const family = value[1];
  const port = value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  const mask = xorMask(transactionId);
  const raw = Buffer.from(value.subarray(4, family === 0x01 ? 8 : 20).map((byte, i) => byte ^ mask[i]!));
  if (family === 0x01) return { address: [...raw].join('.'), port };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(raw.readUInt16BE(i).toString(16));
  return { address: groups.join(':'), port };
}

function xorMask(transactionId: Buffer): Buffer {
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE);
  transactionId.copy(mask, 4);
  return mask;
}

/** Network bytes of an IPv4 or IPv6 literal (including "::" and an embedded dotted quad). */
export function addressBytes(address: string): Buffer {
  const version = isIP(address);
  if (version === 4) return Buffer.from(address.split('.').map(Number));
  if (version !== 6) throw new Error(`not an IP address: ${address}`);
  let text = address;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad[1]!.split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, -quad[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

function header(message: StunMessage, bodyLength: number): Buffer {
  const m = message.method;
  const type = (m & 0x000f) | ((m & 0x0070) << 1) | ((m & 0x0f80) << 2) | message.cls;
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeUInt16BE(type, 0);
  out.writeUInt16BE(bodyLength, 2);
  out.writeUInt32BE(MAGIC_COOKIE, 4);
  message.transactionId.copy(out, 8);
  return out;
}

function encodeAttribute(attr: StunAttribute): Buffer {
  const padded = Math.ceil(attr.value.length / 4) * 4;
  const out = Buffer.alloc(4 + padded);
  out.writeUInt16BE(attr.type, 0);
  out.writeUInt16BE(attr.value.length, 2);
  attr.value.copy(out, 4);
  return out;
}

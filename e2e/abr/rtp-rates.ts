/**
 * What a squeeze capture carried, by kind of packet and by time after the
 * drop: kbit/s per bin for each RTP payload type (named from the trial's
 * negotiated codecs), RTCP and STUN. Answers "what kept the bottleneck full",
 * which the page's statistics cannot (retransmissions hide inside video).
 *
 *   npx tsx e2e/abr/rtp-rates.ts <trial dump .json> <capture .pcap> [binMs=100] [fromMs=-500] [toMs=3000]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RateBin {
  /** Bin start, ms after the drop. */
  atMs: number;
  /** kbit/s on the wire (IP + Ethernet headers included) per packet kind. */
  kbps: Record<string, number>;
}

export interface RateWindow {
  binMs: number;
  fromMs: number;
  toMs: number;
}

const ETHERNET = 14;

/** Bins the UDP packets of a classic little-endian pcap (Ethernet, IPv4) by kind and time after `t0Ms` (epoch ms). */
export function rtpRates(pcap: Buffer, t0Ms: number, names: ReadonlyMap<number, string>, window: RateWindow): RateBin[] {
  const magic = pcap.length >= 24 ? pcap.readUInt32LE(0) : 0;
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('not a little-endian pcap file (tcpdump -w writes one)');
  if (pcap.readUInt32LE(20) !== 1) throw new Error('only Ethernet captures are read (link type 1)');
  const fraction = magic === 0xa1b23c4d ? 1e6 : 1e3; // nanosecond or microsecond timestamps, to ms
  const count = Math.ceil((window.toMs - window.fromMs) / window.binMs);
  const bins: RateBin[] = Array.from({ length: count }, (_, i) => ({ atMs: window.fromMs + i * window.binMs, kbps: {} }));
  for (let at = 24; at + 16 <= pcap.length;) {
    const ms = pcap.readUInt32LE(at) * 1000 + pcap.readUInt32LE(at + 4) / fraction - t0Ms;
    const captured = pcap.readUInt32LE(at + 8);
    const frame = pcap.subarray(at + 16, at + 16 + captured);
    at += 16 + captured;
    const bin = bins[Math.floor((ms - window.fromMs) / window.binMs)];
    const kind = bin && packetKind(frame, names);
    if (!kind) continue;
    // bytes per bin -> kbit/s
    bin!.kbps[kind.name] = (bin!.kbps[kind.name] ?? 0) + (kind.wireBytes * 8) / window.binMs;
  }
  return bins;
}

function packetKind(frame: Buffer, names: ReadonlyMap<number, string>): { name: string; wireBytes: number } | null {
  const ip = frame.subarray(ETHERNET);
  if (ip.length < 20 || ip[0]! >> 4 !== 4 || ip[9] !== 17) return null;
  const headerBytes = (ip[0]! & 0x0f) * 4;
  const wireBytes = ip.readUInt16BE(2) + ETHERNET; // the IP length: a capture keeps only the first bytes
  const payload = ip.subarray(headerBytes + 8);
  if (payload.length < 2) return null;
  const [first, second] = [payload[0]!, payload[1]!];
  if (first < 4) return { name: 'stun', wireBytes }; // RFC 7983: 0-3 STUN
  if (first >> 6 !== 2) return { name: 'other', wireBytes };
  if (second >= 192 && second <= 223) return { name: 'rtcp', wireBytes }; // RFC 5761: RTCP packet types 192-223
  const type = second & 0x7f;
  return { name: names.get(type) ?? `pt ${type}`, wireBytes };
}

/** The bins as a table, one column per kind, plus the total. */
export function ratesTable(bins: RateBin[]): string {
  const kinds = [...new Set(bins.flatMap((b) => Object.keys(b.kbps)))].sort();
  const cell = (v: string) => v.padStart(Math.max(10, ...kinds.map((k) => k.length + 1)));
  const lines = [`${'ms'.padStart(6)}${kinds.map(cell).join('')}${cell('total')}   (kbit/s)`];
  for (const b of bins) {
    const values = kinds.map((k) => b.kbps[k] ?? 0);
    lines.push(
      `${String(b.atMs).padStart(6)}${values.map((v) => cell(v.toFixed(0))).join('')}${cell(values.reduce((a, v) => a + v, 0).toFixed(0))}`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const [dumpPath, pcapPath, binMs = '100', fromMs = '-500', toMs = '3000'] = process.argv.slice(2);
  if (!dumpPath || !pcapPath) {
    console.error('usage: npx tsx e2e/abr/rtp-rates.ts <trial dump .json> <capture .pcap> [binMs] [fromMs] [toMs]');
    process.exit(2);
  }
  const dump = JSON.parse(readFileSync(dumpPath, 'utf8')) as { t0: number; codecs?: [number, string][] };
  const window = { binMs: Number(binMs), fromMs: Number(fromMs), toMs: Number(toMs) };
  console.log(ratesTable(rtpRates(readFileSync(pcapPath), dump.t0, new Map(dump.codecs ?? []), window)));
}

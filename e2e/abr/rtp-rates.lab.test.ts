// Pure (no namespaces needed); it lives with the lab suite because the unit project covers app/, functions/ and scripts/.
import { describe, expect, it } from 'vitest';
import { ratesTable, rtpRates } from './rtp-rates';

/** One captured Ethernet/IPv4/UDP frame carrying `payload`, padded on the wire to `ipBytes`. */
function frame(payload: number[], ipBytes: number): Buffer {
  const ip = Buffer.alloc(28);
  ip[0] = 0x45;
  ip.writeUInt16BE(ipBytes, 2);
  ip[9] = 17; // UDP
  return Buffer.concat([Buffer.alloc(14), ip, Buffer.from(payload)]);
}

function pcap(packets: Array<{ ms: number; data: Buffer }>): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt32LE(96, 16);
  header.writeUInt32LE(1, 20);
  const records = packets.map(({ ms, data }) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(Math.floor(ms / 1000), 0);
    r.writeUInt32LE(Math.round((ms % 1000) * 1000), 4);
    r.writeUInt32LE(data.length, 8);
    r.writeUInt32LE(data.length, 12);
    return Buffer.concat([r, data]);
  });
  return Buffer.concat([header, ...records]);
}

const rtp = (payloadType: number) => [0x80, payloadType, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7];
const t0 = 1_700_000_000_000;

describe('rtpRates', () => {
  it('splits the link by payload type, RTCP and STUN, per bin after the drop', () => {
    const names = new Map([
      [111, 'audio/opus'],
      [119, 'video/rtx'],
    ]);
    const bins = rtpRates(
      pcap([
        { ms: t0 - 50, data: frame(rtp(111), 986) }, // before the window: dropped
        { ms: t0 + 10, data: frame(rtp(111), 986) },
        { ms: t0 + 20, data: frame(rtp(119 | 0x80), 1236) }, // marker bit set: still payload type 119
        { ms: t0 + 120, data: frame([0x80, 205, 0, 3], 86) }, // RTCP transport feedback
        { ms: t0 + 130, data: frame([0x00, 0x01], 86) }, // STUN binding request
        { ms: t0 + 140, data: frame(rtp(96), 1236) }, // not in the names
      ]),
      t0,
      names,
      { binMs: 100, fromMs: 0, toMs: 200 },
    );
    // 1000 bytes on the wire in 100 ms = 80 kbit/s.
    expect(bins).toEqual([
      { atMs: 0, kbps: { 'audio/opus': 80, 'video/rtx': 100 } },
      { atMs: 100, kbps: { rtcp: 8, stun: 8, 'pt 96': 100 } },
    ]);
    expect(ratesTable(bins).split('\n')[1]).toMatch(/^\s+0\s+80\s+0\s+0\s+0\s+100\s+180$/);
  });

  it('refuses a file that is not a classic pcap', () => {
    expect(() => rtpRates(Buffer.from('pcapng or text'.padEnd(40)), t0, new Map(), { binMs: 100, fromMs: 0, toMs: 100 })).toThrow(
      /not a little-endian pcap/,
    );
  });
});

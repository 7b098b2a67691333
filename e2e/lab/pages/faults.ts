/**
 * Browser side: the firecall page (pages/firecall.ts) plus what the fault tests
 * must see that the probe does not report: which TURN host and which relay
 * allocation the selected ICE pair uses, the TURN credentials the connection
 * holds, and a timeline of inbound audio and video packets. The probe must come first.
 */
import './probe';
import './firecall';

export interface RelayInUse {
  /** Which end of the selected pair relays: this browser's own allocation, or the peer's. */
  end: 'local' | 'remote';
  /** Host of that TURN server, e.g. '192.0.2.11' (coturn relays on the address it listens on). */
  turnHost: string;
  /** The relay address coturn allocated (ip:port): a new one means a new allocation. */
  allocation: string;
}

const connections: RTCPeerConnection[] = [];
const Tracked = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Tracked {
  constructor(config?: RTCConfiguration) {
    super(config);
    connections.push(this);
  }
} as typeof RTCPeerConnection;

/**
 * The relay the newest connection's selected pair goes through (ours if we relay, else the
 * peer's), or null when the pair is direct. Behind a symmetric NAT one side may reach the
 * other's relay without relaying itself.
 */
async function relayInUse(): Promise<RelayInUse | null> {
  const pc = connections[connections.length - 1];
  if (!pc) return null;
  const stats = new Map<string, Record<string, unknown>>();
  (await pc.getStats()).forEach((value: Record<string, unknown>, key: string) => stats.set(key, value));
  for (const s of stats.values()) {
    if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
    const pair = stats.get(s.selectedCandidatePairId);
    const local = pair && stats.get(pair.localCandidateId as string);
    const remote = pair && stats.get(pair.remoteCandidateId as string);
    if (!local || !remote) return null;
    const allocation = (c: Record<string, unknown>) => `${String(c.address)}:${String(c.port)}`;
    if (local.candidateType === 'relay') {
      const host = /^turns?:([^:?]+)/.exec(String(local.url ?? ''))?.[1] ?? '';
      return { end: 'local', turnHost: host, allocation: allocation(local) };
    }
    if (remote.candidateType === 'relay') return { end: 'remote', turnHost: String(remote.address), allocation: allocation(remote) };
    return null;
  }
  return null;
}

/**
 * When the TURN credentials the newest connection is configured with expire (epoch ms,
 * from the REST username `<expiry>:<uid>`); null without TURN credentials.
 */
function credentialsExpireAt(): number | null {
  const pc = connections[connections.length - 1];
  const expiries = (pc?.getConfiguration().iceServers ?? [])
    .map((server) => Number(String(server.username ?? '').split(':')[0]))
    .filter((seconds) => seconds > 0);
  return expiries.length ? Math.min(...expiries) * 1000 : null;
}

/** One reading of the newest connection's inbound media: when, and packets received so far. */
export interface InboundSample {
  at: number;
  audioPackets: number;
  videoPackets: number;
}

const inbound: InboundSample[] = [];

/** Reads inbound packet counters every 100 ms from now on, so a gap in the media can be timed afterwards. */
function watchInbound(): void {
  const sample = async () => {
    const pc = connections[connections.length - 1];
    if (!pc) return;
    const reading: InboundSample = { at: performance.timeOrigin + performance.now(), audioPackets: 0, videoPackets: 0 };
    (await pc.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'audio') reading.audioPackets += Number(s.packetsReceived ?? 0);
      if (s.kind === 'video') reading.videoPackets += Number(s.packetsReceived ?? 0);
    });
    inbound.push(reading);
  };
  setInterval(() => void sample(), 100);
}

export interface FaultsProbe {
  relayInUse: typeof relayInUse;
  credentialsExpireAt: typeof credentialsExpireAt;
  watchInbound: typeof watchInbound;
  inbound: () => InboundSample[];
}

declare global {
  interface Window {
    faults: FaultsProbe;
  }
}

window.faults = { relayInUse, credentialsExpireAt, watchInbound, inbound: () => inbound.slice() };

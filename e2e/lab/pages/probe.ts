/**
 * Browser side: what the lab observes in a page, independent of the code under
 * test. It tracks every RTCPeerConnection the page creates, renders each remote
 * video track and records when frames are actually presented, and reads the
 * selected ICE path and decoded-media counters from getStats.
 *
 * Must run before the page's own code (it is the first thing in each bundle).
 */

export interface ObservedPath {
  local: string;
  remote: string;
  protocol: string;
  /** Transport from this browser to its TURN server, when the local side relays. */
  relayProtocol?: string;
  relayPort?: number;
}

export interface MediaCounters {
  framesDecoded: number;
  /**
   * Energy of the remote audio played out. Headless Firefox here has no audio device and plays
   * nothing out (its audio graph never starts), so it stays 0 there: see audioPackets.
   */
  audioEnergy: number;
  /** Audio packets received, in any browser. */
  audioPackets: number;
  bytesReceived: number;
  /** The codec of the video received, e.g. 'video/VP8'; null before any. */
  videoCodec: string | null;
}

export interface Probe {
  /** Epoch ms of every presented remote video frame, in order. */
  frameTimes: number[];
  connectionStates: Array<{ at: number; state: string }>;
  path(): Promise<ObservedPath | null>;
  media(): Promise<MediaCounters>;
  /** Height of the video this page sends now (the encoder's frames), null before any. */
  sentHeight(): Promise<number | null>;
  /** Video counters in one line (received, decoded, key frames, PLIs; sent, encoded, target). */
  videoCounters(): Promise<string>;
}

const now = () => performance.timeOrigin + performance.now();
const connections: RTCPeerConnection[] = [];
const frameTimes: number[] = [];
const connectionStates: Array<{ at: number; state: string }> = [];

const Native = window.RTCPeerConnection;
class TrackedPeerConnection extends Native {
  constructor(config?: RTCConfiguration) {
    super(config);
    connections.push(this);
    this.addEventListener('connectionstatechange', () => connectionStates.push({ at: now(), state: this.connectionState }));
    this.addEventListener('track', (event) => {
      if (showConnectionTracks) show(event.track);
    });
  }
}
window.RTCPeerConnection = TrackedPeerConnection as typeof RTCPeerConnection;

let showConnectionTracks = true;

/**
 * A page whose code hands out remote streams (the engine's snapshot, as the product's UI
 * gets them) shows those with `show`; the plain pages show every connection's tracks.
 */
export function showTracksOfConnections(on: boolean): void {
  showConnectionTracks = on;
}

const shown = new WeakSet<MediaStreamTrack>();

/** Renders a remote video track (frames are recorded) or plays a remote audio track, once. */
export function show(track: MediaStreamTrack): void {
  if (shown.has(track)) return;
  shown.add(track);
  if (track.kind === 'video') render(track);
  else if (playAudio) play(track);
}

function render(track: MediaStreamTrack): void {
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.width = 320;
  video.height = 240;
  video.srcObject = new MediaStream([track]);
  document.body.append(video);
  // An ending track presents one last (black) frame: only frames of a live track count.
  const presented = () => {
    if (track.readyState === 'live' && !track.muted) frameTimes.push(now());
  };
  if (typeof HTMLVideoElement.prototype.requestVideoFrameCallback === 'function') {
    const onFrame = () => {
      presented();
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  } else {
    // Without frame callbacks, the element's own count of presented frames, read often.
    let seen = 0;
    const poll = setInterval(() => {
      if (track.readyState === 'ended') clearInterval(poll);
      const total = video.getVideoPlaybackQuality().totalVideoFrames;
      if (total > seen) presented();
      seen = total;
    }, 10);
  }
  void video.play().catch(() => undefined);
}

let playAudio = true;

/** Pages that only need video proof (the 16-tab load run) skip audio playout, which costs CPU per tab. */
export function playRemoteAudio(on: boolean): void {
  playAudio = on;
}

/**
 * Plays remote audio as a page would: Chromium decodes (and counts audio energy and
 * concealment for) a remote audio track only while something plays it out.
 */
function play(track: MediaStreamTrack): void {
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = new MediaStream([track]);
  document.body.append(audio);
  void audio.play().catch(() => undefined);
}

async function statsOf(pc: RTCPeerConnection): Promise<Map<string, Record<string, unknown>>> {
  const report = await pc.getStats();
  const out = new Map<string, Record<string, unknown>>();
  report.forEach((value: Record<string, unknown>, key: string) => out.set(key, value));
  return out;
}

async function path(): Promise<ObservedPath | null> {
  for (const pc of [...connections].reverse()) {
    const stats = await statsOf(pc);
    for (const pair of selectedPairs(stats)) {
      const local = pair && stats.get(pair.localCandidateId as string);
      const remote = pair && stats.get(pair.remoteCandidateId as string);
      if (!local || !remote) continue;
      const out: ObservedPath = {
        local: String(local.candidateType),
        remote: String(remote.candidateType),
        protocol: String(local.protocol),
      };
      if (local.candidateType === 'relay') {
        out.relayProtocol = String(local.relayProtocol);
        const port = /:(\d+)(\?|$)/.exec(String(local.url ?? ''));
        if (port) out.relayPort = Number(port[1]);
      }
      return out;
    }
  }
  return null;
}

async function media(): Promise<MediaCounters> {
  const out: MediaCounters = { framesDecoded: 0, audioEnergy: 0, audioPackets: 0, bytesReceived: 0, videoCodec: null };
  for (const pc of connections) {
    const stats = await statsOf(pc);
    for (const s of stats.values()) {
      if (s.type !== 'inbound-rtp') continue;
      out.bytesReceived += Number(s.bytesReceived ?? 0);
      if (s.kind === 'video') {
        out.framesDecoded += Number(s.framesDecoded ?? 0);
        const codec = stats.get(String(s.codecId))?.mimeType;
        if (typeof codec === 'string') out.videoCodec = codec;
      }
      if (s.kind === 'audio') {
        out.audioEnergy += Number(s.totalAudioEnergy ?? 0);
        out.audioPackets += Number(s.packetsReceived ?? 0);
      }
    }
  }
  return out;
}

/**
 * The selected candidate pair(s): Chromium names them on its transport stats; Firefox's may
 * not, and it marks the pair itself (`selected`); the standard fallback is the nominated
 * pair that succeeded.
 */
function selectedPairs(stats: Map<string, Record<string, unknown>>): Record<string, unknown>[] {
  const all = [...stats.values()];
  const named = all
    .filter((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')
    .map((s) => stats.get(s.selectedCandidatePairId as string))
    .filter((pair) => pair !== undefined);
  if (named.length) return named;
  const pairs = all.filter((s) => s.type === 'candidate-pair');
  const selected = pairs.filter((pair) => pair.selected === true);
  return selected.length ? selected : pairs.filter((pair) => pair.nominated === true && pair.state === 'succeeded');
}

async function sentHeight(): Promise<number | null> {
  let height: number | null = null;
  for (const pc of connections) {
    if (pc.connectionState === 'closed') continue;
    for (const s of (await statsOf(pc)).values()) {
      if (s.type === 'outbound-rtp' && s.kind === 'video' && typeof s.frameHeight === 'number')
        height = Math.max(height ?? 0, s.frameHeight);
    }
  }
  return height;
}

/** The video counters of the open connections in one line, for traces of a recovery. */
async function videoCounters(): Promise<string> {
  const parts: string[] = [];
  for (const pc of connections) {
    if (pc.connectionState === 'closed') continue;
    for (const s of (await statsOf(pc)).values()) {
      if (s.kind !== 'video') continue;
      if (s.type === 'inbound-rtp')
        parts.push(
          `in pkts ${s.packetsReceived} frames ${s.framesReceived}/${s.framesDecoded} key ${s.keyFramesDecoded} pli ${s.pliCount} fir ${s.firCount} nack ${s.nackCount}`,
        );
      if (s.type === 'outbound-rtp')
        parts.push(
          `out pkts ${s.packetsSent} frames ${s.framesEncoded}/${s.framesSent} key ${s.keyFramesEncoded} pli ${s.pliCount} ${s.frameHeight ?? '-'}p target ${Math.round(Number(s.targetBitrate ?? 0) / 1000)}k ${s.qualityLimitationReason ?? ''} active ${s.active}`,
        );
    }
  }
  return parts.join('; ');
}

export const probe: Probe = { frameTimes, connectionStates, path, media, sentHeight, videoCounters };
(window as unknown as { probe: Probe }).probe = probe;
export { now };

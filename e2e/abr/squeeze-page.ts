/**
 * Browser side of the squeeze comparison: the lab's plain WebRTC call
 * (e2e/lab/pages/baseline.ts, observed by its probe) with the quality
 * controller attached to each peer connection once it connects. With
 * `adapt` off the controller only measures (plain Chromium congestion
 * control); with it on it drives the encoders and munges Opus FEC/DTX, as
 * the engine does (and prefers audio RED when asked). Remote audio plays in an <audio>
 * element in both rows: Chrome counts concealment only for audio played out.
 */
import '../lab/pages/baseline';
import {
  createQualityController,
  preferAudioRed,
  withOpusFecAndDtx,
  type QualityController,
  type QualityTunables,
} from '../../app/src/call/quality/index';

export interface Row {
  at: number;
  sentAudioBps: number | null;
  sentVideoBps: number | null;
  estimate: number | null;
  loss: number | null;
  rttMs: number | null;
  rung: string | null;
  /** Why the rung last changed ('bandwidth', 'loss', 'queueing', 'headroom', 'resume', 'undone'). */
  lastChange: string | null;
  level: string | null;
  paused: boolean;
  sentHeight: number | null;
  limitation: string | null;
  /** What this side received: concealed audio share and video freezes during the sample. */
  concealment: number | null;
  freezes: number;
  freezeMs: number;
}

export interface Counters {
  at: number;
  concealedSamples: number;
  silentConcealedSamples: number;
  totalSamplesReceived: number;
  freezeCount: number;
  totalFreezesDuration: number;
  /** Chrome's pauses: no frame for over 5 s (a video paused for bandwidth), kept apart from its freezes. */
  pauseCount: number;
  totalPausesDuration: number;
  framesDecoded: number;
  receivedHeight: number | null;
  videoBytesSent: number;
  audioBytesSent: number;
  /** Codec of the audio we send ('audio/red' when RED was negotiated). */
  audioCodec: string | null;
  /** NACKs our video sender received, and the bytes it sent again (`retransmittedBytesSent`). */
  videoNacks: number;
  videoRetransmittedBytes: number;
}

export interface SqueezeApi {
  setAdapt(on: boolean): void;
  /** Prefer audio RED (controller row only); off unless asked for (see squeeze-compare.ts). */
  setRed(on: boolean): void;
  /** Controller row only: the audio receiver's jitterBufferTarget (ms), null = the browser's own. */
  setJitterTarget(ms: number | null): void;
  /** Controller row only: tunables overriding the defaults (SQUEEZE_TUNABLES, for experiments). */
  setTunables(overrides: Partial<QualityTunables>): void;
  /** Controller row only: our audio leaves Chrome's bandwidth estimate (no transport-wide sequence numbers). */
  setAudioOutsideEstimate(on: boolean): void;
  /** Controller row only: video negotiates no NACK, so nothing is retransmitted on request. */
  setNoVideoNack(on: boolean): void;
  rows(): Row[];
  /** Outbound bytes every 200 ms: [epoch ms, audio bytes, video bytes]. */
  fine(): [number, number, number][];
  /**
   * Received audio every 200 ms: [epoch ms, concealed (not silent), samples, packets lost,
   * packets received, jitter buffer delay s, emitted].
   */
  fineAudio(): number[][];
  /** Height of the peer's video as received, every 200 ms: [epoch ms, frameHeight or null]. */
  receivedVideo(): [number, number | null][];
  counters(): Promise<Counters | null>;
  /** Negotiated payload types and their codecs ([payloadType, mimeType]), to name the packets of a capture. */
  codecs(): Promise<[number, string][]>;
  errors: string[];
}

declare global {
  interface Window {
    squeeze: SqueezeApi;
  }
}

const now = () => performance.timeOrigin + performance.now();
const rows: Row[] = [];
const fine: [number, number, number][] = [];
const fineAudio: number[][] = [];
const receivedVideo: [number, number | null][] = [];
const errors: string[] = [];
let adapt = false;
let red = false;
let audioOutsideEstimate = false;
let noVideoNack = false;
let jitterTargetMs: number | null = null;
let tunables: Partial<QualityTunables> = {};
let pc: RTCPeerConnection | null = null;
let controller: QualityController | null = null;

function attach(connection: RTCPeerConnection): void {
  if (controller) return;
  pc = connection;
  controller = createQualityController({
    pc: connection,
    adapt,
    tunables,
    onError: (e) => errors.push(`${e.reason}: ${String((e.cause as Error)?.message ?? e.cause)}`),
    onSample: (s, state) =>
      rows.push({
        at: now(),
        sentAudioBps: s.sentAudioBps,
        sentVideoBps: s.sentVideoBps,
        estimate: s.availableOutgoingBitrate,
        loss: s.loss,
        rttMs: s.rttMs,
        rung: state.rung,
        lastChange: state.lastChange,
        level: state.level,
        paused: state.rung === 'paused', // the encoder's state (the user is told later, once a resume held)
        sentHeight: s.sentVideo?.height ?? null,
        limitation: s.qualityLimitationReason,
        concealment: s.audioConcealment,
        freezes: s.freezes,
        freezeMs: s.freezeDurationMs,
      }),
  });
  controller.start();
  const tick = async () => {
    if (!pc || pc.connectionState === 'closed') return;
    let audio = 0;
    let video = 0;
    let height: number | null = null;
    const a: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'audio') audio += s.bytesSent ?? 0;
      if (s.type === 'outbound-rtp' && s.kind === 'video') video += s.bytesSent ?? 0;
      if (s.type === 'inbound-rtp' && s.kind === 'video' && typeof s.frameHeight === 'number')
        height = Math.max(height ?? 0, s.frameHeight);
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        a[0] += (s.concealedSamples ?? 0) - (s.silentConcealedSamples ?? 0);
        a[1] += s.totalSamplesReceived ?? 0;
        a[2] += s.packetsLost ?? 0;
        a[3] += s.packetsReceived ?? 0;
        a[4] += s.jitterBufferDelay ?? 0;
        a[5] += s.jitterBufferEmittedCount ?? 0;
      }
    });
    const at = now();
    fine.push([at, audio, video]);
    fineAudio.push([at, ...a]);
    receivedVideo.push([at, height]);
    setTimeout(() => void tick(), 200);
  };
  void tick();
}

const Observed = window.RTCPeerConnection;
class WithQuality extends Observed {
  constructor(config?: RTCConfiguration) {
    super(config);
    this.addEventListener('connectionstatechange', () => {
      if (this.connectionState === 'connected') attach(this);
    });
    // Play remote audio: Chrome only pulls (and counts concealment for) audio that is played out.
    this.addEventListener('track', (event) => {
      if (event.track.kind !== 'audio') return;
      if (adapt && jitterTargetMs !== null)
        (event.receiver as RTCRtpReceiver & { jitterBufferTarget: number | null }).jitterBufferTarget = jitterTargetMs;
      const audio = document.createElement('audio');
      audio.autoplay = true;
      audio.srcObject = new MediaStream([event.track]);
      document.body.append(audio);
      void audio.play().catch((e: unknown) => errors.push(`audio playout: ${String(e)}`));
    });
  }
  // Codec preferences must be set before the offer or answer is created (the baseline page creates both).
  // Overriding overloaded methods: TypeScript accepts only `any` for the merged signature.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override createOffer(...args: any[]): any {
    this.preferRed();
    return (super.createOffer as (...a: unknown[]) => unknown)(...args);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override createAnswer(...args: any[]): any {
    this.preferRed();
    return (super.createAnswer as (...a: unknown[]) => unknown)(...args);
  }
  private preferRed(): void {
    if (!adapt || !red) return;
    for (const t of this.getTransceivers()) if (t.receiver.track.kind === 'audio') preferAudioRed(t);
  }
  override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (!adapt || !description?.sdp) return super.setRemoteDescription(description);
    // Our Opus encoder follows the remote description's fmtp.
    let sdp = withOpusFecAndDtx(description.sdp);
    if (audioOutsideEstimate) sdp = withoutAudioTransportCc(sdp);
    // Generic NACK only: `nack pli` (keyframe requests) stays.
    if (noVideoNack) sdp = sdp.replace(/\r\na=rtcp-fb:\d+ nack(?=\r\n)/g, '');
    return super.setRemoteDescription({ type: description.type, sdp });
  }
}
window.RTCPeerConnection = WithQuality as typeof RTCPeerConnection;

/** The audio section without transport-wide congestion control: our audio packets then carry no transport sequence numbers. */
function withoutAudioTransportCc(sdp: string): string {
  const sections = sdp.split(/(?=\r\nm=)/);
  return sections
    .map((section) =>
      section.startsWith('\r\nm=audio')
        ? section
            .split('\r\n')
            .filter((line) => !/transport-wide-cc|^a=rtcp-fb:\d+ transport-cc/.test(line))
            .join('\r\n')
        : section,
    )
    .join('');
}

async function counters(): Promise<Counters | null> {
  if (!pc) return null;
  const c: Counters = {
    at: now(),
    concealedSamples: 0,
    silentConcealedSamples: 0,
    totalSamplesReceived: 0,
    freezeCount: 0,
    totalFreezesDuration: 0,
    pauseCount: 0,
    totalPausesDuration: 0,
    framesDecoded: 0,
    receivedHeight: null,
    videoBytesSent: 0,
    audioBytesSent: 0,
    audioCodec: null,
    videoNacks: 0,
    videoRetransmittedBytes: 0,
  };
  const report = await pc.getStats();
  report.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      c.concealedSamples += s.concealedSamples ?? 0;
      c.silentConcealedSamples += s.silentConcealedSamples ?? 0;
      c.totalSamplesReceived += s.totalSamplesReceived ?? 0;
    }
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      c.freezeCount += s.freezeCount ?? 0;
      c.totalFreezesDuration += s.totalFreezesDuration ?? 0;
      c.pauseCount += s.pauseCount ?? 0;
      c.totalPausesDuration += s.totalPausesDuration ?? 0;
      c.framesDecoded += s.framesDecoded ?? 0;
      c.receivedHeight = s.frameHeight ?? c.receivedHeight;
    }
    if (s.type === 'outbound-rtp' && s.kind === 'video') {
      c.videoBytesSent += s.bytesSent ?? 0;
      c.videoNacks += s.nackCount ?? 0;
      c.videoRetransmittedBytes += s.retransmittedBytesSent ?? 0;
    }
    if (s.type === 'outbound-rtp' && s.kind === 'audio') {
      c.audioBytesSent += s.bytesSent ?? 0;
      c.audioCodec = report.get(s.codecId)?.mimeType ?? c.audioCodec;
    }
  });
  return c;
}

/** From the remote description: our packets carry the payload types the other side asked for (RTX included, which getStats leaves out). */
async function codecs(): Promise<[number, string][]> {
  const found: [number, string][] = [];
  let kind = '';
  for (const line of pc?.remoteDescription?.sdp.split('\r\n') ?? []) {
    kind = /^m=(\w+)/.exec(line)?.[1] ?? kind;
    const map = /^a=rtpmap:(\d+) ([^/]+)/.exec(line);
    if (map) found.push([Number(map[1]), `${kind}/${map[2]}`]);
  }
  return found;
}

window.squeeze = {
  setAdapt: (on) => void (adapt = on),
  setRed: (on) => void (red = on),
  setAudioOutsideEstimate: (on) => void (audioOutsideEstimate = on),
  setNoVideoNack: (on) => void (noVideoNack = on),
  setJitterTarget: (ms) => void (jitterTargetMs = ms),
  setTunables: (overrides) => void (tunables = overrides),
  rows: () => rows,
  fine: () => fine,
  fineAudio: () => fineAudio,
  receivedVideo: () => receivedVideo,
  counters,
  codecs,
  errors,
};

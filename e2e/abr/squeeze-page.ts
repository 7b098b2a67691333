/**
 * Browser side of the squeeze comparison: the lab's plain WebRTC call
 * (e2e/lab/pages/baseline.ts, observed by its probe) with the quality
 * controller attached to each peer connection once it connects. With
 * `adapt` off the controller only measures (plain Chromium congestion
 * control); with it on it drives the encoders and munges Opus FEC/DTX.
 */
import '../lab/pages/baseline';
import { createQualityController, withOpusFecAndDtx, type QualityController } from '../../app/src/call/quality/index';

export interface Row {
  at: number;
  sentAudioBps: number | null;
  sentVideoBps: number | null;
  estimate: number | null;
  loss: number | null;
  rttMs: number | null;
  rung: string | null;
  level: string | null;
  paused: boolean;
  sentHeight: number | null;
  limitation: string | null;
}

export interface Counters {
  at: number;
  concealedSamples: number;
  silentConcealedSamples: number;
  totalSamplesReceived: number;
  freezeCount: number;
  totalFreezesDuration: number;
  framesDecoded: number;
  receivedHeight: number | null;
  videoBytesSent: number;
  audioBytesSent: number;
}

export interface SqueezeApi {
  setAdapt(on: boolean): void;
  rows(): Row[];
  /** Outbound bytes every 200 ms: [epoch ms, audio bytes, video bytes]. */
  fine(): [number, number, number][];
  counters(): Promise<Counters | null>;
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
const errors: string[] = [];
let adapt = false;
let pc: RTCPeerConnection | null = null;
let controller: QualityController | null = null;

function attach(connection: RTCPeerConnection): void {
  if (controller) return;
  pc = connection;
  controller = createQualityController({
    pc: connection,
    adapt,
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
        level: state.level,
        paused: state.videoPausedForBandwidth,
        sentHeight: s.sentVideo?.height ?? null,
        limitation: s.qualityLimitationReason,
      }),
  });
  controller.start();
  const tick = async () => {
    if (!pc || pc.connectionState === 'closed') return;
    let audio = 0;
    let video = 0;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'audio') audio += s.bytesSent ?? 0;
      if (s.type === 'outbound-rtp' && s.kind === 'video') video += s.bytesSent ?? 0;
    });
    fine.push([now(), audio, video]);
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
      const audio = document.createElement('audio');
      audio.autoplay = true;
      audio.srcObject = new MediaStream([event.track]);
      document.body.append(audio);
      void audio.play().catch((e: unknown) => errors.push(`audio playout: ${String(e)}`));
    });
  }
  override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    // Our Opus encoder follows the remote description's fmtp.
    const munged = adapt && description?.sdp ? { type: description.type, sdp: withOpusFecAndDtx(description.sdp) } : description;
    return super.setRemoteDescription(munged);
  }
}
window.RTCPeerConnection = WithQuality as typeof RTCPeerConnection;

async function counters(): Promise<Counters | null> {
  if (!pc) return null;
  const c: Counters = {
    at: now(), concealedSamples: 0, silentConcealedSamples: 0, totalSamplesReceived: 0, freezeCount: 0,
    totalFreezesDuration: 0, framesDecoded: 0, receivedHeight: null, videoBytesSent: 0, audioBytesSent: 0,
  };
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      c.concealedSamples += s.concealedSamples ?? 0;
      c.silentConcealedSamples += s.silentConcealedSamples ?? 0;
      c.totalSamplesReceived += s.totalSamplesReceived ?? 0;
    }
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      c.freezeCount += s.freezeCount ?? 0;
      c.totalFreezesDuration += s.totalFreezesDuration ?? 0;
      c.framesDecoded += s.framesDecoded ?? 0;
      c.receivedHeight = s.frameHeight ?? c.receivedHeight;
    }
    if (s.type === 'outbound-rtp' && s.kind === 'video') c.videoBytesSent += s.bytesSent ?? 0;
    if (s.type === 'outbound-rtp' && s.kind === 'audio') c.audioBytesSent += s.bytesSent ?? 0;
  });
  return c;
}

window.squeeze = {
  setAdapt: (on) => void (adapt = on),
  rows: () => rows,
  fine: () => fine,
  counters,
  errors,
};

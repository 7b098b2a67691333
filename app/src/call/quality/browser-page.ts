/**
 * Page script for quality.browser.test.ts: two RTCPeerConnections in one
 * Chromium page (fake camera and microphone), the real controller on the
 * sending side. Exposes `window.qualityPage` for the test to drive.
 */
import { createQualityController, withOpusFecAndDtx, type QualityController, type QualityTunables } from './index';

let caller: RTCPeerConnection;
let callee: RTCPeerConnection;
let videoSender: RTCRtpSender;
let audioSender: RTCRtpSender;
let controller: QualityController | null = null;
/** The callee's own controller, measuring only: what the person watching is told. */
let watcher: QualityController | null = null;
let calleeSamples = 0;
const errors: string[] = [];

async function connect(): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480, frameRate: 30 } });
  caller = new RTCPeerConnection();
  callee = new RTCPeerConnection();
  caller.onicecandidate = (e) => e.candidate && void callee.addIceCandidate(e.candidate);
  callee.onicecandidate = (e) => e.candidate && void caller.addIceCandidate(e.candidate);
  audioSender = caller.addTrack(stream.getAudioTracks()[0]!, stream);
  videoSender = caller.addTrack(stream.getVideoTracks()[0]!, stream);
  const offer = await caller.createOffer();
  await caller.setLocalDescription(offer);
  await callee.setRemoteDescription(offer);
  const answer = await callee.createAnswer();
  await callee.setLocalDescription(answer);
  // The caller's Opus encoder follows the answer's fmtp.
  await caller.setRemoteDescription({ type: 'answer', sdp: withOpusFecAndDtx(answer.sdp!) });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (caller.connectionState === 'connected') resolve();
      else if (caller.connectionState === 'failed') reject(new Error('loopback call failed'));
      else setTimeout(check, 50);
    };
    check();
  });
  watcher = createQualityController({
    pc: callee,
    adapt: false,
    onError: (e) => errors.push(`callee ${e.reason}`),
    onSample: () => void (calleeSamples += 1),
  });
  watcher.start();
}

function start(tunables: Partial<QualityTunables> = {}, explicit = true): void {
  controller?.stop();
  controller = createQualityController({
    pc: caller,
    ...(explicit ? { videoSender, audioSender } : {}),
    tunables,
    onError: (e) => errors.push(`${e.reason}: ${String((e.cause as Error)?.message ?? e.cause)}`),
  });
  controller.start();
}

function parameters() {
  const v = videoSender.getParameters();
  const a = audioSender.getParameters();
  return {
    video: { encodings: v.encodings, degradationPreference: v.degradationPreference ?? null },
    audio: { encodings: a.encodings, fmtp: a.codecs.find((c) => /opus/i.test(c.mimeType))?.sdpFmtpLine ?? null },
  };
}

async function media() {
  const [sent, received] = await Promise.all([caller.getStats(), callee.getStats()]);
  let out: Record<string, unknown> = {};
  let inn: Record<string, unknown> = {};
  sent.forEach((s) => {
    if (s.type === 'outbound-rtp' && s.kind === 'video') out = s;
  });
  received.forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') inn = s;
  });
  return { sentHeight: out.frameHeight ?? null, framesSent: out.framesSent ?? 0, receivedHeight: inn.frameHeight ?? null };
}

(window as unknown as { qualityPage: unknown }).qualityPage = {
  connect,
  start,
  parameters,
  media,
  state: () => ({ ...controller?.state, errors }),
  calleeState: () => ({ ...watcher?.state, samples: calleeSamples }),
  cameraOn: (on: boolean) => {
    videoSender.track!.enabled = on;
  },
  shareScreen: (on: boolean) => controller?.setVideoSender(videoSender, on ? 'screen' : 'camera'),
  close: () => {
    controller?.stop();
    watcher?.stop();
    caller?.close();
    callee?.close();
  },
};
document.documentElement.dataset.ready = '';

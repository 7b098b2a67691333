/**
 * Browser side: the plain WebRTC floor the benchmark compares firecall to.
 * Trickle ICE, one signaling message per candidate, the callee answers as
 * soon as the offer arrives. Messages leave through `labSend` (a binding to the
 * Node harness, which delivers them to the other browser after the modeled
 * latency) and arrive through `labReceive`.
 */
import { probe, now } from './probe';

type Message = { type: 'offer' | 'answer'; sdp: string } | { type: 'candidate'; candidate: RTCIceCandidateInit | null };

declare global {
  interface Window {
    labSend(message: Message, sentAt: number): Promise<void>;
    labReceive(message: Message): void;
    baseline: BaselineApi;
  }
}

export interface BaselineTimings {
  click: number;
  media?: number;
  offerSent?: number;
  answerReceived?: number;
  iceConnected?: number;
  connected?: number;
  failed?: number;
}

interface BaselineApi {
  /** Caller: the user clicks "call". */
  call(iceServers: RTCIceServer[]): void;
  /** Callee: answer the offer as soon as it arrives. */
  answerOnRing(iceServers: RTCIceServer[]): void;
  timings: BaselineTimings | null;
  error: string | null;
}

let pc: RTCPeerConnection | null = null;
const pendingCandidates: RTCIceCandidateInit[] = [];
const api: BaselineApi = { call, answerOnRing, timings: null, error: null };
let iceServers: RTCIceServer[] = [];

function send(message: Message): void {
  void window.labSend(message, Date.now()).catch((error: unknown) => fail(error));
}

function fail(error: unknown): void {
  api.error ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function connection(): Promise<RTCPeerConnection> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  if (api.timings) api.timings.media = now();
  const peer = new RTCPeerConnection({ iceServers });
  for (const track of stream.getTracks()) peer.addTrack(track, stream);
  peer.onicecandidate = (event) => send({ type: 'candidate', candidate: event.candidate ? event.candidate.toJSON() : null });
  peer.oniceconnectionstatechange = () => {
    if (api.timings && peer.iceConnectionState === 'connected') api.timings.iceConnected ??= now();
  };
  peer.onconnectionstatechange = () => {
    if (!api.timings) return;
    if (peer.connectionState === 'connected') api.timings.connected ??= now();
    if (peer.connectionState === 'failed') api.timings.failed ??= now();
  };
  return peer;
}

async function flushCandidates(): Promise<void> {
  for (const candidate of pendingCandidates.splice(0)) await pc?.addIceCandidate(candidate);
}

function call(servers: RTCIceServer[]): void {
  iceServers = servers;
  api.timings = { click: now() };
  void (async () => {
    pc = await connection();
    await pc.setLocalDescription(await pc.createOffer());
    send({ type: 'offer', sdp: pc.localDescription!.sdp });
    api.timings!.offerSent = now();
  })().catch(fail);
}

function answerOnRing(servers: RTCIceServer[]): void {
  iceServers = servers;
}

window.labReceive = (message: Message) => {
  void (async () => {
    if (message.type === 'offer') {
      api.timings = { click: now() };
      pc = await connection();
      await pc.setRemoteDescription({ type: 'offer', sdp: message.sdp });
      await flushCandidates();
      await pc.setLocalDescription(await pc.createAnswer());
      send({ type: 'answer', sdp: pc.localDescription!.sdp });
    } else if (message.type === 'answer') {
      if (api.timings) api.timings.answerReceived = now();
      await pc!.setRemoteDescription({ type: 'answer', sdp: message.sdp });
      await flushCandidates();
    } else if (message.type === 'candidate' && message.candidate) {
      if (pc?.remoteDescription) await pc.addIceCandidate(message.candidate);
      else pendingCandidates.push(message.candidate);
    }
  })().catch(fail);
};

window.baseline = api;
void probe;

/**
 * The adaptive-bitrate controller of one call: samples getStats every second,
 * moves our outgoing video along a ladder of encodings, keeps audio first,
 * and publishes the quality level and whether video is paused for bandwidth.
 *
 * The engine creates it once media is connected, calls `setVideoSender` when
 * the video sender or its source (camera / screen) changes, and `stop()`s it
 * when the call ends. It never touches signaling or the DOM.
 */
import type { QualityLevel } from '../types';
import { systemClock, type QualityClock } from './clock';
import type { QualityError } from './errors';
import { initialLadderState, isPaused, isResuming, nextLadderState, type LadderState } from './ladder';
import { initialPeerVideoState, nextPeerVideoState, type PeerVideoState } from './peer-video';
import { initialLevelState, levelOfSample, nextLevelState, type LevelState } from './level';
import { createStatsPoller, type StatsPoller } from './poller';
import { createParametersApplier, type ParametersApplier, type ParametersWish, type SenderLike } from './sender-params';
import type { QualitySample, StatsReportLike } from './stats';
import { resolveTunables, type QualityTunables, type Rung } from './tunables';

export type VideoSource = 'camera' | 'screen';

export interface QualityState {
  /** What the user sees; null until the first full sample. */
  level: QualityLevel | null;
  /**
   * True while our video is switched off because the network cannot carry it, and
   * until a resume has held (`failedStepUpWindowMs`), so a try that fails is not news twice.
   */
  videoPausedForBandwidth: boolean;
  /** True while the peer's audio reaches us and their video does not (their picture is stuck). */
  peerVideoPaused: boolean;
  /** Current rung name ('360p', 'screen-4fps', 'paused'); null without video or with adaptation off. */
  rung: string | null;
  /** Why the rung last changed ('bandwidth', 'loss', 'queueing', 'headroom', 'resume'). */
  lastChange: string | null;
}

/** The part of RTCPeerConnection the controller uses. */
export interface PeerConnectionLike {
  getStats(): Promise<StatsReportLike>;
  getTransceivers?(): readonly TransceiverLike[];
}
interface TransceiverLike {
  readonly sender: SenderLike;
  readonly receiver: { readonly track: { readonly kind: string } | null };
  readonly currentDirection?: RTCRtpTransceiverDirection | null;
  readonly direction?: RTCRtpTransceiverDirection;
}

export interface QualityControllerOptions {
  /** The call's peer connection. */
  pc: PeerConnectionLike;
  /**
   * Sender of our video, if any (voice calls have none). Leave both senders
   * out to let the controller find them on `pc` before every sample: that
   * follows replaceTrack, renegotiation and screen share (a track with
   * `displaySurface` in its settings, or contentHint 'detail' or 'text', is a
   * screen) without any wiring.
   */
  videoSender?: SenderLike | null;
  /** Sender of our audio: gets high priority. */
  audioSender?: SenderLike | null;
  /** What the video sender carries; screen share keeps resolution and gives up frame rate. Default camera. */
  source?: VideoSource;
  clock?: QualityClock;
  tunables?: Partial<QualityTunables>;
  /**
   * False measures and publishes the level but never touches encodings (the
   * lab's "plain Chromium" baseline). Default true.
   */
  adapt?: boolean;
  /** Level, paused flag or rung changed. */
  onChange?: (state: QualityState) => void;
  /** Every sample, for diagnostics and the lab. */
  onSample?: (sample: QualitySample, state: QualityState) => void;
  /** Stats or setParameters trouble; the call goes on. */
  onError?: (error: QualityError) => void;
}

export interface QualityController {
  readonly state: QualityState;
  /** Begin sampling (idempotent). Applies audio priority and the starting rung at once. */
  start(): void;
  /** Stop sampling; encodings stay as they are. */
  stop(): void;
  /** The video sender changed (added, removed, or now carries the screen instead of the camera). */
  setVideoSender(sender: SenderLike | null, source?: VideoSource): void;
  setAudioSender(sender: SenderLike | null): void;
}

/**
 * Audio first inside Chrome (its share of the estimate), but no DSCP mark:
 * networkPriority 'high' makes Chrome mark audio EF, and behind a bottleneck
 * that honours EF (voice QoS, Wi-Fi WMM) audio then skips the queue, so Chrome's
 * estimate, which audio's packets feed, stopped falling at ~340 kbit/s on a
 * 250 kbit/s link and retransmissions starved the video (the lab's voice-first
 * squeeze: 6.6-10.9 s frozen against plain Chrome's 2.1-3.4 s; quality README).
 */
const AUDIO_FIRST: ParametersWish = { encoding: { priority: 'high' } };

/** Divides the track's actual shorter side down to the rung; never upscales. */
function scaleFor(rung: Rung, sender: SenderLike, ladder: readonly Rung[]): number {
  if (rung.height === null) return 1;
  const settings = sender.track?.getSettings?.() ?? {};
  const { width, height } = settings;
  // Without settings (no track yet), assume the source matches the top rung.
  const shortSide = width && height ? Math.min(width, height) : (ladder[0]?.height ?? rung.height);
  return Math.max(1, Math.round((shortSide / rung.height) * 100) / 100);
}

function wishFor(state: LadderState, ladder: readonly Rung[], source: VideoSource, sender: SenderLike): ParametersWish {
  const rung = ladder[state.rung];
  if (!rung) return { encoding: { active: false } };
  return {
    encoding: {
      active: true,
      maxBitrate: rung.maxBitrate,
      maxFramerate: rung.maxFramerate,
      scaleResolutionDownBy: scaleFor(rung, sender, ladder),
    },
    degradationPreference: source === 'screen' ? 'maintain-resolution' : 'balanced',
  };
}

/** Our sending transceiver of each kind, and whether the video is a screen capture. */
function findSenders(pc: PeerConnectionLike): { audio: SenderLike | null; video: SenderLike | null; source: VideoSource } {
  const found = { audio: null as SenderLike | null, video: null as SenderLike | null, source: 'camera' as VideoSource };
  for (const transceiver of pc.getTransceivers?.() ?? []) {
    const direction = transceiver.currentDirection ?? transceiver.direction;
    if (direction === 'stopped' || direction === 'recvonly' || direction === 'inactive') continue;
    // The receiver's track always exists and names the kind, even after replaceTrack(null).
    const kind = transceiver.receiver.track?.kind;
    if ((kind === 'audio' || kind === 'video') && !found[kind]) found[kind] = transceiver.sender;
  }
  const track = found.video?.track;
  const settings = track?.getSettings?.() as { displaySurface?: string } | undefined;
  // Not every browser reports displaySurface; the engine marks its screen tracks 'detail' (media.ts).
  if (settings?.displaySurface || track?.contentHint === 'detail' || track?.contentHint === 'text') found.source = 'screen';
  return found;
}

function guard(listener: () => void): void {
  try {
    listener();
  } catch (error) {
    // A broken listener must not stop the sampling loop; surface it out of band.
    queueMicrotask(() => {
      throw error;
    });
  }
}

export function createQualityController(options: QualityControllerOptions): QualityController {
  if (!options || typeof options.pc?.getStats !== 'function') {
    throw new TypeError("createQualityController needs { pc } with getStats(): pass the call's RTCPeerConnection.");
  }
  const t = resolveTunables(options.tunables);
  const clock = options.clock ?? systemClock;
  const adapt = options.adapt ?? true;
  // A setParameters still running when the call ends rejects on the closed connection: not news.
  const onError = (error: QualityError) => running && options.onError && guard(() => options.onError!(error));

  // One applier per sender, so setParameters on a sender is never concurrent.
  const appliers = new WeakMap<SenderLike, ParametersApplier>();
  const applierFor = (sender: SenderLike): ParametersApplier => {
    let applier = appliers.get(sender);
    if (!applier) appliers.set(sender, (applier = createParametersApplier(sender, onError)));
    return applier;
  };
  let video: { sender: SenderLike; applier: ParametersApplier; source: VideoSource; appliedKey: string | null } | null = null;
  let audio: { sender: SenderLike; applier: ParametersApplier; status: 'to-do' | 'pending' | 'done' } | null = null;
  let ladderState = initialLadderState();
  let levelState: LevelState = initialLevelState;
  let peerVideo: PeerVideoState = initialPeerVideoState;
  let state: QualityState = { level: null, videoPausedForBandwidth: false, peerVideoPaused: false, rung: null, lastChange: null };
  let running = false;

  const ladder = (): readonly Rung[] => (video?.source === 'screen' ? t.screenLadder : t.cameraLadder);

  function publish(): void {
    const paused = video !== null && adapt && (isPaused(ladderState, ladder()) || isResuming(ladderState));
    const next: QualityState = {
      level: levelState.level,
      videoPausedForBandwidth: paused,
      peerVideoPaused: peerVideo.paused,
      rung: video && adapt ? (ladder()[ladderState.rung]?.name ?? 'paused') : null,
      lastChange: video && adapt ? ladderState.lastChange : null,
    };
    const changed =
      next.level !== state.level ||
      next.videoPausedForBandwidth !== state.videoPausedForBandwidth ||
      next.peerVideoPaused !== state.peerVideoPaused ||
      next.rung !== state.rung;
    state = next;
    if (changed && options.onChange) guard(() => options.onChange!(state));
  }

  /** Brings the senders to what the current state wants; cheap when nothing changed. */
  function applyWanted(): void {
    if (!adapt) return;
    if (audio && audio.status === 'to-do') {
      const target = audio;
      target.status = 'pending';
      void target.applier.apply(AUDIO_FIRST).then((ok) => {
        target.status = ok ? 'done' : 'to-do'; // not negotiated yet: next sample
      });
    }
    if (video) {
      if (video.source === 'screen' && video.sender.track && 'contentHint' in video.sender.track && !video.sender.track.contentHint) {
        // Tells the encoder this is text and detail, not motion.
        video.sender.track.contentHint = 'detail';
      }
      const wish = wishFor(ladderState, ladder(), video.source, video.sender);
      const key = JSON.stringify(wish);
      if (key === video.appliedKey) return;
      const target = video;
      target.appliedKey = key;
      void target.applier.apply(wish).then((ok) => {
        if (!ok && video === target && target.appliedKey === key) target.appliedKey = null; // retry next sample
      });
    }
  }

  const followSenders =
    options.videoSender === undefined && options.audioSender === undefined && typeof options.pc.getTransceivers === 'function';
  function syncSenders(): void {
    if (!followSenders) return;
    const found = findSenders(options.pc);
    if (found.audio !== (audio?.sender ?? null)) controller.setAudioSender(found.audio);
    if (found.video !== (video?.sender ?? null) || (found.video && found.source !== video?.source)) {
      controller.setVideoSender(found.video, found.source);
    }
  }

  function onSample(sample: QualitySample): void {
    syncSenders();
    if (video && adapt) ladderState = nextLadderState(ladderState, sample, ladder(), t);
    peerVideo = nextPeerVideoState(peerVideo, sample, t);
    if (sample.intervalMs > 0) {
      const rung = video ? ladder()[ladderState.rung] : undefined;
      const observed = levelOfSample(
        sample,
        { paused: video !== null && adapt && isPaused(ladderState, ladder()), capBps: video && adapt ? (rung?.maxBitrate ?? 0) : null },
        t,
      );
      levelState = nextLevelState(levelState, observed, t);
    }
    applyWanted();
    publish();
    if (options.onSample) guard(() => options.onSample!(sample, state));
  }

  const poller: StatsPoller = createStatsPoller({
    getStats: () => options.pc.getStats(),
    clock,
    intervalMs: t.sampleIntervalMs,
    onSample,
    onError,
  });

  const controller: QualityController = {
    get state() {
      return state;
    },
    start() {
      if (running) return;
      running = true;
      syncSenders();
      applyWanted();
      publish();
      poller.start();
    },
    stop() {
      if (!running) return;
      running = false;
      poller.stop();
    },
    setVideoSender(sender, source = 'camera') {
      const sameSource = video?.source === source;
      video = sender ? { sender, applier: applierFor(sender), source, appliedKey: null } : null;
      // A new source starts at the top of its own ladder: the estimate and the
      // step-down rules bring it to the right rung within a sample.
      // What was learnt about the network (start time, best RTT, recent estimates) still holds.
      if (!sameSource)
        ladderState = {
          ...ladderState,
          rung: 0,
          headroomSince: null,
          lastStepUpAt: null,
          failedStepUps: 0,
          lastChange: null,
          unconfirmedDrop: null,
        };
      if (running) {
        applyWanted();
        publish();
      }
    },
    setAudioSender(sender) {
      audio = sender ? { sender, applier: applierFor(sender), status: 'to-do' } : null;
      if (running) applyWanted();
    },
  };
  controller.setVideoSender(options.videoSender ?? null, options.source ?? 'camera');
  controller.setAudioSender(options.audioSender ?? null);
  return controller;
}

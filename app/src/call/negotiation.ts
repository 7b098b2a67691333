/**
 * One RTCPeerConnection driven by "perfect negotiation": either side may offer at
 * any time (first offer, ICE restart, screen share on a voice call); on a collision
 * the polite side (the callee) rolls back and the impolite side (the caller) ignores
 * the other offer. Local candidates leave in batches (candidates.ts).
 *
 * Signals reaching `handleSignal` were validated by the adapter; what remains is
 * SDP the browser refuses, which is reported as `bad-signal`.
 */
import type { CandidateInit, Signal, SignalBody } from '../signaling/channel';
import { CandidateBatcher, isReachable } from './candidates';
import { Timer, type Clock } from './clock';
import type { Logger } from './logger';

export type PeerConnectionConstructor = new (configuration?: RTCConfiguration) => RTCPeerConnection;

export interface PeerLinkOptions {
  RTCPeerConnection: PeerConnectionConstructor;
  /** For the stream our tracks are announced in (absent: the global). */
  MediaStream?: (new (tracks?: MediaStreamTrack[]) => MediaStream) | undefined;
  configuration: RTCConfiguration;
  /** The callee is polite: it yields when both sides offer at once. */
  polite: boolean;
  clock: Clock;
  candidateWindowMs: number;
  send: (body: SignalBody) => Promise<void>;
  log: Logger;
  onTrack: (track: MediaStreamTrack, streams: readonly MediaStream[]) => void;
  /** Connection, ICE or signaling state changed. */
  onStateChange: () => void;
  /** The peer sent something the browser cannot use. */
  onBadSignal: (detail: string) => void;
  /** Rewrites the peer's SDP before it is applied (e.g. Opus FEC/DTX). */
  mungeRemoteSdp?: ((sdp: string) => string) | undefined;
  /** Sending failed (signaling unavailable). */
  onSendError: (error: unknown) => void;
}

/** Held remote tracks reach the page by then even when no candidate batch leaves (see applyDescription). */
const TRACK_HOLD_CAP_MS = 500;

export class PeerLink {
  readonly pc: RTCPeerConnection;
  private makingOffer = false;
  private ignoreOffer = false;
  private localStream: MediaStream | null = null;
  private tracksAttached = false;
  private answeredOnce = false;
  private announced: MediaStream | null = null;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private readonly batcher: CandidateBatcher;
  /** True once an answer has been applied on either side (ICE may check). */
  negotiated = false;
  /** Remote tracks that arrived while we answer an offer, handed over once our first reachable candidate left. */
  private heldTracks: Array<[MediaStreamTrack, readonly MediaStream[]]> | null = null;
  private releaseOnReachableBatch = false;
  private readonly trackHoldCap: Timer;

  constructor(private readonly options: PeerLinkOptions) {
    this.pc = new options.RTCPeerConnection(options.configuration);
    this.trackHoldCap = new Timer(options.clock);
    this.batcher = new CandidateBatcher(options.clock, options.candidateWindowMs, (batch) => {
      this.send({ type: 'candidates', ...batch });
      // On the next macrotask: a signaling client may hand the write to the network a few microtasks later.
      if (this.releaseOnReachableBatch && (batch.done || batch.candidates.some(isReachable)))
        this.trackHoldCap.start(0, () => this.releaseHeldTracks());
    });
    const pc = this.pc;
    pc.addEventListener('negotiationneeded', () => void this.makeOffer());
    pc.addEventListener('icecandidate', (event: RTCPeerConnectionIceEvent) => {
      if (this.closed) return;
      const candidate = event.candidate;
      if (!candidate || !candidate.candidate) return this.batcher.add(null);
      this.batcher.add({
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
        ...(candidate.usernameFragment ? { usernameFragment: candidate.usernameFragment } : {}),
      });
    });
    pc.addEventListener('track', (event: RTCTrackEvent) => {
      if (this.closed) return;
      if (this.heldTracks) this.heldTracks.push([event.track, event.streams ?? []]);
      else options.onTrack(event.track, event.streams ?? []);
    });
    for (const type of ['connectionstatechange', 'iceconnectionstatechange', 'signalingstatechange', 'icegatheringstatechange']) {
      pc.addEventListener(type, () => {
        if (this.closed) return;
        // Media can flow now: held tracks must reach the page whatever our candidates do.
        if (this.heldTracks && pc.connectionState === 'connected') this.releaseHeldTracks();
        options.log.debug(`${type.replace('statechange', '')}: ${stateOf(pc, type)}`);
        options.onStateChange();
      });
    }
  }

  /**
   * Offerer: sendrecv transceivers for the call's media before the camera is up, so the
   * offer leaves at once and the tracks arrive later without a second negotiation.
   */
  offerToSend(kinds: readonly ('audio' | 'video')[]): void {
    if (this.closed || this.pc.getTransceivers().length > 0) return;
    const stream = this.outgoing();
    for (const kind of kinds) this.pc.addTransceiver(kind, { direction: 'sendrecv', ...(stream ? { streams: [stream] } : {}) });
  }

  /**
   * Local media to send. It fills the transceivers already negotiated or offered; the
   * answerer's come from the peer's offer, so before that offer its media waits.
   */
  setLocalMedia(stream: MediaStream): void {
    this.localStream = stream;
    this.attachTracks();
  }

  /** Processes the peer's signals one at a time, in order. */
  handleSignal(signal: Signal): Promise<void> {
    this.queue = this.queue
      .then(() => this.process(signal))
      .catch((error) => this.options.log.error(`signal handling failed: ${error?.message ?? error}`));
    return this.queue;
  }

  /**
   * Runs `task` before any signal that arrives after this call is processed, e.g. fetching
   * fresh TURN credentials before answering the peer's ICE restart.
   */
  beforeNextSignal(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error) => this.options.log.error(`pre-signal task failed: ${error?.message ?? error}`));
  }

  /** New TURN credentials without a restart (refresh before expiry). */
  setIceServers(iceServers: RTCIceServer[]): void {
    if (this.closed) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (error) {
      this.options.log.warn(`could not update ICE servers: ${(error as Error).message}`);
    }
  }

  /**
   * An offer/answer round is under way (ours or the peer's). A restart asked for now would
   * follow it at once and throw its checks away, so the Reconnector waits for it instead.
   */
  get negotiating(): boolean {
    return this.makingOffer || this.pc.signalingState !== 'stable';
  }

  /** ICE restart (with new servers when given); the resulting offer goes through perfect negotiation. */
  restartIce(iceServers?: RTCIceServer[]): void {
    if (this.closed) return;
    if (iceServers) this.setIceServers(iceServers);
    this.batcher.reset();
    this.options.log.info('ICE restart');
    this.pc.restartIce();
  }

  senderFor(kind: 'audio' | 'video'): RTCRtpSender | undefined {
    return (
      this.pc.getSenders().find((sender) => sender.track?.kind === kind) ??
      this.pc.getTransceivers().find((t) => t.receiver.track?.kind === kind && t.sender)?.sender
    );
  }

  /**
   * Makes our video encoder send a key frame now. Chromium has no generateKeyFrame() on
   * senders, but starts a layer that becomes active again with one: switch the active
   * encodings off and straight back on (a pause of one setParameters). A tiny change of
   * scale did the same only when it changed the output size, which it does not at 2x.
   */
  async sendKeyFrame(): Promise<void> {
    const sender = this.senderFor('video');
    if (this.closed || !sender?.track || sender.track.readyState !== 'live') return;
    const wasActive = (sender.getParameters().encodings ?? []).map((encoding) => encoding.active !== false);
    if (!wasActive.some(Boolean)) return; // paused video: no frame to refresh
    const setActive = async (on: boolean) => {
      const parameters = sender.getParameters();
      parameters.encodings.forEach((encoding, i) => (encoding.active = on && (wasActive[i] ?? true)));
      await sender.setParameters(parameters);
    };
    try {
      await setActive(false);
    } catch (error) {
      return this.options.log.info(`no key frame forced: ${(error as Error).message}`);
    }
    // Never leave the video off: a concurrent setParameters (the ABR controller) may refuse ours once.
    for (let attempt = 1; ; attempt++) {
      try {
        return await setActive(true);
      } catch (error) {
        if (this.closed || attempt === 3) return this.options.log.warn(`video left paused after a key frame: ${(error as Error).message}`);
      }
    }
  }

  /** Sends `track` in place of the current one of its kind; adds it (renegotiating) when there is none. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<RTCRtpSender | null> {
    if (this.closed) return null;
    const sender = this.senderFor(kind);
    if (sender) {
      await sender.replaceTrack(track);
      return sender;
    }
    if (!track) return null;
    return this.pc.addTrack(track, ...(this.localStream ? [this.localStream] : []));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.batcher.dispose();
    this.trackHoldCap.stop();
    try {
      this.pc.close();
    } catch {
      /* already closed */
    }
  }

  private attachTracks(): void {
    const stream = this.localStream;
    if (this.tracksAttached || !stream || this.closed) return;
    const transceivers = this.pc.getTransceivers();
    // The answerer's transceivers come from the peer's offer: adding tracks before it would
    // open new ones instead of reusing the offered ones.
    if (this.options.polite && transceivers.length === 0) return;
    this.tracksAttached = true;
    for (const track of stream.getTracks()) {
      const free = transceivers.find((t) => t.receiver.track?.kind === track.kind && !t.sender.track && t.direction !== 'stopped');
      if (free) {
        free.sender
          .replaceTrack(track)
          .catch((error: Error) => this.options.log.warn(`could not send the ${track.kind}: ${error.message}`));
        // Our answer said sendrecv already; only an offered transceiver left recvonly needs a new round.
        if (free.direction === 'recvonly' || free.direction === 'inactive') free.direction = 'sendrecv';
      } else this.pc.addTrack(track, stream);
    }
  }

  /** The one stream our tracks are announced in, so the peer sees them together. */
  private outgoing(): MediaStream | null {
    const Stream = this.options.MediaStream ?? (typeof MediaStream === 'function' ? MediaStream : undefined);
    this.announced ??= this.localStream ?? (Stream ? new Stream() : null);
    return this.announced;
  }

  private send(body: SignalBody): void {
    if (this.closed) return;
    this.options.log.debug(
      body.type === 'description'
        ? `sending our ${body.description.type}`
        : body.type === 'candidates'
          ? `sending ${body.candidates.length} candidates${body.done ? ' (done)' : ''}`
          : `sending ${body.type}`,
    );
    this.options.send(body).catch((error) => {
      if (!this.closed) this.options.onSendError(error);
    });
  }

  private async makeOffer(): Promise<void> {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      this.batcher.setPaused(true);
      const offer = await this.pc.createOffer();
      // The state may have moved while creating (a peer offer arrived): skip this round.
      if (this.closed || this.pc.signalingState !== 'stable') return;
      await this.pc.setLocalDescription(offer);
      const local = this.pc.localDescription;
      if (local && !this.closed) this.send({ type: 'description', description: { type: 'offer', sdp: local.sdp } });
    } catch (error) {
      this.options.log.warn(`could not make an offer: ${(error as Error).message}`);
    } finally {
      this.makingOffer = false;
      this.batcher.setPaused(false);
    }
  }

  private async process(signal: Signal): Promise<void> {
    if (this.closed) return;
    if (signal.type === 'description') return this.applyDescription(signal.description);
    if (signal.type === 'candidates') return this.addCandidates(signal.candidates, signal.done === true);
  }

  /**
   * The peer's offer yields our answer and our first server-reflexive or relay candidate
   * before its tracks reach the page. A page attaches them to media elements at once, and
   * the first attach kept Chromium's main thread busy for 50-110 ms in the lab: done before
   * createAnswer it delayed the answer, done right after it delayed our candidates (the
   * icecandidate events wait for the main thread) by ~130 ms. The tracks carry no media
   * before ICE and DTLS are up, so the user sees no difference.
   */
  private async applyDescription(description: { type: 'offer' | 'answer'; sdp: string }): Promise<void> {
    if (description.type === 'answer') return this.applyDescriptionNow(description);
    this.heldTracks ??= [];
    try {
      await this.applyDescriptionNow(description);
    } finally {
      // Nothing to wait for when our reachable candidates already left (a renegotiation without
      // ICE restart brings none) or gathering is over. A hold already running keeps its cap.
      const held = this.heldTracks;
      if (!held || this.closed || held.length === 0 || this.batcher.sentReachable || this.pc.iceGatheringState === 'complete')
        this.releaseHeldTracks();
      else if (!this.releaseOnReachableBatch) {
        this.releaseOnReachableBatch = true;
        this.trackHoldCap.start(TRACK_HOLD_CAP_MS, () => this.releaseHeldTracks());
      }
    }
  }

  private releaseHeldTracks(): void {
    this.releaseOnReachableBatch = false;
    this.trackHoldCap.stop();
    const held = this.heldTracks ?? [];
    this.heldTracks = null;
    for (const [track, streams] of held) if (!this.closed) this.options.onTrack(track, streams);
  }

  private async applyDescriptionNow(description: { type: 'offer' | 'answer'; sdp: string }): Promise<void> {
    const pc = this.pc;
    const collision = description.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
    this.ignoreOffer = !this.options.polite && collision;
    if (this.ignoreOffer) {
      this.options.log.info('ignored a colliding offer (impolite side)');
      return;
    }
    if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') {
      // A stale answer (e.g. to an offer we rolled back) is harmless; drop it.
      this.options.log.info(`dropped an answer in state ${pc.signalingState}`);
      return;
    }
    try {
      // Explicit rollback: not every implementation rolls back implicitly. Only with a local
      // offer to undo: mid-createOffer the state is still stable and a rollback would throw.
      if (collision && pc.signalingState === 'have-local-offer') await pc.setLocalDescription({ type: 'rollback' });
      const munge = this.options.mungeRemoteSdp;
      this.options.log.debug(`applying the peer's ${description.type}`);
      await pc.setRemoteDescription(munge ? { type: description.type, sdp: munge(description.sdp) } : description);
    } catch (error) {
      return this.options.onBadSignal(`the browser refused the peer's ${description.type}: ${(error as Error).message}`);
    }
    if (this.closed) return;
    if (description.type === 'answer') {
      this.negotiated = true;
      this.options.onStateChange();
      return;
    }
    try {
      if (this.options.polite && !this.answeredOnce) {
        // The first offer carries the call's media: answer sendrecv now, camera or not;
        // the tracks fill these transceivers when they are ready (no second round).
        for (const t of pc.getTransceivers()) if (t.direction === 'recvonly') t.direction = 'sendrecv';
        this.answeredOnce = true;
      }
      this.attachTracks();
      this.batcher.setPaused(true);
      const answer = await pc.createAnswer();
      if (this.closed) return;
      await this.setLocalAnswer(answer.sdp ?? '');
      const local = pc.localDescription;
      if (local && !this.closed) this.send({ type: 'description', description: { type: 'answer', sdp: local.sdp } });
      this.negotiated = true;
      this.options.onStateChange();
    } catch (error) {
      this.options.onBadSignal(`could not answer the peer's offer: ${(error as Error).message}`);
    } finally {
      this.batcher.setPaused(false);
    }
  }

  /**
   * Chromium drops a connection's candidate pool when it applies a local *answer*, before
   * gathering starts, so an answerer would allocate its TURN relay only now (~190 ms over TCP
   * in the lab, and the caller waits for that candidate). A provisional answer with the same
   * SDP starts gathering from the pool first, the warm line's relay candidate ready at once;
   * the final answer follows. Only for the first answer, with a pool: later ones have none to keep.
   */
  private async setLocalAnswer(sdp: string): Promise<void> {
    const pc = this.pc;
    if (!this.negotiated && (pc.getConfiguration?.().iceCandidatePoolSize ?? 0) > 0) {
      try {
        await pc.setLocalDescription({ type: 'pranswer', sdp });
      } catch (error) {
        this.options.log.info(`no provisional answer, answering outright: ${(error as Error).message}`);
      }
      if (this.closed) return;
    }
    await pc.setLocalDescription({ type: 'answer', sdp });
  }

  private async addCandidates(candidates: CandidateInit[], done: boolean): Promise<void> {
    for (const candidate of candidates) {
      try {
        await this.pc.addIceCandidate(candidate);
      } catch (error) {
        // Candidates for an ignored offer fail by design; others are dropped, not fatal.
        if (!this.ignoreOffer) this.options.log.warn(`dropped a remote candidate: ${(error as Error).message}`);
      }
    }
    if (done) {
      try {
        await this.pc.addIceCandidate(null as unknown as RTCIceCandidateInit);
      } catch {
        /* end-of-candidates is advisory */
      }
    }
  }
}

/** The state a state-change event names, for the log. */
function stateOf(pc: RTCPeerConnection, type: string): string {
  if (type === 'connectionstatechange') return pc.connectionState;
  if (type === 'iceconnectionstatechange') return pc.iceConnectionState;
  if (type === 'signalingstatechange') return pc.signalingState;
  return pc.iceGatheringState;
}

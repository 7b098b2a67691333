/**
 * The local camera, microphone and screen for one call. Keeps one MediaStream the
 * UI can show; device switches and screen share swap tracks inside it.
 */
import type { CallKind } from '../signaling/channel';
import { CallError, mediaErrorReason } from './errors';

/** The part of `navigator.mediaDevices` the engine uses (injectable). */
export interface MediaDevicesLike {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia?(constraints?: DisplayMediaStreamOptions): Promise<MediaStream>;
}

export class LocalMedia {
  stream: MediaStream | null = null;
  private camera: MediaStreamTrack | null = null;
  private screen: MediaStreamTrack | null = null;
  private muted = false;
  private cameraOff = false;
  /** The getUserMedia in flight: later callers share it instead of opening the camera twice. */
  private pending: Promise<MediaStream> | null = null;
  /** stop() ran: a stream that arrives later is stopped at once (else the camera light stays on). */
  private stopped = false;

  constructor(private readonly devices: MediaDevicesLike | undefined) {}

  /** Starts camera and/or microphone; rejects with a CallError the user understands. */
  acquire(kind: CallKind): Promise<MediaStream> {
    if (this.stream) return Promise.resolve(this.stream);
    if (this.pending) return this.pending;
    const devices = this.devices;
    if (!devices) return Promise.reject(new CallError('media-unavailable', undefined, 'no mediaDevices in this environment'));
    this.stopped = false;
    const pending = (async () => {
      let stream: MediaStream;
      try {
        stream = await devices.getUserMedia({ audio: true, video: kind === 'video' });
      } catch (error) {
        throw new CallError(mediaErrorReason(error), undefined, (error as Error)?.message);
      }
      if (this.stopped) {
        for (const track of stream.getTracks()) track.stop();
        throw new CallError('media-unavailable', undefined, 'the call ended while the camera was starting');
      }
      this.stream = stream;
      this.camera = stream.getVideoTracks()[0] ?? null;
      this.applyEnabled();
      return stream;
    })().finally(() => {
      if (this.pending === pending) this.pending = null;
    });
    this.pending = pending;
    return pending;
  }

  track(kind: 'audio' | 'video'): MediaStreamTrack | null {
    if (kind === 'video') return this.screen ?? this.camera;
    return this.stream?.getAudioTracks()[0] ?? null;
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.applyEnabled();
  }

  setCameraOff(off: boolean): void {
    this.cameraOff = off;
    this.applyEnabled();
  }

  /** Opens `deviceId` and swaps it into the stream; returns the track to send, or null while sharing the screen. */
  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<MediaStreamTrack | null> {
    if (!this.devices || !this.stream) throw new CallError('media-unavailable', undefined, 'no local media to switch');
    const media = kind === 'audioinput' ? 'audio' : 'video';
    let fresh: MediaStreamTrack | undefined;
    try {
      const stream = await this.devices.getUserMedia({ [media]: { deviceId: { exact: deviceId } } });
      fresh = media === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
      // The call ended while the device opened: release it rather than leave it running.
      if (!this.stream) {
        for (const track of stream.getTracks()) track.stop();
        throw new CallError('media-unavailable', undefined, 'the call ended while the device was starting');
      }
    } catch (error) {
      if (error instanceof CallError) throw error;
      throw new CallError(mediaErrorReason(error), undefined, (error as Error)?.message);
    }
    if (!fresh) throw new CallError('media-unavailable', undefined, `device ${deviceId} gave no ${media} track`);
    const old = media === 'audio' ? this.stream.getAudioTracks()[0] : this.camera;
    if (old) {
      this.stream.removeTrack(old);
      old.stop();
    }
    if (media === 'video') this.camera = fresh;
    if (media === 'audio' || !this.screen) this.stream.addTrack(fresh);
    this.applyEnabled();
    return media === 'video' && this.screen ? null : fresh;
  }

  /** Asks for a screen; returns its track (it replaces the camera in the stream). */
  async startScreen(onEnded: () => void): Promise<MediaStreamTrack> {
    if (!this.devices?.getDisplayMedia || !this.stream)
      throw new CallError('media-unavailable', undefined, 'screen sharing is not available here');
    let picked: MediaStream;
    try {
      picked = await this.devices.getDisplayMedia({ video: true, audio: false });
    } catch (error) {
      throw new CallError(mediaErrorReason(error), undefined, (error as Error)?.message);
    }
    // The call ended while the picker was open: stop the capture instead of leaking it.
    if (!this.stream) {
      for (const t of picked.getTracks()) t.stop();
      throw new CallError('media-unavailable', undefined, 'the call ended while the screen was being picked');
    }
    const track = picked.getVideoTracks()[0];
    if (!track) throw new CallError('media-unavailable', undefined, 'the screen picker returned no video');
    // Text and detail, not motion: the encoder keeps it sharp, and the quality
    // controller knows it for a screen where the browser reports no displaySurface.
    if ('contentHint' in track && !track.contentHint) track.contentHint = 'detail';
    this.stopScreen();
    this.screen = track;
    // The browser's own "Stop sharing" button ends the track.
    track.addEventListener?.('ended', onEnded);
    if (this.camera) this.stream.removeTrack(this.camera);
    this.stream.addTrack(track);
    return track;
  }

  /** Stops the screen; returns the camera track to send again (null on voice calls). */
  stopScreen(): MediaStreamTrack | null {
    if (!this.screen || !this.stream) return this.camera;
    this.stream.removeTrack(this.screen);
    this.screen.stop();
    this.screen = null;
    if (this.camera) this.stream.addTrack(this.camera);
    this.applyEnabled();
    return this.camera;
  }

  get sharingScreen(): boolean {
    return this.screen !== null;
  }

  stop(): void {
    this.stopped = true;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.camera?.stop();
    this.screen?.stop();
    this.stream = null;
    this.camera = null;
    this.screen = null;
  }

  private applyEnabled(): void {
    for (const track of this.stream?.getAudioTracks() ?? []) track.enabled = !this.muted;
    if (this.camera) this.camera.enabled = !this.cameraOff;
  }
}

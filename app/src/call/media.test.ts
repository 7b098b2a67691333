import { describe, expect, it } from 'vitest';
import { CallError } from './errors';
import { LocalMedia, type MediaDevicesLike } from './media';

/** A track that records whether it was stopped (the camera light). */
function fakeTrack(kind: 'audio' | 'video') {
  return {
    kind,
    enabled: true,
    stopped: false,
    contentHint: '',
    stop() {
      this.stopped = true;
    },
    addEventListener() {},
  };
}
type FakeTrack = ReturnType<typeof fakeTrack>;

function fakeStream(tracks: FakeTrack[]): MediaStream {
  const list = [...tracks];
  return {
    getTracks: () => [...list],
    getAudioTracks: () => list.filter((t) => t.kind === 'audio'),
    getVideoTracks: () => list.filter((t) => t.kind === 'video'),
    addTrack: (t: FakeTrack) => list.push(t),
    removeTrack: (t: FakeTrack) => list.splice(list.indexOf(t), 1),
  } as unknown as MediaStream;
}

/** Devices whose getUserMedia / getDisplayMedia resolve only when the test says so. */
function slowDevices() {
  const opened: FakeTrack[] = [];
  const waiting: (() => void)[] = [];
  const open = (constraints: MediaStreamConstraints) =>
    new Promise<MediaStream>((resolve) => {
      const tracks = [...(constraints.audio ? [fakeTrack('audio')] : []), ...(constraints.video ? [fakeTrack('video')] : [])];
      opened.push(...tracks);
      waiting.push(() => resolve(fakeStream(tracks)));
    });
  const devices: MediaDevicesLike = { getUserMedia: open, getDisplayMedia: () => open({ video: true }) };
  const release = async () => {
    for (const go of waiting.splice(0)) go();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return {
    devices,
    opened,
    release,
    get requests() {
      return opened.length;
    },
  };
}

describe('local media', () => {
  it('a second acquire while the first is pending shares it (one camera, nothing leaked)', async () => {
    const d = slowDevices();
    const media = new LocalMedia(d.devices);
    const first = media.acquire('video');
    const second = media.acquire('video');
    await d.release();
    expect(await second).toBe(await first);
    expect(d.opened).toHaveLength(2); // one audio + one video track, opened once
  });

  it('marks a shared screen as detail, so the encoder and the quality controller treat it as a screen', async () => {
    const d = slowDevices();
    const media = new LocalMedia(d.devices);
    const acquired = media.acquire('video');
    await d.release();
    const camera = (await acquired).getVideoTracks()[0] as unknown as FakeTrack;
    const sharing = media.startScreen(() => undefined);
    await d.release();
    const screen = (await sharing) as unknown as FakeTrack;
    expect(screen.contentHint).toBe('detail');
    expect(camera.contentHint).toBe('');
  });

  it('a camera that starts after the call was cancelled is stopped at once', async () => {
    const d = slowDevices();
    const media = new LocalMedia(d.devices);
    const refused = expect(media.acquire('video')).rejects.toBeInstanceOf(CallError);
    media.stop();
    await d.release();
    await refused;
    expect(d.opened.every((t) => t.stopped)).toBe(true);
    expect(media.stream).toBeNull();
  });

  it.each([
    ['switching the camera', (m: LocalMedia) => m.switchDevice('videoinput', 'cam2')],
    ['sharing the screen', (m: LocalMedia) => m.startScreen(() => undefined)],
  ])('%s when the call ends meanwhile: the new track is stopped and a CallError explains it', async (_name, start) => {
    const d = slowDevices();
    const media = new LocalMedia(d.devices);
    const acquired = media.acquire('video');
    await d.release();
    await acquired;
    const refused = expect(start(media)).rejects.toBeInstanceOf(CallError);
    media.stop();
    await d.release();
    await refused;
    expect(d.opened.every((t) => t.stopped)).toBe(true);
  });
});

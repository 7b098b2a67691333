import { afterEach, describe, expect, it } from 'vitest';
import { qualityMonitor, type QualityPublish } from './monitor';
import { createFakeSender, createManualClock, createSyntheticPeerConnection, type FakeSender } from './testing';
import { defaultTunables as t } from './tunables';

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

function transceiver(kind: 'audio' | 'video', sender: FakeSender, direction: RTCRtpTransceiverDirection = 'sendrecv') {
  return { sender, receiver: { track: { kind } }, currentDirection: direction };
}

describe('qualityMonitor (the CallSession seam)', () => {
  it('finds the senders on the peer connection, follows a switch to screen share, and publishes level and pause', async () => {
    const clock = createManualClock();
    const camera = createFakeSender({ width: 640, height: 480 });
    const audio = createFakeSender();
    const transceivers = [transceiver('audio', audio), transceiver('video', camera), transceiver('video', createFakeSender(), 'recvonly')];
    const synthetic = createSyntheticPeerConnection(clock, camera);
    const pc = { getStats: () => synthetic.getStats(), getTransceivers: () => transceivers };
    const published: Parameters<QualityPublish>[0][] = [];

    const monitor = qualityMonitor({ clock })(pc, (update) => published.push(update));
    stops.push(() => monitor.stop());
    await clock.advance(t.warmUpMs + 1_000);
    expect(audio.current.encodings[0]).toMatchObject({ priority: 'high' });
    expect(camera.current.encodings[0]).toMatchObject({ maxBitrate: 1_500_000, scaleResolutionDownBy: 1 });
    expect(published.at(-1)).toEqual({ quality: 'good', videoPausedForBandwidth: false, peerVideoPaused: false });

    // replaceTrack(screenTrack): same sender, a track whose settings name a display surface.
    (camera as { track: unknown }).track = {
      contentHint: '',
      getSettings: () => ({ width: 1920, height: 1080, displaySurface: 'monitor' }),
    };
    await clock.advance(t.sampleIntervalMs);
    expect(camera.current.degradationPreference).toBe('maintain-resolution');
    expect(camera.current.encodings[0]).toMatchObject({ maxFramerate: 15, scaleResolutionDownBy: 1 });

    synthetic.net.estimateBps = 100_000;
    synthetic.net.loss = 0.05;
    await clock.advance(t.sampleIntervalMs);
    expect(published.at(-1)).toMatchObject({ videoPausedForBandwidth: true });
    expect(camera.current.encodings[0]!.active).toBe(false);
  });

  it("knows a screen by the engine's contentHint where the browser reports no displaySurface", async () => {
    const clock = createManualClock();
    const video = createFakeSender({ width: 1920, height: 1080 });
    const synthetic = createSyntheticPeerConnection(clock, video);
    const pc = { getStats: () => synthetic.getStats(), getTransceivers: () => [transceiver('video', video)] };
    (video as { track: unknown }).track = { contentHint: 'detail', getSettings: () => ({ width: 1920, height: 1080 }) };
    const monitor = qualityMonitor({ clock })(pc, () => undefined);
    stops.push(() => monitor.stop());
    await clock.advance(t.warmUpMs + 1_000);
    synthetic.net.estimateBps = 400_000;
    await clock.advance(3 * t.sampleIntervalMs);
    // The screen ladder: full resolution, frame rate given up (the camera ladder would be at 270p).
    expect(video.current.degradationPreference).toBe('maintain-resolution');
    expect(video.current.encodings[0]).toMatchObject({ scaleResolutionDownBy: 1, maxFramerate: 2 });
  });
});

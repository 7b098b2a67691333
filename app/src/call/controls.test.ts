import { afterEach, describe, expect, it } from 'vitest';
import { connectCall, createPhones, sentTrack, settle, sleep } from './testing/wrtc';
import type { CallKind } from '../signaling/channel';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

async function connected(kind: CallKind) {
  const world = createPhones(['alice', 'bob']);
  cleanup.push(world.dispose);
  const { caller, callee } = await connectCall(world.phones, kind);
  return { ...world, caller, callee };
}

describe('in-call controls', () => {
  it('mute and camera off stop sending sound and picture, and show in the snapshot', async () => {
    const { caller } = await connected('video');
    caller.setMuted(true);
    caller.setCameraOff(true);
    expect(caller.snapshot).toMatchObject({ muted: true, cameraOff: true });
    expect(sentTrack(caller, 'audio')?.enabled).toBe(false);
    expect(sentTrack(caller, 'video')?.enabled).toBe(false);
    caller.setMuted(false);
    expect(sentTrack(caller, 'audio')?.enabled).toBe(true);
    expect(caller.snapshot.muted).toBe(false);
  });

  it('switching the camera replaces the sent track without renegotiating', async () => {
    const { caller, phones, store } = await connected('video');
    const before = sentTrack(caller, 'video');
    await settle(store, caller.snapshot.callId!);
    const writes = store.costOf(caller.snapshot.callId!).writes;
    const asked: MediaStreamConstraints[] = [];
    const original = phones.alice!.devices.getUserMedia.bind(phones.alice!.devices);
    phones.alice!.devices.getUserMedia = (c) => (asked.push(c), original(c));
    caller.setCameraOff(true);
    await caller.switchDevice('videoinput', 'cam-2');
    expect(asked).toEqual([{ video: { deviceId: { exact: 'cam-2' } } }]);
    const after = sentTrack(caller, 'video');
    expect(after).not.toBe(before);
    expect(after?.enabled).toBe(false); // camera-off carries over to the new camera
    expect(caller.snapshot.localStream?.getVideoTracks()).toEqual([after]);
    await sleep(100);
    expect(store.costOf(caller.snapshot.callId!).writes).toBe(writes);
  });

  it('a denied device switch reports media-denied and keeps the call', async () => {
    const { caller, phones } = await connected('video');
    phones.alice!.devices.deny = 'NotAllowedError';
    const errors: string[] = [];
    caller.on('error', (e) => errors.push((e as { reason?: string }).reason ?? ''));
    await expect(caller.switchDevice('audioinput', 'mic-2')).rejects.toMatchObject({ reason: 'media-denied' });
    expect(errors).toEqual(['media-denied']);
    expect(caller.snapshot.state).toBe('connected');
  });

  it('screen share replaces the camera and gives it back', async () => {
    const { caller } = await connected('video');
    const camera = sentTrack(caller, 'video');
    await caller.startScreenShare();
    expect(caller.snapshot.screenSharing).toBe(true);
    expect(sentTrack(caller, 'video')).not.toBe(camera);
    await caller.stopScreenShare();
    expect(caller.snapshot.screenSharing).toBe(false);
    expect(sentTrack(caller, 'video')).toBe(camera);
  });

  it('screen share on a voice call renegotiates (perfect negotiation) and the peer receives video', async () => {
    const { caller, callee } = await connected('voice');
    expect(callee.snapshot.remoteStream?.getVideoTracks() ?? []).toHaveLength(0);
    await callee.startScreenShare(); // the polite side offers this time
    for (let i = 0; i < 50 && (caller.snapshot.remoteStream?.getVideoTracks().length ?? 0) === 0; i++) await sleep(100);
    expect(caller.snapshot.remoteStream?.getVideoTracks()).toHaveLength(1);
    expect(caller.snapshot.state).toBe('connected');
  });
});

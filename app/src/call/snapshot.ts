import type { CallSnapshot } from './types';

/** Who and what a call is about; everything else starts empty. */
export type CallIdentity = Pick<CallSnapshot, 'callId' | 'direction' | 'kind' | 'peer'> & Partial<Pick<CallSnapshot, 'context'>>;

/** A call that has not started yet: the one shape every new snapshot (engine or test double) starts from. */
export function idleSnapshot({ context, ...identity }: CallIdentity): CallSnapshot {
  return {
    ...identity,
    ...(context ? { context } : {}),
    state: 'idle',
    phase: null,
    reachingPeer: false,
    reason: null,
    message: null,
    connectedAt: null,
    timings: {},
    quality: null,
    videoPausedForBandwidth: false,
    peerVideoPaused: false,
    muted: false,
    cameraOff: false,
    screenSharing: false,
    path: null,
    droppedConnection: null,
    localStream: null,
    remoteStream: null,
  };
}

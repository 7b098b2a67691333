/**
 * The controller packaged for CallSession's quality seam
 * (`quality: (pc, publish) => { stop() }` in SessionDeps): started when the
 * call connects, it finds the senders on the peer connection by itself and
 * publishes the level and the paused flag for the call snapshot.
 */
import type { QualityLevel } from '../types';
import type { QualityClock } from './clock';
import { createQualityController, type PeerConnectionLike, type QualityState } from './controller';
import type { QualityError } from './errors';
import type { QualitySample } from './stats';
import type { QualityTunables } from './tunables';

export interface QualityMonitorOptions {
  clock?: QualityClock;
  tunables?: Partial<QualityTunables>;
  /** False: measure and rate only (the lab's plain-browser baseline). */
  adapt?: boolean;
  onError?: (error: QualityError) => void;
  onSample?: (sample: QualitySample, state: QualityState) => void;
}

export type QualityPublish = (update: { quality: QualityLevel; videoPausedForBandwidth: boolean; peerVideoPaused: boolean }) => void;

export function qualityMonitor(options: QualityMonitorOptions = {}) {
  return (pc: PeerConnectionLike, publish: QualityPublish): { stop(): void } => {
    const controller = createQualityController({
      pc,
      ...options,
      onChange: (state) => {
        if (state.level !== null) {
          publish({ quality: state.level, videoPausedForBandwidth: state.videoPausedForBandwidth, peerVideoPaused: state.peerVideoPaused });
        }
      },
    });
    controller.start();
    return { stop: () => controller.stop() };
  };
}

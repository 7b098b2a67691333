/**
 * Adaptive bitrate and call quality: the one door into app/src/call/quality.
 *
 *   const quality = createQualityController({ pc, videoSender, audioSender, onChange });
 *   quality.start();                       // once media is connected
 *   quality.setVideoSender(sender, 'screen');   // after switching to screen share
 *   quality.stop();                        // when the call ends
 *
 * `onChange` receives { level, videoPausedForBandwidth, peerVideoPaused, rung, lastChange };
 * copy level and the two paused flags into CallSnapshot. Without explicit
 * senders it finds them on `pc` before every sample. `qualityMonitor()` is the
 * same thing shaped for CallSession's `quality` seam.
 * Apply `withOpusFecAndDtx` to every remote description before setRemoteDescription.
 */
export { createQualityController } from './controller';
export type { PeerConnectionLike, QualityController, QualityControllerOptions, QualityState, VideoSource } from './controller';
export { qualityMonitor } from './monitor';
export type { QualityMonitorOptions, QualityPublish } from './monitor';
export { VIDEO_START_KBPS, withOpusFecAndDtx, withVideoStartBitrate } from './sdp';
export { preferAudioRed } from './red';
export { sampleStats } from './stats';
export type { QualitySample, StatsReportLike, StatsSnapshot } from './stats';
export { defaultTunables } from './tunables';
export type { QualityTunables, Rung } from './tunables';
export { QualityError } from './errors';
export type { QualityErrorReason } from './errors';
export type { QualityClock } from './clock';
export type { SenderLike } from './sender-params';

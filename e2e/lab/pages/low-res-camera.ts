/**
 * Browser side: a small camera picture and plain microphone audio, so 16 tabs fit on a
 * 2-core machine. Each tab stands for a user on their own computer; here all of them share
 * two cores, so the per-user costs that do not touch the network are trimmed: the camera
 * asks for LOW_RES, and the microphone skips echo cancellation, noise suppression and gain
 * control (measured: the audio service of a browser with 8 tabs used ~17% of a core with them).
 * Patches getUserMedia before the page's own code runs; explicit constraints are left alone.
 */
import { LOW_RES } from './camera-size';

const devices = navigator.mediaDevices;
const original = devices.getUserMedia.bind(devices);
devices.getUserMedia = (constraints?: MediaStreamConstraints) =>
  original({
    ...constraints,
    video:
      constraints?.video === true ? { width: LOW_RES.width, height: LOW_RES.height, frameRate: LOW_RES.frameRate } : constraints?.video,
    audio: constraints?.audio === true ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false } : constraints?.audio,
  });

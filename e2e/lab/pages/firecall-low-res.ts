/**
 * Browser side: the firecall page (pages/firecall.ts) with a low-resolution camera.
 * The probe must come first, then the camera patch, then the engine.
 */
import { playRemoteAudio } from './probe';
import './low-res-camera';
import './firecall';

playRemoteAudio(false);

/**
 * Every number the adaptive-bitrate controller and the quality level use, in one place, each with
 * why it has its value; the measurements behind them are in the README ("Why the tunables are what
 * they are"). Callers may pass a partial override (tests, the lab); production uses these defaults.
 */

/** One step of the video ladder: what the encoder may use at most. */
export interface Rung {
  /** Short name for logs, the lab and tests ('360p', 'screen-5fps'). */
  name: string;
  /** Target height of the *shorter* side in pixels, never upscaled; `null` keeps the captured size (screen share). */
  height: number | null;
  /** RTCRtpEncodingParameters.maxBitrate, bits per second. */
  maxBitrate: number;
  /** RTCRtpEncodingParameters.maxFramerate, frames per second. */
  maxFramerate: number;
}

export interface QualityTunables {
  /**
   * Camera ladder, best first, at the usual VP8 operating points. Neighbouring rungs are at most ~1.8x
   * apart so one step up is a probe Chrome's estimator can confirm; the last trades frame rate for steadiness.
   */
  cameraLadder: Rung[];
  /** Screen-share ladder: resolution is never reduced (text must stay legible); frame rate and bitrate give way. */
  screenLadder: Rung[];
  /** How often getStats is sampled: enough for Chrome's estimate to move between samples. */
  sampleIntervalMs: number;
  /** Bits per second kept for audio (Opus, its headers, FEC under loss), so audio never competes with video. */
  audioReserveBps: number;
  /** Share of availableOutgoingBitrate treated as usable: the pacer overshoots the estimate in bursts. */
  estimateHeadroom: number;
  /**
   * The estimate "fell" below this share of its peak over the last `estimateDropSamples` samples.
   * Not closer to 1: with little to send, Chrome's estimate wanders around the send rate on a clean link.
   */
  estimateDropRatio: number;
  estimateDropSamples: number;
  /**
   * A collapse: the estimate under this share of its recent peak. GCC is then still on its way down,
   * so the rung is chosen from `collapseHeadroom` of it: one resolution change instead of two.
   */
  estimateCollapseRatio: number;
  collapseHeadroom: number;
  /** A rung is kept while the budget is at least this share of its cap: the gap to stepping up stops oscillation. */
  keepRungRatio: number;
  /**
   * Below this video budget, on a link that loses packets, video is paused: less is a slideshow that
   * steals from audio. Low on purpose: the other side then sees a still picture.
   */
  pauseVideoBelowBps: number;
  /** Chrome's estimate ramps up from its start value for this long; meanwhile only loss or a queue steps down. */
  warmUpMs: number;
  /**
   * Loss this far over the link's background (the median of its recent reports) is heavy: one rung
   * down, and down to what got through. Alone it counts only on a link known to be clean.
   */
  lossStepDown: number;
  /**
   * Loss that confirms a fall of the estimate on a clean link, and the average that makes a link
   * lossy (there only heavy loss confirms). A sample is clean for stepping up under this plus the background.
   */
  lossClean: number;
  backgroundLossSamples: number;
  /** Reports needed before the background loss says a link is clean. */
  backgroundLossMinReports: number;
  /** RTT this far over the call's best, two samples in a row, is a standing queue: past a busy machine's spikes. */
  rttInflationMs: number;
  /** Clean time with room needed before stepping up: a good second after a drop must not bounce the picture. */
  stepUpAfterMs: number;
  /**
   * Step up without the estimate's say-so when the budget is this multiple of what video uses now:
   * Chrome's estimate rises only a little above what is sent, so waiting for the next rung's full cap can last for ever.
   */
  probeUpRatio: number;
  /** After a step-up Chrome probes the new rate; for this long only loss or a queue undo it. */
  probeGraceMs: number;
  /** A step-up followed by a step-down within this window failed; the next try waits longer. */
  failedStepUpWindowMs: number;
  /** The doubling wait after failed step-ups stops here: Chrome's estimate also dips for reasons unrelated to the try. */
  maxStepUpBackoffMs: number;
  /** Paused video cannot grow the estimate (only audio is sent), so it is tried again after this clean time. */
  resumeVideoAfterMs: number;
  /** After a dead path, loss and the estimate do not step down for this long: the first report back counts the dead path as lost. */
  pathBackGraceMs: number;
  /**
   * A step down on the estimate alone goes back after this many fresh reports without loss or a queue,
   * once the estimate carries `undoDropCarryRatio` of what was sent before the fall: GCC also cuts on a Wi-Fi stall.
   */
  confirmDropSamples: number;
  undoDropCarryRatio: number;
  /** Quality level: a worse level is shown after this many consecutive worse samples (one noisy second is ignored). */
  levelDownSamples: number;
  /** Quality level: a better level is shown only after this many consecutive better samples. */
  levelUpSamples: number;
  /** Audio concealment ratio (concealed / received samples) from which audio counts as fair / poor. */
  concealmentFair: number;
  concealmentPoor: number;
  /** Loss ratio from which the level is fair / poor. */
  lossFair: number;
  lossPoor: number;
  /** RTT (ms) from which the level is fair / poor (ITU G.114: one-way > 150 ms is noticed). */
  rttFairMs: number;
  rttPoorMs: number;
  /** Samples in a row with no inbound media at all before the level is `lost`. */
  lostAfterSilentSamples: number;
  /** Our video capped below this (bit/s) is visibly soft: the level is at best fair. */
  videoFairBelowBps: number;
  /** Samples in a row with the peer's audio and none of their video before their video is paused: a still screen sends little. */
  peerVideoStalledSamples: number;
}

export const defaultTunables: Readonly<QualityTunables> = Object.freeze({
  cameraLadder: [
    { name: '720p', height: 720, maxBitrate: 1_500_000, maxFramerate: 30 },
    { name: '540p', height: 540, maxBitrate: 900_000, maxFramerate: 30 },
    { name: '360p', height: 360, maxBitrate: 500_000, maxFramerate: 30 },
    { name: '270p', height: 270, maxBitrate: 300_000, maxFramerate: 20 },
    { name: '180p', height: 180, maxBitrate: 200_000, maxFramerate: 15 },
    { name: '180p-8fps', height: 180, maxBitrate: 120_000, maxFramerate: 8 },
  ],
  screenLadder: [
    { name: 'screen-15fps', height: null, maxBitrate: 1_500_000, maxFramerate: 15 },
    { name: 'screen-8fps', height: null, maxBitrate: 800_000, maxFramerate: 8 },
    { name: 'screen-4fps', height: null, maxBitrate: 400_000, maxFramerate: 4 },
    { name: 'screen-2fps', height: null, maxBitrate: 200_000, maxFramerate: 2 },
  ],
  sampleIntervalMs: 1_000,
  audioReserveBps: 64_000,
  estimateHeadroom: 0.85,
  estimateDropRatio: 0.7,
  estimateDropSamples: 5,
  estimateCollapseRatio: 0.5,
  collapseHeadroom: 0.5,
  keepRungRatio: 0.7,
  pauseVideoBelowBps: 40_000,
  warmUpMs: 10_000,
  lossStepDown: 0.1,
  lossClean: 0.02,
  backgroundLossSamples: 10,
  backgroundLossMinReports: 3,
  rttInflationMs: 300,
  stepUpAfterMs: 4_000,
  probeUpRatio: 1.25,
  probeGraceMs: 5_000,
  failedStepUpWindowMs: 10_000,
  maxStepUpBackoffMs: 20_000,
  resumeVideoAfterMs: 6_000,
  pathBackGraceMs: 3_000,
  confirmDropSamples: 2,
  undoDropCarryRatio: 0.7,
  levelDownSamples: 2,
  levelUpSamples: 5,
  concealmentFair: 0.02,
  concealmentPoor: 0.08,
  lossFair: 0.03,
  lossPoor: 0.1,
  rttFairMs: 300,
  rttPoorMs: 600,
  lostAfterSilentSamples: 2,
  videoFairBelowBps: 450_000,
  peerVideoStalledSamples: 3,
});

/** Defaults with overrides applied; rejects values that would make the controller misbehave. */
export function resolveTunables(overrides: Partial<QualityTunables> = {}): QualityTunables {
  const t: QualityTunables = { ...defaultTunables, ...overrides };
  const problems: string[] = [];
  // Every plain number: a NaN wait compares false and would step up on every sample.
  for (const [name, value] of Object.entries(t)) {
    if (
      typeof defaultTunables[name as keyof QualityTunables] === 'number' &&
      !(typeof value === 'number' && Number.isFinite(value) && value >= 0)
    ) {
      problems.push(`${name} must be a finite number >= 0`);
    }
  }
  for (const [name, ladder] of [
    ['cameraLadder', t.cameraLadder],
    ['screenLadder', t.screenLadder],
  ] as const) {
    if (!Array.isArray(ladder)) {
      problems.push(`${name} must be a list of rungs`);
      continue;
    }
    if (ladder.length === 0) problems.push(`${name} is empty`);
    ladder.forEach((rung, i) => {
      if (!(rung.maxBitrate > 0) || !(rung.maxFramerate > 0)) problems.push(`${name}[${i}] needs positive maxBitrate and maxFramerate`);
      if (rung.height !== null && !(rung.height > 0)) problems.push(`${name}[${i}].height must be positive or null`);
      const prev = ladder[i - 1];
      if (prev && prev.maxBitrate <= rung.maxBitrate) problems.push(`${name} must go from best to worst (maxBitrate decreasing)`);
    });
  }
  if (!(t.sampleIntervalMs > 0)) problems.push('sampleIntervalMs must be positive');
  if (!(t.backgroundLossSamples >= 1)) problems.push('backgroundLossSamples must be >= 1');
  if (!(t.estimateHeadroom > 0 && t.estimateHeadroom <= 1)) problems.push('estimateHeadroom must be in (0, 1]');
  if (!(t.keepRungRatio > 0 && t.keepRungRatio <= 1)) problems.push('keepRungRatio must be in (0, 1]');
  if (!(t.probeUpRatio >= 1)) problems.push('probeUpRatio must be >= 1');
  if (!(t.estimateDropRatio > 0 && t.estimateDropRatio <= 1)) problems.push('estimateDropRatio must be in (0, 1]');
  if (!(t.estimateDropSamples >= 1)) problems.push('estimateDropSamples must be >= 1');
  if (!(t.estimateCollapseRatio > 0 && t.estimateCollapseRatio <= t.estimateDropRatio))
    problems.push('estimateCollapseRatio must be in (0, estimateDropRatio]');
  if (!(t.collapseHeadroom > 0 && t.collapseHeadroom <= t.estimateHeadroom))
    problems.push('collapseHeadroom must be in (0, estimateHeadroom]');
  if (!(t.levelDownSamples >= 1) || !(t.levelUpSamples >= 1) || !(t.lostAfterSilentSamples >= 1))
    problems.push('level sample counts must be >= 1');
  if (!(t.peerVideoStalledSamples >= 1)) problems.push('peerVideoStalledSamples must be >= 1');
  if (!(t.confirmDropSamples >= 1)) problems.push('confirmDropSamples must be >= 1');
  if (!(t.undoDropCarryRatio > 0 && t.undoDropCarryRatio <= 1)) problems.push('undoDropCarryRatio must be in (0, 1]');
  if (problems.length > 0) {
    throw new RangeError(`Invalid quality tunables: ${problems.join('; ')}. Fix the override passed to createQualityController.`);
  }
  return t;
}

/**
 * Every number the adaptive-bitrate controller and the quality level use, in
 * one place, each with the reason it has the value it has. Callers may pass a
 * partial override (tests, the lab); production uses these defaults.
 */

/** One step of the video ladder: what the encoder may use at most. */
export interface Rung {
  /** Short name for logs, the lab and tests ('360p', 'screen-5fps'). */
  name: string;
  /**
   * Target height of the *shorter* side in pixels. The controller divides the
   * track's actual size by it to get `scaleResolutionDownBy`. `null` keeps the
   * captured resolution (screen share).
   */
  height: number | null;
  /** RTCRtpEncodingParameters.maxBitrate, bits per second. */
  maxBitrate: number;
  /** RTCRtpEncodingParameters.maxFramerate, frames per second. */
  maxFramerate: number;
}

export interface QualityTunables {
  /**
   * Camera ladder, best first. Bitrates follow the usual VP8 operating points
   * (720p needs ~1.5 Mbit/s at 30 fps to look sharp; 180p at 15 fps is still a
   * recognisable face at ~200 kbit/s). Neighbouring rungs are at most ~1.8x
   * apart so one step up is a probe Chrome's bandwidth estimator can confirm.
   * The last rung trades frame rate for steadiness: on a 250 kbit/s link a
   * steady 8 fps freezes less than a 15 fps stream that keeps overshooting.
   */
  cameraLadder: Rung[];
  /**
   * Screen-share ladder: resolution is never reduced (text must stay legible),
   * frame rate and bitrate give way instead.
   */
  screenLadder: Rung[];
  /** How often getStats is sampled. One second: enough for GCC's estimate to move between samples. */
  sampleIntervalMs: number;
  /**
   * Bits per second kept for audio (Opus voice ~32 kbit/s + ~20 kbit/s of
   * RTP/UDP/IP headers at 50 packets/s + in-band FEC under loss). Video gets
   * only what is left, so audio never competes with it.
   */
  audioReserveBps: number;
  /**
   * Share of availableOutgoingBitrate treated as usable. The estimate is a
   * ceiling that the pacer overshoots in bursts; 15% slack keeps the queue short.
   */
  estimateHeadroom: number;
  /**
   * The estimate "fell" when it is below this share of its peak over the last
   * `estimateDropSamples` samples: GCC cutting its rate on delay or loss. Only
   * a fallen estimate (or visible congestion) steps video down; a low estimate
   * that is still ramping up would only be kept low by a lower cap (in the lab
   * that trapped a call at 180p before any squeeze). 0.7, not closer to 1: when
   * the encoder sends less than the link carries, Chrome's estimate follows the
   * send rate and wanders +-15% on a clean link (the lab: 488 -> 407 kbit/s took
   * a 480p call down to 270p on an idle 2.5 Mbit/s link); a real squeeze cuts it
   * by half or more within one sample.
   */
  estimateDropRatio: number;
  estimateDropSamples: number;
  /**
   * A collapse: the estimate below this share of its recent peak. Right after
   * one, GCC's estimate is still on its way down (the lab, 2.5 Mbit/s ->
   * 250 kbit/s: 1760 -> 421 -> 265 -> 250 kbit/s over three samples), so the
   * rung is chosen from `collapseHeadroom` of it instead of `estimateHeadroom`:
   * one step to where the call will end up, one resolution change (keyframe)
   * instead of two while the bottleneck queue is full.
   */
  estimateCollapseRatio: number;
  collapseHeadroom: number;
  /**
   * A rung is kept while the video budget is at least this share of its
   * maxBitrate: the encoder runs fine a little under its cap, and a gap between
   * the step-down and step-up thresholds is what stops oscillation on a noisy link.
   */
  keepRungRatio: number;
  /**
   * Below this video budget (bit/s), on a link that loses packets (>= lossClean),
   * video is paused: under ~40 kbit/s even 180p at 8 fps is a slideshow that
   * steals packets from audio. Kept low on purpose: the other side sees a still
   * picture, so pausing is the last resort. Loss alone stops at the lowest rung,
   * and a low estimate on a clean link does not pause (Chrome's estimate sinks
   * towards what is sent), nor does one with a high RTT alone (a starved CPU).
   */
  pauseVideoBelowBps: number;
  /**
   * Right after start Chrome's estimate is still ramping up from its 300 kbit/s
   * start value (the lab measured ~740 kbit/s after 5 s, 2.4 Mbit/s after 12 s);
   * during this time only loss or queueing (not a low estimate) steps the video
   * down, so a call does not open at a low rung that then caps the ramp-up.
   */
  warmUpMs: number;
  /**
   * remote-inbound-rtp fractionLost at or above this, over the link's background
   * loss (the median of the last `backgroundLossSamples` reports), is heavy loss:
   * one rung down at once, and down to what got through. On a link not known to be
   * clean (fewer than `backgroundLossMinReports` reports, or losing `lossClean` or
   * more anyway) a report alone is no evidence (it may cover a handful of
   * packets): Chrome's estimate must fall, or a queue stand, with it.
   */
  lossStepDown: number;
  /**
   * Loss at or above this confirms a fall of Chrome's estimate on a clean link.
   * A link whose last `backgroundLossSamples` reports average this much or more
   * is lossy, not congested: there only heavy loss (`lossStepDown` over the
   * background, their median) confirms one, and a report below the background
   * plus this is clean enough to undo it. A sample is clean for stepping up while
   * its loss stays below this plus the background. Pausing video takes this much
   * loss outright.
   */
  lossClean: number;
  backgroundLossSamples: number;
  /** Reports needed before the background loss says a link is clean. */
  backgroundLossMinReports: number;
  /**
   * RTT above the call's lowest RTT by more than this, two samples in a row, is
   * a standing queue (bufferbloat before loss), so it counts as congestion.
   * 300 ms: past the 200-250 ms spikes a busy 2-core lab machine shows on a
   * healthy path, well before a conversation becomes awkward.
   */
  rttInflationMs: number;
  /**
   * Clean time with room to spare needed before stepping up. Long enough that a
   * good second or two after a drop does not bounce the picture back up; short
   * enough that climbing the ladder's rungs one probe at a time beats plain
   * Chrome's recovery (29 s p50 in the lab; quality README).
   */
  stepUpAfterMs: number;
  /**
   * Step up without the estimate's say-so (a probe) when the budget is at least
   * this multiple of what video uses now (the rung's cap, or less when the
   * encoder does not fill it): Chrome's estimate rises only ~1.5x above what is
   * sent, so waiting for the full next rung would wait for ever (seen in the lab:
   * stuck at 270p sending 150 kbit/s with a 390 kbit/s estimate).
   */
  probeUpRatio: number;
  /**
   * After a step-up Chrome probes the new rate; its estimate needs a few seconds
   * to catch up (the lab: ~4 s from a paused video's audio-only estimate), so for
   * this long only loss or queueing undo the step.
   */
  probeGraceMs: number;
  /** A step-up followed by a step-down within this window failed; the next try waits longer. */
  failedStepUpWindowMs: number;
  /**
   * Each failed step-up doubles the wait before the next, up to this. A failed
   * try costs one rung for a few seconds; on a busy machine Chrome's estimate
   * also dips for reasons unrelated to the try, so the wait must not grow long.
   */
  maxStepUpBackoffMs: number;
  /**
   * While video is paused the estimate cannot grow (only audio is sent), so
   * video is tried again after this clean time and stays back off when it fails.
   */
  resumeVideoAfterMs: number;
  /**
   * After the path was down (a whole sample with nothing from the peer), loss
   * and the estimate do not step video down for this long: the first receiver
   * report back counts everything sent into the dead path as lost (86-95 % after
   * the lab's 5 s cut) and arrives within ~1 s, video's RTCP interval. A standing
   * queue still counts; Chrome's own congestion control keeps acting meanwhile.
   */
  pathBackGraceMs: number;
  /**
   * A fall of Chrome's estimate that nothing else confirms is undone. GCC also
   * cuts its estimate on a burst of delay that is no queue (a Wi-Fi stall: on the
   * lab's jittery link, one run of three trials took 720p to 180p in each, loss 0,
   * RTT within 3 ms of the best, 5-20 s to climb back, while plain Chromium's
   * picture did not change). A link that really got thinner than what we send shows
   * it within a report or two: loss of `lossClean` or more, or an RTT
   * `rttInflationMs` over the best (the squeeze, 24 trials: the next report in 23,
   * the one after in all). So a step down on the estimate alone goes back once
   * `confirmDropSamples` fresh reports have shown neither and the estimate carries
   * `undoDropCarryRatio` of what was sent before the fall again (within
   * `failedStepUpWindowMs`). A clean link whose estimate is low because little is
   * sent keeps its low rung; a squeeze's estimate stayed under 0.65 of it.
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
  /**
   * Samples in a row with the peer's audio arriving and no frame of their video
   * before we say their video is paused. 3: a still shared screen may send a
   * frame only about once a second, and a pause is meant to last, not flicker.
   */
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

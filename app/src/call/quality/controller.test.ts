import { afterEach, describe, expect, it } from 'vitest';
import { createQualityController, type QualityState, type VideoSource } from './controller';
import type { QualityError } from './errors';
import type { QualitySample } from './stats';
import { createFakeSender, createManualClock, createSyntheticPeerConnection, type SyntheticNetwork } from './testing';
import { defaultTunables as t } from './tunables';

/** Deterministic noise: the same "random" link every run. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

/** A link whose estimate sits at `estimate` from the start (default 3 Mbit/s). */
const MODERATE = 700_000; // 400k from here is a fall (0.57), not a collapse (< 0.5)

function setup(
  options: {
    width?: number;
    height?: number;
    source?: VideoSource;
    adapt?: boolean;
    video?: boolean;
    estimate?: number;
    net?: Partial<SyntheticNetwork>;
  } = {},
) {
  const clock = createManualClock();
  const video = createFakeSender({ width: options.width ?? 1280, height: options.height ?? 720 });
  const audio = createFakeSender();
  const pc = createSyntheticPeerConnection(clock, video);
  if (options.estimate !== undefined) pc.net.estimateBps = options.estimate;
  Object.assign(pc.net, options.net);
  const changes: QualityState[] = [];
  const samples: { sample: QualitySample; state: QualityState; sinceStart: number }[] = [];
  const errors: QualityError[] = [];
  const start = clock.now();
  const controller = createQualityController({
    pc,
    videoSender: options.video === false ? null : video,
    audioSender: audio,
    source: options.source ?? 'camera',
    clock,
    adapt: options.adapt ?? true,
    onChange: (s) => changes.push(s),
    onSample: (sample, state) => samples.push({ sample, state, sinceStart: sample.at - start }),
    onError: (e) => errors.push(e),
  });
  controller.start();
  stops.push(() => controller.stop());
  const encoding = () => video.current.encodings[0]!;
  /** Rung names of the samples taken in (from, to] ms after start. */
  const rungsBetween = (from: number, to: number) =>
    samples.filter((s) => s.sinceStart > from && s.sinceStart <= to).map((s) => s.state.rung);
  return { clock, video, audio, pc, net: pc.net, controller, changes, samples, errors, encoding, rungsBetween, start };
}

describe('quality controller: camera ladder', () => {
  it('starts at the top rung and gives audio high priority, without a DSCP mark', async () => {
    const { clock, audio, encoding, controller } = setup();
    await clock.advance(5_000);
    expect(controller.state.rung).toBe('720p');
    expect(encoding()).toMatchObject({ active: true, maxBitrate: 1_500_000, maxFramerate: 30, scaleResolutionDownBy: 1 });
    expect(audio.current.encodings[0]).toMatchObject({ priority: 'high' });
    // networkPriority 'high' would mark audio EF: see AUDIO_FIRST in controller.ts.
    expect(audio.current.encodings[0]!.networkPriority).toBeUndefined();
    expect(controller.state.level).toBe('good');
  });

  it('steps down within one sample of a bandwidth drop, to a rung the new estimate carries', async () => {
    const { clock, net, encoding, samples, controller } = setup({ estimate: MODERATE });
    await clock.advance(20_000);
    expect(controller.state.rung).toBe('720p');
    const before = samples.length;

    net.estimateBps = 400_000;
    await clock.advance(t.sampleIntervalMs);

    expect(samples.length).toBe(before + 1); // exactly one sample since the drop
    const budget = 400_000 * t.estimateHeadroom - t.audioReserveBps;
    expect(controller.state.rung).toBe('270p');
    expect(controller.state.lastChange).toBe('bandwidth');
    expect(encoding().maxBitrate! * t.keepRungRatio).toBeLessThanOrEqual(budget);
    // 720p camera down to 270p: scale from the track's real size.
    expect(encoding().scaleResolutionDownBy).toBeCloseTo(720 / 270, 2);
    expect(encoding().maxFramerate).toBe(20);
  });

  it('on a collapse of the estimate, lands in one step where the still-falling estimate ends up', async () => {
    // The lab's squeeze, 2.5 Mbit/s -> 250 kbit/s: GCC's estimate goes 1760k -> 421k -> 265k -> 250k.
    const { clock, net, controller, video } = setup({ width: 640, height: 480, estimate: 1_760_000 });
    await clock.advance(t.warmUpMs + 5_000);
    expect(controller.state.rung).toBe('720p');
    const calls = video.calls.length;
    for (const estimate of [421_000, 265_000, 250_000, 250_000]) {
      net.estimateBps = estimate;
      await clock.advance(t.sampleIntervalMs);
      if (estimate === 421_000) expect(controller.state.rung).toBe('180p'); // not 270p, then 180p
    }
    // One reconfiguration at the collapse (one keyframe), then only the frame rate gives way.
    expect(controller.state.rung).toBe('180p-8fps');
    const heights = video.calls.slice(calls).map((c) => c.encodings[0]!.scaleResolutionDownBy);
    expect(new Set(heights)).toEqual(new Set([480 / 180].map((x) => Math.round(x * 100) / 100)));
  });

  /** A 480p camera sending 480 kbit/s on a 3 Mbit/s estimate, past the warm-up; then the estimate is cut to `cut`. */
  async function cutEstimate(cut: number) {
    const call = setup({ width: 640, height: 480 });
    call.net.encoderDemandBps = 480_000;
    await call.clock.advance(t.warmUpMs + 5_000);
    expect(call.controller.state.rung).toBe('720p');
    call.net.estimateBps = cut;
    await call.clock.advance(t.sampleIntervalMs);
    return call;
  }

  it('undoes a step down that only the estimate showed (GCC cutting on a Wi-Fi stall), after two reports with no loss and no queue', async () => {
    // The lab's jittery link: the estimate fell from ~3 Mbit/s to about what was sent, loss 0, RTT as ever.
    const { clock, net, controller, rungsBetween, start } = await cutEstimate(480_000);
    expect(controller.state.rung).toBe('180p'); // within one sample, as for any collapse
    for (let i = 0; i < t.confirmDropSamples; i++) {
      net.estimateBps! += 5_000; // GCC climbs back slowly
      await clock.advance(t.sampleIntervalMs);
    }
    expect(controller.state.rung).toBe('720p');
    expect(controller.state.lastChange).toBe('undone');
    // The cut estimate is the new reference: it does not read as a fall again.
    const undoneAt = clock.now() - start;
    for (let i = 0; i < 10; i++) {
      net.estimateBps = 480_000 + (i % 2) * 20_000;
      await clock.advance(t.sampleIntervalMs);
    }
    expect(new Set(rungsBetween(undoneAt, Infinity))).toEqual(new Set(['720p']));
  });

  it('undoes at most once per failed-step-up window: a second cut soon after stands (no flapping)', async () => {
    const { clock, net, controller } = await cutEstimate(480_000);
    await clock.advance(t.confirmDropSamples * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
    // Past the undo's probe grace, GCC cuts again: a fall from 500k (under 70 % of it) that still
    // carries 70 % of the 490k sent, which alone would be undone.
    net.estimateBps = 500_000;
    await clock.advance(t.probeGraceMs);
    net.estimateBps = 345_000;
    await clock.advance(t.sampleIntervalMs);
    const landed = controller.state.rung;
    expect(landed).not.toBe('720p');
    net.estimateBps = 348_000;
    await clock.advance((t.confirmDropSamples + 1) * t.sampleIntervalMs);
    expect(controller.state.rung).toBe(landed);
  });

  it('waits out a second cut (GCC cutting again on the little sent after the step down), then undoes once the estimate carries it', async () => {
    // The lab's jittery link: 1591 -> 483 kbit/s, a second later 118, four seconds later 509.
    const { clock, net, controller } = await cutEstimate(480_000);
    net.estimateBps = 118_000;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('180p-8fps');
    net.estimateBps = 140_000;
    await clock.advance(3 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('180p-8fps');
    net.estimateBps = 509_000;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
    expect(controller.state.lastChange).toBe('undone');
  });

  it('keeps a step down that the second report confirms, after a clean first', async () => {
    const { clock, net, controller } = await cutEstimate(480_000);
    await clock.advance(t.sampleIntervalMs);
    net.loss = 0.05;
    await clock.advance(t.sampleIntervalMs);
    net.loss = 0;
    await clock.advance((t.confirmDropSamples + 1) * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('180p');
  });

  it('forgets an unconfirmed fall when the path dies: the reports after it say nothing about the fall', async () => {
    const { clock, net, controller } = await cutEstimate(480_000);
    net.inboundFlowing = false;
    await clock.advance(t.sampleIntervalMs);
    net.inboundFlowing = true;
    await clock.advance(t.pathBackGraceMs + (t.confirmDropSamples + 1) * t.sampleIntervalMs);
    expect(controller.state.rung).not.toBe('720p');
    expect(controller.state.lastChange).not.toBe('undone');
  });

  it('waits for fresh receiver reports before undoing: a sample without one proves nothing', async () => {
    const { clock, net, controller } = await cutEstimate(480_000);
    net.receiverReports = false;
    await clock.advance(3 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('180p');
    net.receiverReports = true;
    await clock.advance(t.confirmDropSamples * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
  });

  it.each([
    ['loss', { loss: 0.3 }],
    ['a standing queue', { rttMs: 80 + t.rttInflationMs + 50 }],
  ] as const)('keeps a step down on the estimate once %s confirms it, even a report late', async (_, confirm) => {
    // A squeeze to a link that still carries ~400 kbit/s: the first report after the
    // collapse can predate the queue; the next shows it.
    const { clock, net, controller } = await cutEstimate(400_000);
    const landed = controller.state.rung;
    expect(landed).not.toBe('720p');
    net.estimateBps = 380_000;
    Object.assign(net, confirm);
    await clock.advance(t.sampleIntervalMs);
    // Then the queue drains at the low rung: clean again, the estimate still 74 % of what was
    // sent before the drop (audio and video), which alone would have undone the step. It stands.
    Object.assign(net, { loss: 0, rttMs: 80, estimateBps: 385_000 });
    await clock.advance((t.confirmDropSamples + 1) * t.sampleIntervalMs);
    expect(controller.state.rung).toBe(landed);
  });

  it('keeps a step down when the cut estimate no longer carries what was sent, even with clean reports', async () => {
    // 250 kbit/s is under 70 % of the 520 kbit/s sent before: a thinner link, whatever the reports say.
    const { clock, controller } = await cutEstimate(250_000);
    const landed = controller.state.rung;
    await clock.advance(t.failedStepUpWindowMs + 2 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe(landed);
    expect(landed).toBe('180p-8fps');
  });

  it('on a collapse with heavy loss, steps down to what got through before the estimate follows', async () => {
    const { clock, net, controller, video } = setup();
    await clock.advance(t.warmUpMs + 1_000);
    expect(controller.state.rung).toBe('720p');
    net.loss = 0.5; // half of ~1.4 Mbit/s got through; the estimate still says 3 Mbit/s
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('360p');
    expect(video.current.encodings[0]!.maxBitrate).toBe(500_000);
  });

  it('keeps the top rung while the estimate is still ramping up on a clean link', async () => {
    const { clock, net, samples } = setup();
    net.estimateBps = 300_000; // Chrome's start value
    for (let i = 0; i < 25; i++) {
      await clock.advance(t.sampleIntervalMs);
      net.estimateBps = Math.min(2_500_000, net.estimateBps * 1.1);
    }
    expect(new Set(samples.map((s) => s.state.rung))).toEqual(new Set(['720p']));
  });

  it('steps down one rung at once on heavy loss even when the estimate still looks fine', async () => {
    const { clock, net, controller } = setup();
    await clock.advance(10_000);
    net.loss = 0.15;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('540p');
    expect(controller.state.lastChange).toBe('loss');
  });

  it("treats a standing queue (RTT well above the call's best) as congestion", async () => {
    const { clock, net, controller } = setup();
    await clock.advance(10_000);
    net.rttMs = 80 + t.rttInflationMs + 50;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p'); // one high RTT could be a busy CPU
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('540p');
    expect(controller.state.lastChange).toBe('queueing');
  });

  it('keeps its rung through a cut link: the first report back counts the dead path as lost, not a thin one', async () => {
    // The lab's link-flap: nothing arrives for 5 s, then the peer's first receiver
    // report says 86-95 % lost (everything sent into the cut) while the estimate dips.
    const { clock, net, controller, video } = setup({ width: 640, height: 480 });
    await clock.advance(t.warmUpMs + 5_000);
    const calls = video.calls.length;
    net.inboundFlowing = false;
    net.estimateBps = 1_100_000;
    await clock.advance(5_000);
    net.inboundFlowing = true;
    net.loss = 0.9;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
    net.loss = 0;
    net.estimateBps = 3_000_000;
    await clock.advance(10_000);
    expect(controller.state.rung).toBe('720p');
    expect(video.calls.length).toBe(calls); // the encoder was never touched

    // Loss that goes on once the path is back is congestion again, acted on within a sample.
    net.loss = 0.15;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state).toMatchObject({ rung: '540p', lastChange: 'loss' });
  });

  it("takes a new path as a new link: its longer RTT is no queue, Chrome's restarted estimate no collapse", async () => {
    const { clock, net, controller, video } = setup({ width: 640, height: 480 });
    net.rttMs = 30;
    await clock.advance(t.warmUpMs + 5_000);
    const calls = video.calls.length;
    // ICE restart onto a relay far away: 380 ms RTT, and GCC starts again from 1 Mbit/s.
    net.pairId = 'CP-relay';
    net.rttMs = 380;
    net.estimateBps = 1_000_000;
    for (let i = 0; i < 20; i++) {
      await clock.advance(t.sampleIntervalMs);
      net.estimateBps = Math.min(3_000_000, net.estimateBps * 1.15);
    }
    expect(controller.state.rung).toBe('720p');
    expect(video.calls.length).toBe(calls);
    // On the new path, a queue on top of its own RTT is still a queue.
    net.rttMs = 380 + t.rttInflationMs + 50;
    await clock.advance(2 * t.sampleIntervalMs);
    expect(controller.state).toMatchObject({ rung: '540p', lastChange: 'queueing' });
  });

  it('after a cut, still steps down for a standing queue', async () => {
    const { clock, net, controller } = setup();
    await clock.advance(t.warmUpMs + 5_000);
    net.inboundFlowing = false;
    await clock.advance(3_000);
    net.inboundFlowing = true;
    net.rttMs = 80 + t.rttInflationMs + 50;
    await clock.advance(2 * t.sampleIntervalMs);
    expect(controller.state).toMatchObject({ rung: '540p', lastChange: 'queueing' });
  });

  it('does not oscillate on a noisy but steady link', async () => {
    const { clock, net, samples, changes, video } = setup();
    const random = seeded(42);
    const steps = 180;
    for (let i = 0; i < steps; i++) {
      net.estimateBps = 700_000 * (0.88 + 0.24 * random()); // +-12%
      net.loss = 0.015 * random();
      net.rttMs = 80 + 40 * random();
      await clock.advance(t.sampleIntervalMs);
    }
    expect(samples.length).toBeGreaterThanOrEqual(steps);
    const rungs = samples.map((s) => s.state.rung);
    const switches = rungs.filter((r, i) => i > 0 && r !== rungs[i - 1]);
    // At most one step down to where the link sits (on a dip of the noise), then nothing.
    expect(switches.length).toBeLessThanOrEqual(1);
    expect(switches.every((r) => r === '360p')).toBe(true);
    expect(new Set(rungs.slice(-120)).size).toBe(1);
    // The encoder was reconfigured at most twice: the start rung and that one step.
    expect(video.calls.length).toBeLessThanOrEqual(2);
    // The badge does not flicker either.
    expect(samples.filter((s) => s.sample.intervalMs > 0).every((s) => s.state.level === 'good')).toBe(true);
    expect(changes.filter((c) => c.level !== 'good' && c.level !== null)).toEqual([]);
  });

  it('keeps its rung on a clean link where the estimate only follows what the encoder sends', async () => {
    // The lab's 640x480 camera sends ~450k; Chrome's estimate then hovers just above that (+-13%).
    const { clock, net, samples } = setup({ width: 640, height: 480 });
    net.encoderDemandBps = 450_000;
    const random = seeded(3);
    for (let i = 0; i < 120; i++) {
      net.estimateBps = 470_000 * (0.87 + 0.26 * random());
      net.rttMs = 80 + 40 * random();
      await clock.advance(t.sampleIntervalMs);
    }
    expect(new Set(samples.map((s) => s.state.rung))).toEqual(new Set(['720p']));
  });

  it('steps up only after the estimate has shown room for the stable period, then straight to what it carries', async () => {
    const { clock, net, controller, rungsBetween, start } = setup({ estimate: MODERATE });
    await clock.advance(10_000);
    net.estimateBps = 400_000;
    net.loss = 0.03; // a real drop: the link loses what it cannot carry
    await clock.advance(t.sampleIntervalMs);
    net.loss = 0;
    await clock.advance(10_000 - t.sampleIntervalMs);
    expect(controller.state.rung).toBe('270p');

    const recoveredAt = clock.now() - start;
    net.estimateBps = 3_000_000;
    // Not a single step up during the stable period...
    await clock.advance(t.stepUpAfterMs);
    expect(new Set(rungsBetween(recoveredAt, recoveredAt + t.stepUpAfterMs))).toEqual(new Set(['270p']));
    // ...then one sample later (the first with a full period of headroom behind it).
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
    expect(controller.state.lastChange).toBe('headroom');
  });

  it('restarts the stable period when a bad sample interrupts it', async () => {
    const { clock, net, controller } = setup({ estimate: MODERATE });
    await clock.advance(10_000);
    net.estimateBps = 400_000;
    net.loss = 0.03; // a real drop: the link loses what it cannot carry
    await clock.advance(t.sampleIntervalMs);
    net.loss = 0;
    await clock.advance(5_000 - t.sampleIntervalMs);
    net.estimateBps = 3_000_000;
    await clock.advance(4_000);
    net.loss = 0.05; // one lossy second: not enough to step down, enough to distrust the link
    await clock.advance(t.sampleIntervalMs);
    net.loss = 0;
    await clock.advance(t.stepUpAfterMs - t.sampleIntervalMs);
    expect(controller.state.rung).toBe('270p');
    await clock.advance(2 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
  });

  it('probes one rung up when the estimate has grown past the current rung but not to the next', async () => {
    const { clock, net, controller } = setup({ estimate: MODERATE });
    await clock.advance(10_000);
    net.estimateBps = 400_000; // -> 270p (cap 300k)
    net.loss = 0.03; // a real drop: the link loses what it cannot carry
    await clock.advance(t.sampleIntervalMs);
    net.loss = 0;
    await clock.advance(5_000 - t.sampleIntervalMs);
    expect(controller.state.rung).toBe('270p');
    // Budget 0.85 * 560k - 64k = 412k: above 1.25 x 300k, below 360p's 500k.
    net.estimateBps = 560_000;
    await clock.advance(t.stepUpAfterMs + 2 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('360p');
  });

  it('probes up when the encoder does not fill its rung and the estimate has room over what it sends', async () => {
    const { clock, net, controller } = setup({ estimate: MODERATE });
    await clock.advance(t.warmUpMs + 1_000);
    net.estimateBps = 400_000; // -> 270p (cap 300k)
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('270p');
    // A still scene: the encoder sends 150k of its 300k. Chrome's estimate then
    // settles near 1.5x what is sent and never vouches for 360p on its own.
    net.encoderDemandBps = 150_000;
    net.estimateBps = 380_000; // budget 259k: < 1.25 x 300k cap, > 1.25 x 150k sent
    await clock.advance(t.stepUpAfterMs + 2 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('360p');
  });

  it('steps down on loss but never pauses video for loss alone', async () => {
    const { clock, net, controller } = setup();
    await clock.advance(t.warmUpMs + 1_000);
    net.estimateBps = 250_000; // budget 148k -> the lowest rungs
    net.loss = 0.25;
    await clock.advance(10 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe(t.cameraLadder.at(-1)!.name);
    expect(controller.state.videoPausedForBandwidth).toBe(false);
  });

  it('does not bounce between the low rungs when the estimate wanders just above what the encoder sends', async () => {
    // Seen in the lab after the squeeze: the 640x480 camera at 180p sends ~90k, Chrome's
    // estimate wanders around 1.5x that, and a "fallen" estimate kept undoing every step up.
    const { clock, net, samples, controller } = setup({ width: 640, height: 480 });
    await clock.advance(t.warmUpMs + 1_000);
    net.estimateBps = 220_000; // the squeeze: budget 123k -> the lowest rung
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('180p-8fps');
    const calm = samples.length;
    net.encoderDemandBps = 90_000; // a still scene at 180p
    const random = seeded(7);
    for (let i = 0; i < 90; i++) {
      net.estimateBps = 210_000 + 40_000 * random(); // clean link, estimate +-9% around 230k
      await clock.advance(t.sampleIntervalMs);
    }
    const order = t.cameraLadder.map((r) => r.name);
    const rungs = samples.slice(calm).map((s) => order.indexOf(s.state.rung!));
    const downs = rungs.filter((r, i) => i > 0 && r > rungs[i - 1]!);
    expect(downs).toEqual([]); // never back down on a clean link
    expect(controller.state.rung).not.toBe('180p-8fps');
  });

  it('backs off after a step-up that the network immediately undoes', async () => {
    const { clock, net, controller, samples } = setup({ estimate: MODERATE });
    await clock.advance(10_000);
    net.estimateBps = 400_000;
    net.loss = 0.03; // a real drop: the link loses what it cannot carry
    await clock.advance(2_000);
    net.estimateBps = 560_000; // looks like room for 360p, but the link cannot hold it
    const ups: number[] = [];
    let last = controller.state.rung;
    for (let i = 0; i < 60; i++) {
      await clock.advance(t.sampleIntervalMs);
      const rung = controller.state.rung;
      if (rung === '360p' && last === '270p') ups.push(samples.at(-1)!.sinceStart);
      // The link answers every probe with loss.
      net.loss = rung === '360p' ? 0.12 : 0;
      last = rung;
    }
    expect(ups.length).toBeGreaterThanOrEqual(3);
    const gaps = ups.slice(1).map((u, i) => u - ups[i]!);
    // Each failed try doubles the wait before the next one.
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[1]! - gaps[0]!).toBeGreaterThanOrEqual(t.stepUpAfterMs);
  });
});

describe('quality controller: video paused for bandwidth', () => {
  it('pauses video when even the lowest rung does not fit, tells the user, and resumes after a stable period', async () => {
    const { clock, net, encoding, changes, controller, rungsBetween, start } = setup();
    await clock.advance(10_000);
    net.estimateBps = 100_000; // budget 21k < 40k
    net.loss = 0.05; // and the link shows it
    await clock.advance(t.sampleIntervalMs);
    const pausedAt = clock.now() - start;
    expect(controller.state.videoPausedForBandwidth).toBe(true);
    expect(controller.state.rung).toBe('paused');
    expect(encoding().active).toBe(false);
    expect(changes.at(-1)!.videoPausedForBandwidth).toBe(true);
    await clock.advance(2 * t.sampleIntervalMs);
    expect(controller.state.level).toBe('poor');

    // The link comes back. Paused video cannot see that (only audio flows and
    // the estimate stays near what is sent), so it tries after the resume period.
    net.estimateBps = 3_000_000;
    net.loss = 0;
    await clock.advance(t.resumeVideoAfterMs);
    expect(new Set(rungsBetween(pausedAt, pausedAt + t.resumeVideoAfterMs))).toEqual(new Set(['paused']));
    await clock.advance(t.sampleIntervalMs);
    const lowest = t.cameraLadder.at(-1)!;
    expect(controller.state.rung).toBe(lowest.name);
    expect(controller.state.lastChange).toBe('resume');
    expect(encoding()).toMatchObject({ active: true, maxBitrate: lowest.maxBitrate, maxFramerate: lowest.maxFramerate });
    // The user hears of it once the try has held: a try that fails is not news.
    expect(controller.state.videoPausedForBandwidth).toBe(true);
    await clock.advance(t.failedStepUpWindowMs);
    expect(controller.state.videoPausedForBandwidth).toBe(false);
    expect(changes.at(-1)!.videoPausedForBandwidth).toBe(false);
    // And climbs back to the top after a stable period.
    await clock.advance(t.stepUpAfterMs + 2 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
    await clock.advance(t.levelUpSamples * t.sampleIntervalMs);
    expect(controller.state.level).toBe('good');
  });

  it('does not pause video for a low estimate on a clean link (the estimate only follows what is sent)', async () => {
    const { clock, net, controller } = setup();
    await clock.advance(t.warmUpMs + 1_000);
    net.estimateBps = 100_000;
    await clock.advance(5 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe(t.cameraLadder.at(-1)!.name);
    expect(controller.state.videoPausedForBandwidth).toBe(false);
  });

  it('does not pause video for a low estimate with a high RTT but no loss (a starved CPU, not a thin link)', async () => {
    const { clock, net, controller } = setup();
    await clock.advance(t.warmUpMs + 1_000);
    net.estimateBps = 97_000; // budget ~18k
    net.rttMs = 80 + t.rttInflationMs + 300;
    await clock.advance(5 * t.sampleIntervalMs);
    expect(controller.state.videoPausedForBandwidth).toBe(false);
    expect(controller.state.rung).toBe(t.cameraLadder.at(-1)!.name);
  });

  it('stays paused, trying less and less often, while the link cannot carry video, and says so once', async () => {
    const { clock, net, controller, samples, changes } = setup();
    await clock.advance(10_000);
    net.estimateBps = 120_000;
    const resumes: number[] = [];
    let wasPaused = false;
    for (let i = 0; i < 90; i++) {
      await clock.advance(t.sampleIntervalMs);
      const paused = controller.state.rung === 'paused';
      if (wasPaused && !paused) resumes.push(samples.at(-1)!.sinceStart);
      wasPaused = paused;
      // Video on this link means loss.
      net.loss = paused ? 0 : 0.2;
    }
    expect(resumes.length).toBeGreaterThanOrEqual(3);
    const gaps = resumes.slice(1).map((r, i) => r - resumes[i]!);
    expect(gaps[1]!).toBeGreaterThanOrEqual(gaps[0]! + t.resumeVideoAfterMs);
    // Every failed try flashed "paused" off and on (and "Connected to Ana" to screen readers).
    const told = changes.map((c) => c.videoPausedForBandwidth).filter((p, i, all) => i === 0 || p !== all[i - 1]);
    expect(told).toEqual([false, true]);
  });

  it('says video is back only once a resume has held, also when the try fails after its probe grace', async () => {
    const { clock, net, controller, changes } = setup();
    await clock.advance(10_000);
    net.estimateBps = 100_000;
    net.loss = 0.05;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('paused');
    net.estimateBps = 3_000_000;
    net.loss = 0;
    for (let i = 0; i * t.sampleIntervalMs < t.resumeVideoAfterMs + 2_000 && controller.state.rung === 'paused'; i++)
      await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).not.toBe('paused');
    // Room for the lowest rung only (no step up that would prove the try), and two samples past
    // the probe grace the link fails it: heavy loss, a collapsed estimate.
    net.estimateBps = 220_000;
    await clock.advance(t.probeGraceMs + 2 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe(t.cameraLadder.at(-1)!.name);
    net.estimateBps = 100_000;
    net.loss = 0.2;
    await clock.advance(2 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('paused');
    expect(changes.map((c) => c.videoPausedForBandwidth).filter((p, i, all) => i === 0 || p !== all[i - 1])).toEqual([false, true]);
    // A try that holds is news.
    net.estimateBps = 3_000_000;
    net.loss = 0;
    await clock.advance(2 * t.maxStepUpBackoffMs + t.failedStepUpWindowMs);
    expect(controller.state.videoPausedForBandwidth).toBe(false);
  });
});

describe("quality controller: the peer's video", () => {
  it("says the peer's video is paused while their audio arrives without it, and clears on their next frame", async () => {
    const { clock, net, controller, changes } = setup();
    await clock.advance(5_000);
    net.peerVideoFlowing = false;
    await clock.advance((t.peerVideoStalledSamples - 1) * t.sampleIntervalMs);
    expect(controller.state.peerVideoPaused).toBe(false); // one or two empty seconds are a hiccup
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.peerVideoPaused).toBe(true);
    expect(changes.at(-1)!.peerVideoPaused).toBe(true);
    net.peerVideoFlowing = true;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.peerVideoPaused).toBe(false);
  });

  it('does not call a dead path a paused video', async () => {
    const { clock, net, controller } = setup();
    await clock.advance(5_000);
    net.inboundFlowing = false;
    await clock.advance(5 * t.sampleIntervalMs);
    expect(controller.state.peerVideoPaused).toBe(false);
    expect(controller.state.level).toBe('lost');
  });
});

describe('quality controller: background loss', () => {
  // Wi-Fi and mobile links lose a few percent whatever the rate: that must not pin the video down.
  it('resumes paused video once the estimate is back, on a link that always loses 3 %', async () => {
    const { clock, net, controller } = setup();
    net.loss = 0.03;
    await clock.advance(t.warmUpMs + 5_000);
    net.estimateBps = 100_000;
    await clock.advance(5_000);
    expect(controller.state.videoPausedForBandwidth).toBe(true);
    net.estimateBps = 3_000_000;
    await clock.advance(t.resumeVideoAfterMs + 2 * t.sampleIntervalMs);
    expect(controller.state.videoPausedForBandwidth).toBe(false);
    await clock.advance(30_000);
    expect(controller.state.rung).toBe('720p');
  });

  it("takes a second of 11 % for chance on a link that always loses 5 %, and 25 % for congestion once Chrome's estimate falls with it", async () => {
    const { clock, net, controller } = setup();
    net.loss = 0.05;
    await clock.advance(t.warmUpMs + t.backgroundLossSamples * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
    net.loss = 0.11; // on a clean link this steps down (loss >= 10 %)
    await clock.advance(t.sampleIntervalMs);
    net.loss = 0.05;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
    // On a lossy link one report is no evidence alone: it may cover a handful of packets.
    net.loss = 0.25;
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
    net.estimateBps = 1_800_000; // GCC cuts on what its per-packet feedback shows
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).not.toBe('720p');
    expect(controller.state.lastChange).toBe('loss');
  });

  it('climbs back after a dip on a link that always loses 2.5 %', async () => {
    const { clock, net, controller } = setup({ estimate: MODERATE });
    net.loss = 0.025;
    await clock.advance(t.warmUpMs + 5_000);
    net.estimateBps = 400_000;
    await clock.advance(5_000);
    expect(controller.state.rung).toBe('270p');
    net.estimateBps = 3_000_000;
    await clock.advance(t.stepUpAfterMs + 2 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
  });
});

describe('quality controller: a long lossy path (400 ms RTT, 3 % loss each way, no rate limit)', () => {
  // Samples the controller took in the lab's steady-grid cell 400x3, one per second from the
  // first; plain Chromium kept 480p there all call long. null: no fresh receiver report.
  type Trace = { estimate: number[]; loss: (number | null)[]; rtt: number[] };

  /** A 640x480 camera (the lab's), sending up to `demand` as the lab's did; the trace replayed. */
  async function replay(trace: Trace, demand = 750_000) {
    const at = (i: number): Partial<SyntheticNetwork> => {
      const loss = trace.loss[i];
      return { estimateBps: trace.estimate[i]!, rttMs: trace.rtt[i]!, receiverReports: loss !== null, loss: loss ?? 0 };
    };
    // The controller takes its first sample on start, the rest one a second.
    const call = setup({ width: 640, height: 480, net: { ...at(0), encoderDemandBps: demand } });
    for (let i = 1; i < trace.estimate.length; i++) {
      Object.assign(call.net, at(i));
      await call.clock.advance(t.sampleIntervalMs);
    }
    return call;
  }
  const rungs = (call: Awaited<ReturnType<typeof replay>>) => new Set(call.samples.map((s) => s.state.rung));

  it("keeps its rung while the estimate ramps up slowly through the link's usual loss", async () => {
    // The caller: past the warm-up a budget under the top rung's with a 2.3 % report read as
    // congestion took it to 270p (then 360p, 180p).
    const call = await replay({
      estimate: [
        300, 308, 331, 320, 320, 422, 453, 493, 406, 406, 423, 473, 532, 597, 732, 732, 732, 784, 800, 800, 928, 945, 945, 945, 945, 1062,
      ].map((k) => k * 1000),
      loss: [
        null,
        null,
        0,
        0,
        0.043,
        0.055,
        0.062,
        0.035,
        0.047,
        0.09,
        0.023,
        0.055,
        null,
        0.016,
        0,
        0.031,
        null,
        0.016,
        0,
        0.066,
        0.016,
        null,
        0.047,
        0.023,
        0.016,
        0,
      ],
      rtt: [
        415, 415, 492, 425, 437, 468, 437, 419, 418, 404, 448, 417, 430, 456, 475, 432, 411, 418, 408, 409, 446, 583, 541, 475, 407, 434,
      ],
    });
    expect(rungs(call)).toEqual(new Set(['720p']));
  });

  it("undoes a step down on GCC's cut to about what was sent when only the link's usual loss follows", async () => {
    // The caller, 27 s in: the estimate fell from 1.6 Mbit/s to 639 kbit/s (about what was sent) with
    // 2 % loss and the RTT at its best; the next report's 9 % (fewer packets at the lower rung)
    // confirmed it, and 360p was as high as it climbed back.
    const before = [
      0,
      0.035,
      0.039,
      null,
      null,
      0,
      null,
      0.047,
      0.086,
      0.012,
      null,
      0.043,
      0.016,
      0.055,
      null,
      0.059,
      0,
      0.043,
      0.027,
      0.027,
      0.043,
      0.008,
      0.031,
      0.059,
      0.031,
      0.023,
      0.004,
    ];
    const call = await replay(
      {
        estimate: [
          ...before.map(() => 1_603_000),
          639_000,
          668_000,
          668_000,
          668_000,
          668_000,
          668_000,
          642_000,
          642_000,
          642_000,
          671_000,
          689_000,
        ],
        loss: [...before, 0.02, 0.09, 0, 0.012, 0.027, null, 0, 0.047, 0.07, null, 0.02],
        rtt: [...before.map(() => 410), 408, 406, 405, 408, 401, 404, 403, 406, 437, 403, 405],
      },
      700_000,
    );
    const cutAt = before.length;
    expect(call.samples[cutAt]!.state.rung).not.toBe('720p'); // a collapse steps down at once, as ever
    expect(call.samples.slice(cutAt + 4).map((s) => s.state.rung)).toEqual(Array(7).fill('720p'));
    expect(call.samples[cutAt + 3]!.state.lastChange).toBe('undone');
  });

  it("takes heavy loss in single reports for chance while Chrome's estimate does not fall with it", async () => {
    // The callee: the call's first report said 50 % (a handful of packets) and took it to
    // 180p-8fps; later reports of 16-33 % came while Chrome's estimate rose from 1.1 to 1.5 Mbit/s.
    const start = await replay({
      estimate: [300, 311, 308, 308, 308, 347, 371, 371, 371].map((k) => k * 1000),
      loss: [null, 0.496, 0.199, 0, 0.332, 0, 0.121, 0.043, 0],
      rtt: [407, 407, 551, 430, 421, 409, 488, 414, 411],
    });
    expect(rungs(start)).toEqual(new Set(['720p']));
    const later = await replay({
      estimate: [
        396, 356, 449, 468, 468, 468, 502, 598, 684, 684, 717, 829, 891, 962, 962, 962, 962, 1083, 1083, 1083, 1083, 1138, 1350, 1416, 1531,
        1531, 1531, 1531,
      ].map((k) => k * 1000),
      loss: [
        0,
        0.035,
        0.059,
        0.035,
        0.074,
        0.051,
        0.039,
        0.035,
        0.027,
        0,
        0.027,
        0.059,
        null,
        0,
        0.023,
        0.09,
        0.016,
        0,
        0.016,
        0.043,
        0.164,
        0.332,
        0,
        0.246,
        null,
        0.02,
        0.199,
        0.121,
      ],
      rtt: [
        406, 441, 404, 413, 405, 409, 408, 430, 409, 403, 416, 405, 471, 403, 419, 410, 403, 410, 429, 402, 412, 404, 404, 403, 402, 409,
        404, 412,
      ],
    });
    expect(rungs(later)).toEqual(new Set(['720p']));
  });
});

describe('quality controller: screen share', () => {
  it('keeps the captured resolution and gives up frame rate as bandwidth shrinks', async () => {
    const { clock, net, video, encoding, controller } = setup({ source: 'screen', width: 1920, height: 1080, estimate: 1_800_000 });
    await clock.advance(10_000);
    expect(controller.state.rung).toBe('screen-15fps');
    expect(video.current.degradationPreference).toBe('maintain-resolution');
    expect(video.track!.contentHint).toBe('detail');

    const fps: number[] = [];
    for (const estimate of [1_200_000, 800_000, 450_000]) {
      net.estimateBps = estimate;
      await clock.advance(t.sampleIntervalMs);
      expect(encoding().scaleResolutionDownBy).toBe(1);
      fps.push(encoding().maxFramerate!);
    }
    expect(fps).toEqual([8, 4, 2]);
  });

  it('switches ladders when the sender moves from camera to screen and back', async () => {
    const { clock, video, encoding, controller } = setup({ width: 640, height: 480 });
    await clock.advance(5_000);
    expect(encoding().scaleResolutionDownBy).toBe(1); // never upscales a 480p camera to "720p"
    controller.setVideoSender(video, 'screen');
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('screen-15fps');
    expect(video.current.degradationPreference).toBe('maintain-resolution');
    controller.setVideoSender(video, 'camera');
    await clock.advance(t.sampleIntervalMs);
    expect(controller.state.rung).toBe('720p');
    expect(video.current.degradationPreference).toBe('balanced');
  });
});

describe('quality controller: setParameters discipline and failures', () => {
  it('never has two setParameters in flight on one sender, and ends on the newest wish', async () => {
    const { clock, net, video, encoding, controller, errors } = setup({ width: 640, height: 480, estimate: MODERATE });
    await clock.advance(10_000);
    // Quick changes, several within the time a setParameters takes.
    controller.setVideoSender(video, 'screen');
    controller.setVideoSender(video, 'camera');
    net.estimateBps = 400_000;
    await clock.advance(t.sampleIntervalMs);
    controller.setVideoSender(video, 'screen');
    controller.setVideoSender(video, 'camera');
    await clock.advance(t.sampleIntervalMs);
    expect(video.maxConcurrentSets).toBe(1);
    expect(errors).toEqual([]);
    expect(controller.state.rung).toBe('270p');
    expect(encoding()).toMatchObject({ maxBitrate: 300_000, scaleResolutionDownBy: 1.78 }); // 480 / 270
  });

  it('reports a refused setParameters with a reason and applies the wish again on the next sample', async () => {
    const { clock, net, video, encoding, errors, controller } = setup({ estimate: MODERATE });
    await clock.advance(t.warmUpMs + 2_000);
    video.rejectSets(2); // with and without degradationPreference
    net.estimateBps = 400_000;
    await clock.advance(t.sampleIntervalMs);
    expect(errors.map((e) => e.reason)).toEqual(['parameters-rejected']);
    expect(errors[0]!.message).toMatch(/continues/);
    expect(controller.state.rung).toBe('270p');
    await clock.advance(t.sampleIntervalMs);
    expect(encoding().maxBitrate).toBe(300_000);
  });

  it('keeps asking for degradationPreference after a refusal that passed', async () => {
    const { clock, video, controller } = setup();
    video.rejectSets(1); // the first wish (with degradationPreference) races a renegotiation
    await clock.advance(3_000);
    controller.setVideoSender(video, 'screen');
    await clock.advance(t.sampleIntervalMs);
    expect(video.current.degradationPreference).toBe('maintain-resolution');
  });

  it('says nothing of a setParameters that fails after the call ended', async () => {
    const clock = createManualClock();
    const video = createFakeSender();
    const pc = createSyntheticPeerConnection(clock, video);
    pc.net.estimateBps = MODERATE;
    const errors: QualityError[] = [];
    // The call ends while the step-down's setParameters is in flight; the closed connection refuses it.
    const controller = createQualityController({
      pc,
      videoSender: video,
      clock,
      onError: (e) => errors.push(e),
      onSample: (_sample, state) => state.rung === '270p' && controller.stop(),
    });
    controller.start();
    await clock.advance(t.warmUpMs + 2_000);
    video.rejectSets(2);
    pc.net.estimateBps = 400_000;
    await clock.advance(3 * t.sampleIntervalMs);
    expect(controller.state.rung).toBe('270p');
    expect(video.calls.at(-1)!.encodings[0]!.maxBitrate).toBe(1_500_000); // the step never reached the sender
    expect(errors).toEqual([]);
  });

  it('waits for negotiation when the sender has no encodings yet', async () => {
    const clock = createManualClock();
    const video = createFakeSender({ encodings: 0 });
    const pc = createSyntheticPeerConnection(clock, video);
    const controller = createQualityController({ pc, videoSender: video, clock });
    controller.start();
    stops.push(() => controller.stop());
    await clock.advance(3_000);
    expect(video.calls).toEqual([]);
    video.negotiate();
    await clock.advance(t.sampleIntervalMs);
    expect(video.current.encodings[0]).toMatchObject({ maxBitrate: 1_500_000 });
  });

  it('keeps sampling after getStats fails, reporting the streak once', async () => {
    const { clock, pc, errors, samples } = setup();
    await clock.advance(3_000);
    pc.failGetStats(3);
    const before = samples.length;
    await clock.advance(3_000);
    expect(samples.length).toBe(before);
    await clock.advance(3_000);
    expect(samples.length).toBeGreaterThan(before);
    expect(errors.map((e) => e.reason)).toEqual(['stats-unavailable']);
  });

  it('stops polling on stop()', async () => {
    const { clock, pc, controller } = setup();
    await clock.advance(3_000);
    controller.stop();
    const calls = pc.getStatsCalls;
    await clock.advance(10_000);
    expect(pc.getStatsCalls).toBe(calls);
  });

  it('with adaptation off (plain browser), measures and rates but never touches the encoders', async () => {
    const { clock, net, video, audio, controller } = setup({ adapt: false });
    await clock.advance(10_000);
    net.estimateBps = 100_000;
    net.loss = 0.2;
    await clock.advance(5_000);
    expect(video.calls).toEqual([]);
    expect(audio.calls).toEqual([]);
    expect(controller.state).toMatchObject({ rung: null, videoPausedForBandwidth: false, level: 'poor' });
  });

  it('rates a voice call without a video sender', async () => {
    const { clock, net, controller, audio } = setup({ video: false });
    await clock.advance(8_000);
    expect(controller.state).toMatchObject({ level: 'good', rung: null, videoPausedForBandwidth: false });
    expect(audio.current.encodings[0]).toMatchObject({ priority: 'high' });
    net.inboundFlowing = false;
    await clock.advance(3_000);
    expect(controller.state.level).toBe('lost');
  });

  it('rejects missing options and bad tunables with a clear error', () => {
    expect(() => createQualityController(undefined as never)).toThrow(/RTCPeerConnection/);
    const clock = createManualClock();
    expect(() => createQualityController({ pc: { getStats: async () => new Map() }, clock, tunables: { cameraLadder: [] } })).toThrow(
      /cameraLadder is empty/,
    );
    const bad = (tunables: object) => () => createQualityController({ pc: { getStats: async () => new Map() }, clock, tunables });
    expect(bad({ stepUpAfterMs: Number.NaN })).toThrow(/stepUpAfterMs must be a finite number >= 0/);
    expect(bad({ lossStepDown: -1, audioReserveBps: '64k' })).toThrow(/lossStepDown .*audioReserveBps|audioReserveBps .*lossStepDown/);
    expect(bad({ screenLadder: undefined })).toThrow(/screenLadder must be a list of rungs/);
  });
});

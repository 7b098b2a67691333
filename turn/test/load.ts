/**
 * Relay load benchmark: N concurrent calls (2N real WebRTC peers from @roamhq/wrtc,
 * low-resolution fake video and audio) forced through ONE coturn on loopback, held for a while.
 * Prints whether all connected and none dropped, coturn's CPU use (from /proc/<pid>/stat) and
 * the relay throughput (bytes received per call, from getStats).
 *
 *   npx tsx turn/test/load.ts                 # 8 calls for 60 s
 *   FIRECALL_LOAD_CALLS=4 FIRECALL_LOAD_SECONDS=20 FIRECALL_LOAD_VIDEO=320x240x15 npx tsx turn/test/load.ts
 *
 * turn/test/load.test.ts runs the same code for a shorter time and asserts the outcome.
 * The peers and coturn share this machine's cores, so the CPU figure is coturn's own share.
 */
import wrtc from '@roamhq/wrtc';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { MediaDevicesLike } from '../../app/src/call/media';
import { MediaStream, createPhones, inboundBytes, nextIncoming, reach, sleep } from '../../app/src/call/testing/wrtc';
import type { CallSessionApi, CallState, IceServerProvider } from '../../app/src/call/types';
import { configs, randomSecret, restCredentials, startCoturn } from './coturn.js';

export interface LoadResult {
  calls: number;
  seconds: number;
  video: string;
  connected: number;
  /** Calls that ended or failed before the end of the run (should be 0). */
  dropped: number;
  /** Times any side showed 'reconnecting' (a media gap of about a second or more). */
  reconnects: number;
  /** Calls whose media grew in the last second of the run, both ways. */
  flowingAtEnd: number;
  /** coturn CPU use over the held period, % of one core. */
  coturnCpuPercent: number;
  /** This process (all the peers) over the held period, % of one core. */
  peersCpuPercent: number;
  /** Bytes received per call (both sides summed) over the held period, kbit/s: min, median, max. */
  perCallKbps: { min: number; median: number; max: number };
  /** Everything coturn relayed to the peers, kbit/s. */
  totalKbps: number;
  setupMs: { median: number; max: number };
}

const { nonstandard } = wrtc as unknown as {
  nonstandard: {
    RTCVideoSource: new () => {
      createTrack(): MediaStreamTrack;
      onFrame(frame: { width: number; height: number; data: Uint8ClampedArray }): void;
    };
    RTCAudioSource: new () => { createTrack(): MediaStreamTrack; onData(data: object): void };
  };
};

/**
 * A low-resolution camera whose picture moves (a sliding gradient and a little noise), so the
 * encoder sends a realistic small-video rate instead of the near-zero rate of a still frame;
 * and a microphone with a tone, so audio is not all silence. Stopped with `stop()`.
 */
class LoadDevices implements MediaDevicesLike {
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly tracks: MediaStreamTrack[] = [];
  constructor(private readonly video: { width: number; height: number; fps: number }) {}

  async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    const tracks: MediaStreamTrack[] = [];
    if (constraints.audio) {
      const source = new nonstandard.RTCAudioSource();
      const samples = new Int16Array(480);
      let t = 0;
      this.timers.push(
        setInterval(() => {
          for (let k = 0; k < 2; k++) {
            for (let i = 0; i < samples.length; i++) samples[i] = Math.round(3000 * Math.sin((2 * Math.PI * 440 * t++) / 48_000));
            source.onData({ samples, sampleRate: 48_000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 });
          }
        }, 20),
      );
      tracks.push(source.createTrack());
    }
    if (constraints.video) {
      const { width, height, fps } = this.video;
      const source = new nonstandard.RTCVideoSource();
      const data = new Uint8ClampedArray(width * height * 1.5);
      let n = 0;
      this.timers.push(
        setInterval(
          () => {
            n += 1;
            for (let y = 0; y < height; y++)
              for (let x = 0; x < width; x++) data[y * width + x] = ((x + y + 3 * n) & 0xff) ^ (Math.random() < 0.05 ? 0x3f : 0);
            source.onFrame({ width, height, data });
          },
          Math.round(1000 / fps),
        ),
      );
      tracks.push(source.createTrack());
    }
    this.tracks.push(...tracks);
    return new MediaStream(tracks);
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const track of this.tracks.splice(0)) track.stop();
  }
}

/** Clock ticks per second for /proc times; 100 on every Linux this runs on. */
const CLK_TCK = 100;

function cpuSeconds(pid: number): number {
  // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export interface LoadOptions {
  calls: number;
  seconds: number;
  /** The fake camera; default 160x120 at 15 fps. */
  video?: { width: number; height: number; fps: number };
  log?: (line: string) => void;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => {});
  const video = options.video ?? { width: 160, height: 120, fps: 15 };
  const devices = new LoadDevices(video);
  const secret = randomSecret();
  const coturn = await startCoturn({ config: configs.local, secrets: [secret] });
  // One username per grant: coturn's user-quota (16 allocations) applies per username, as per user in production.
  let grant = 0;
  const iceServers: IceServerProvider = async () => {
    const creds = restCredentials({ secret, uid: `load-${++grant}`, ttlSeconds: 3_600, now: () => Date.now() });
    return {
      iceServers: [{ urls: `turn:127.0.0.1:${coturn.port}?transport=udp`, username: creds.username, credential: creds.credential }],
      expiresAt: creds.expiresAt * 1000,
    };
  };
  const callers = Array.from({ length: options.calls }, (_, i) => `caller${i + 1}`);
  const callees = Array.from({ length: options.calls }, (_, i) => `callee${i + 1}`);
  const world = createPhones(
    [...callers, ...callees],
    { latencyMs: 30 },
    { iceServers, iceTransportPolicy: 'relay', mediaDevices: devices },
  );
  try {
    const pairs: { caller: CallSessionApi; callee: CallSessionApi }[] = [];
    let dropped = 0;
    let reconnects = 0;
    let holding = false;
    const watch = (session: CallSessionApi) =>
      session.on('state', (snap) => {
        const state: CallState = snap.state;
        if (state === 'reconnecting') reconnects += 1;
        if ((state === 'ended' || state === 'failed') && holding) {
          dropped += 1;
          log(`dropped: ${snap.peer} ${state} (${snap.reason}: ${snap.detail ?? ''})`);
        }
      });
    // Place every call at once: setup under load is part of the test.
    await Promise.all(
      callers.map(async (from, i) => {
        const to = callees[i]!;
        const incoming = nextIncoming(world.phones[to]!.client);
        const caller = world.phones[from]!.client.call({ callee: to, kind: 'video' });
        const callee = await incoming;
        void callee.accept();
        pairs.push({ caller, callee });
        watch(caller);
        watch(callee);
      }),
    );
    const settled = await Promise.allSettled(
      pairs.flatMap(({ caller, callee }) => [reach(caller, 'connected', 30_000), reach(callee, 'connected', 30_000)]),
    );
    const connected = pairs.filter((_, i) => settled[2 * i]!.status === 'fulfilled' && settled[2 * i + 1]!.status === 'fulfilled').length;
    const setups = pairs.map(({ caller }) => caller.snapshot.timings.setup ?? Number.NaN).filter(Number.isFinite);
    log(`${connected}/${options.calls} calls connected through one coturn (pid ${coturn.pid}); holding for ${options.seconds} s`);
    await sleep(1_000); // let every call reach its steady rate

    holding = true;
    const startBytes = await Promise.all(
      pairs.map(async ({ caller, callee }) => (await inboundBytes(caller)) + (await inboundBytes(callee))),
    );
    const startCpu = cpuSeconds(coturn.pid);
    const startOwn = process.cpuUsage();
    const startedAt = Date.now();
    await sleep(options.seconds * 1_000 - 1_000);
    const beforeLast = await Promise.all(pairs.map(async ({ caller, callee }) => [await inboundBytes(caller), await inboundBytes(callee)]));
    await sleep(1_000);
    const endBytes = await Promise.all(pairs.map(async ({ caller, callee }) => [await inboundBytes(caller), await inboundBytes(callee)]));
    const elapsed = (Date.now() - startedAt) / 1000;
    const coturnCpu = cpuSeconds(coturn.pid) - startCpu;
    const own = process.cpuUsage(startOwn);
    holding = false;

    const flowingAtEnd = endBytes.filter(([a, b], i) => a! > beforeLast[i]![0]! && b! > beforeLast[i]![1]!).length;
    const kbps = endBytes.map(([a, b], i) => ((a! + b! - startBytes[i]!) * 8) / 1000 / elapsed);
    const result: LoadResult = {
      calls: options.calls,
      seconds: Math.round(elapsed),
      video: `${video.width}x${video.height} at ${video.fps} fps`,
      connected,
      dropped,
      reconnects,
      flowingAtEnd,
      coturnCpuPercent: Math.round((coturnCpu / elapsed) * 1000) / 10,
      peersCpuPercent: Math.round(((own.user + own.system) / 1e6 / elapsed) * 1000) / 10,
      perCallKbps: { min: Math.round(Math.min(...kbps)), median: Math.round(median(kbps)), max: Math.round(Math.max(...kbps)) },
      totalKbps: Math.round(kbps.reduce((sum, k) => sum + k, 0)),
      setupMs: { median: Math.round(median(setups)), max: Math.round(Math.max(...setups)) },
    };
    log(describe(result));
    return result;
  } finally {
    world.dispose();
    devices.stop();
    await sleep(200);
    await coturn.stop();
  }
}

export function describe(r: LoadResult): string {
  return [
    `load: ${r.calls} relayed calls (${2 * r.calls} peer connections, relay only, ${r.video} video + audio) through one coturn for ${r.seconds} s`,
    `  connected ${r.connected}/${r.calls}, dropped ${r.dropped}, 'reconnecting' shown ${r.reconnects} times, media flowing both ways at the end in ${r.flowingAtEnd}/${r.calls}`,
    `  setup (caller, first action to connected): median ${r.setupMs.median} ms, max ${r.setupMs.max} ms`,
    `  coturn CPU ${r.coturnCpuPercent}% of one core; the ${2 * r.calls} peers (this process) ${r.peersCpuPercent}%`,
    `  relay throughput per call (both directions): min ${r.perCallKbps.min}, median ${r.perCallKbps.median}, max ${r.perCallKbps.max} kbit/s; total ${r.totalKbps} kbit/s`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const calls = Number(process.env.FIRECALL_LOAD_CALLS ?? 8);
  const seconds = Number(process.env.FIRECALL_LOAD_SECONDS ?? 60);
  const [width, height, fps] = (process.env.FIRECALL_LOAD_VIDEO ?? '160x120x15').split('x').map(Number);
  runLoad({ calls, seconds, video: { width: width!, height: height!, fps: fps! }, log: (line) => console.log(line) })
    .then((r) => {
      process.exitCode = r.connected === r.calls && r.dropped === 0 ? 0 : 1;
      // wrtc keeps native threads alive; leave once the figures are out.
      setTimeout(() => process.exit(), 500);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}

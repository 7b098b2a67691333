/**
 * The lab network, built from network namespaces and removed afterwards:
 *
 *   caller ── callergw ──┐                 ┌── calleegw ── callee
 *   10.1.0.2   198.51.100.2 ── internet ── 203.0.113.2    10.2.0.2
 *                          (coturn on 192.0.2.10)
 *                                 │ default route
 *                                void (drops everything, like the real internet)
 *
 * 20 ms one-way delay on each end of both internet links (an NFQUEUE delayer
 * on the receiving side), routers that drop unsolicited WAN input, and a
 * per-scenario policy on the routers (NAT kind, what may leave the LAN).
 * Only addresses inside these namespaces are used.
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { inNs, run, ProcessGroup, signalPid, LabError, delay } from './processes';
import { type LinkStalls, type RouterPolicy, type Scenario } from './scenarios';

const DELAYER = fileURLToPath(new URL('./delayer.py', import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const PREFIX = 'fcl-';

export const ADDRESSES = {
  turn: '192.0.2.10',
  /** A second TURN host (failover tests); nothing listens there unless started. */
  turnB: '192.0.2.11',
  callerHost: '10.1.0.2',
  calleeHost: '10.2.0.2',
  callerWan: '198.51.100.2',
  calleeWan: '203.0.113.2',
} as const;

export type Side = 'caller' | 'callee';

export interface LabOptions {
  /** One-way delay added at each end of each internet link (ms); 0 disables the delayers. */
  delayMs?: number;
  /** Initial rate limit on the caller's link, both directions (kbit/s); defaults to the scenario's. */
  callerRateKbit?: number;
  /**
   * Rate-limited links send voice (DSCP EF) ahead of everything else, like an
   * enterprise edge with voice QoS, instead of one first-in-first-out queue.
   */
  voiceFirst?: boolean;
  /** Stalls of the caller's uploads, over the scenario's own (the squeeze bench's SQUEEZE_STALLS=1). */
  callerStalls?: LinkStalls;
  /** Seeds the stall times (counted from the lab's start): the bench gives both calls of a pair the same, each pair its own. */
  stallSeed?: number;
}

export interface Lab {
  readonly id: string;
  readonly scenario: Scenario;
  readonly ns: { void: string; internet: string; callerGw: string; caller: string; calleeGw: string; callee: string };
  readonly processes: ProcessGroup;
  /** Namespace a side's browser runs in. */
  hostNs(side: Side): string;
  /** Cuts (true) or restores (false) a side's link at its router, both directions, without touching NAT state. */
  setLinkCut(side: Side, cut: boolean): Promise<void>;
  /** Limits a side's link to `kbit` per second in both directions; null removes the limit. */
  setRate(side: Side, kbit: number | null): Promise<void>;
  /** Drops `percent` of a side's packets at random, each direction on its own (Wi-Fi-like loss); 0 removes it. */
  setLoss(side: Side, percent: number): Promise<void>;
  /** Runs `cleanup` on dispose, after the processes stopped and before the namespaces go. */
  onDispose(cleanup: () => void | Promise<void>): void;
  dispose(): Promise<void>;
}

let counter = 0;

/** Namespaces of labs not yet disposed; removed synchronously if the process exits first. */
const live = new Set<string>();
let exitHookInstalled = false;

function removeOnExit(): void {
  for (const name of live) {
    try {
      const pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 5_000 });
      for (const pid of pids
        .split('\n')
        .map(Number)
        .filter((p) => p > 0))
        signalPid(pid, 'SIGKILL');
      execFileSync('ip', ['netns', 'delete', name], { timeout: 5_000 });
    } catch {
      // best effort; the next run's stale sweep removes what is left
    }
  }
  live.clear();
}

/** Removes namespaces left by an earlier lab run whose process is gone. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const listing = await run('ip', ['netns', 'list'], { allowFailure: true });
  const removed: string[] = [];
  for (const line of listing.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = /^fcl-(\d+)-/.exec(name);
    if (!match) continue;
    const owner = Number(match[1]);
    if (owner === process.pid || existsSync(`/proc/${owner}`)) continue;
    await removeNamespace(name);
    removed.push(name);
  }
  return removed;
}

async function removeNamespace(name: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', name], { allowFailure: true });
  for (const pid of pids
    .split('\n')
    .map(Number)
    .filter((p) => p > 0))
    signalPid(pid, 'SIGKILL');
  await run('ip', ['netns', 'delete', name], { allowFailure: true });
}

export async function createLab(scenario: Scenario, options: LabOptions = {}): Promise<Lab> {
  const delayMs = options.delayMs ?? 20;
  await removeStaleNamespaces();
  const id = `${PREFIX}${process.pid}-${++counter}`;
  const ns = {
    void: `${id}-void`,
    internet: `${id}-inet`,
    callerGw: `${id}-callergw`,
    caller: `${id}-caller`,
    calleeGw: `${id}-calleegw`,
    callee: `${id}-callee`,
  };
  const processes = new ProcessGroup();
  const created: string[] = [];
  const cleanups: Array<() => void | Promise<void>> = [];

  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', removeOnExit);
  }
  const dispose = async () => {
    await processes.stopAll();
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.warn(`[lab] cleanup failed: ${(error as Error).message}`);
      }
    }
    for (const name of created.reverse()) {
      await removeNamespace(name);
      live.delete(name);
    }
    created.length = 0;
  };

  try {
    for (const name of Object.values(ns)) {
      await run('ip', ['netns', 'add', name]);
      created.push(name);
      live.add(name);
      await inNs(name, 'ip', ['link', 'set', 'lo', 'up']);
      await sysctl(name, 'net.ipv6.conf.all.disable_ipv6', '1');
      await sysctl(name, 'net.ipv6.conf.default.disable_ipv6', '1');
    }
    const link = async (a: string, aIf: string, aAddr: string, b: string, bIf: string, bAddr: string) => {
      await run('ip', ['link', 'add', aIf, 'netns', a, 'type', 'veth', 'peer', 'name', bIf, 'netns', b]);
      await inNs(a, 'ip', ['addr', 'add', aAddr, 'dev', aIf]);
      await inNs(b, 'ip', ['addr', 'add', bAddr, 'dev', bIf]);
      await inNs(a, 'ip', ['link', 'set', aIf, 'up']);
      await inNs(b, 'ip', ['link', 'set', bIf, 'up']);
    };
    await link(ns.internet, 'void', '10.255.0.1/30', ns.void, 'inet', '10.255.0.2/30');
    await link(ns.internet, 'r1', '198.51.100.1/24', ns.callerGw, 'wan', `${ADDRESSES.callerWan}/24`);
    await link(ns.internet, 'r2', '203.0.113.1/24', ns.calleeGw, 'wan', `${ADDRESSES.calleeWan}/24`);
    await link(ns.callerGw, 'lan', '10.1.0.1/24', ns.caller, 'eth0', `${ADDRESSES.callerHost}/24`);
    await link(ns.calleeGw, 'lan', '10.2.0.1/24', ns.callee, 'eth0', `${ADDRESSES.calleeHost}/24`);

    // The internet: TURN lives on its loopback; anything unknown goes to the void.
    await inNs(ns.internet, 'ip', ['addr', 'add', `${ADDRESSES.turn}/32`, 'dev', 'lo']);
    await inNs(ns.internet, 'ip', ['addr', 'add', `${ADDRESSES.turnB}/32`, 'dev', 'lo']);
    await inNs(ns.internet, 'ip', ['route', 'add', 'default', 'via', '10.255.0.2']);
    await sysctl(ns.internet, 'net.ipv4.ip_forward', '1');
    // The void receives and drops everything (no forwarding, nothing listening).
    await inNs(ns.void, 'iptables', ['-P', 'INPUT', 'DROP']);
    if (scenario.router.nat === 'none') {
      await inNs(ns.internet, 'ip', ['route', 'add', '10.1.0.0/24', 'via', ADDRESSES.callerWan]);
      await inNs(ns.internet, 'ip', ['route', 'add', '10.2.0.0/24', 'via', ADDRESSES.calleeWan]);
    }

    await configureRouter(ns.callerGw, '198.51.100.1', scenario.router);
    await configureRouter(ns.calleeGw, '203.0.113.1', scenario.router);
    await inNs(ns.caller, 'ip', ['route', 'add', 'default', 'via', '10.1.0.1']);
    await inNs(ns.callee, 'ip', ['route', 'add', 'default', 'via', '10.2.0.1']);

    if (delayMs > 0) {
      // Delay on the receiving side of each internet link, one delayer per namespace.
      await addDelay(processes, ns.internet, ['r1', 'r2'], delayMs);
      await addDelay(processes, ns.callerGw, ['wan'], delayMs);
      await addDelay(processes, ns.calleeGw, ['wan'], delayMs);
    }
    const stalls = options.callerStalls ?? scenario.callerStalls;
    if (stalls) {
      // The caller's uploads, before its rate limit: a Wi-Fi station stalls, then sends what waited.
      await addDelay(processes, ns.callerGw, ['lan'], 0, { queue: 1, stalls, seed: options.stallSeed ?? 1 });
    }
  } catch (error) {
    await dispose();
    throw error;
  }

  const gwOf = (side: Side) => (side === 'caller' ? ns.callerGw : ns.calleeGw);
  /** Links whose voice-first queues exist: later rate changes only retune them. */
  const voiceQueues = new Set<string>();
  const lossPercent = new Map<Side, number>();
  const lab: Lab = {
    id,
    scenario,
    ns,
    processes,
    hostNs: (side) => (side === 'caller' ? ns.caller : ns.callee),
    async setLinkCut(side, cut) {
      // raw PREROUTING, ahead of the delayer and of conntrack: the link is simply silent.
      for (const dev of ['wan', 'lan']) {
        const rule = ['-t', 'raw', cut ? '-I' : '-D', 'PREROUTING', ...(cut ? ['1'] : []), '-i', dev, '-j', 'DROP'];
        await inNs(gwOf(side), 'iptables', rule, { allowFailure: !cut });
      }
    },
    async setLoss(side, percent) {
      if (!(percent >= 0 && percent < 100)) throw new LabError(`loss must be 0-99 %, got ${percent}`);
      // raw PREROUTING at the top, ahead of the delayer: a lost packet never queues anywhere.
      const match = (dev: string, p: number) => [
        '-i',
        dev,
        '-m',
        'statistic',
        '--mode',
        'random',
        '--probability',
        String(p / 100),
        '-j',
        'DROP',
      ];
      const before = lossPercent.get(side) ?? 0;
      for (const dev of ['wan', 'lan']) {
        // A rule an earlier failed call left out is no reason to fail this one.
        if (before > 0)
          await inNs(gwOf(side), 'iptables', ['-t', 'raw', '-D', 'PREROUTING', ...match(dev, before)], { allowFailure: true });
        if (percent > 0) await inNs(gwOf(side), 'iptables', ['-t', 'raw', '-I', 'PREROUTING', '1', ...match(dev, percent)]);
      }
      lossPercent.set(side, percent);
    },
    async setRate(side, kbit) {
      for (const dev of ['wan', 'lan']) {
        if (kbit === null) {
          await inNs(gwOf(side), 'tc', ['qdisc', 'del', 'dev', dev, 'root'], { allowFailure: true });
          voiceQueues.delete(`${side}:${dev}`);
          continue;
        }
        if (options.voiceFirst) await shapeVoiceFirst(gwOf(side), dev, kbit, voiceQueues, `${side}:${dev}`);
        else await inNs(gwOf(side), 'tc', ['qdisc', 'replace', 'dev', dev, 'root', ...tokenBucket(kbit)]);
      }
    },
    onDispose: (cleanup) => void cleanups.push(cleanup),
    dispose,
  };
  const rate = options.callerRateKbit ?? scenario.callerRateKbit;
  try {
    if (rate !== undefined) await lab.setRate('caller', rate);
    if (scenario.callerLossPercent) await lab.setLoss('caller', scenario.callerLossPercent);
  } catch (error) {
    await dispose();
    throw error;
  }
  return lab;
}

/** tbf arguments for `kbit`: ~20 ms of burst (at least one full-size packet), ~100 ms of queue like a small home router. */
function tokenBucket(kbit: number): string[] {
  return ['tbf', 'rate', `${kbit}kbit`, 'burst', `${burstBytes(kbit)}`, 'latency', '100ms'];
}

function burstBytes(kbit: number): number {
  return Math.max(3000, Math.round((kbit * 1000) / 8 / 50));
}

/**
 * The same rate, but with two queues under it: DSCP EF (what Chromium marks
 * audio with when its encoding's networkPriority is high) is sent first, the
 * rest waits. This kernel has no prio qdisc, so it is HTB: voice may use the
 * whole rate at priority 0, the rest borrows what voice leaves. Best effort
 * waits as long as it would behind tbf alone.
 */
async function shapeVoiceFirst(ns: string, dev: string, kbit: number, built: Set<string>, key: string): Promise<void> {
  const burst = `${burstBytes(kbit)}`;
  // One full-size frame less than tbf's queue: HTB holds one more packet outside it (measured
  // with queue-probe.py: best effort then waits as long as it does behind plain tbf).
  const limit = `${Math.round((kbit * 1000) / 8 / 10) + burstBytes(kbit) - 1514}`;
  const rate = `${kbit}kbit`;
  const shape = ['burst', burst, 'cburst', burst, 'quantum', '1514'];
  const tc = (...args: string[]) => inNs(ns, 'tc', args);
  // change, not replace, once built: queued packets stay, as they do when a real link slows down.
  const verb = built.has(key) ? 'change' : 'add';
  if (!built.has(key)) await tc('qdisc', 'replace', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '12');
  await tc('class', verb, 'dev', dev, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', rate, 'ceil', rate, ...shape);
  await tc('class', verb, 'dev', dev, 'parent', '1:1', 'classid', '1:11', 'htb', 'rate', rate, 'ceil', rate, 'prio', '0', ...shape);
  await tc('class', verb, 'dev', dev, 'parent', '1:1', 'classid', '1:12', 'htb', 'rate', '8kbit', 'ceil', rate, 'prio', '1', ...shape);
  for (const band of ['11', '12'])
    await tc('qdisc', verb, 'dev', dev, 'parent', `1:${band}`, 'handle', `${band}:`, 'bfifo', 'limit', limit);
  if (!built.has(key)) {
    await tc(
      'filter',
      'add',
      'dev',
      dev,
      'parent',
      '1:',
      'protocol',
      'ip',
      'prio',
      '1',
      'u32',
      'match',
      'ip',
      'dsfield',
      '0xb8',
      '0xfc',
      'flowid',
      '1:11',
    );
    built.add(key);
  }
}

async function sysctl(ns: string, key: string, value: string): Promise<void> {
  await inNs(ns, 'sysctl', ['-q', '-w', `${key}=${value}`]);
}

async function configureRouter(ns: string, upstream: string, policy: RouterPolicy): Promise<void> {
  await inNs(ns, 'ip', ['route', 'add', 'default', 'via', upstream]);
  await sysctl(ns, 'net.ipv4.ip_forward', '1');
  const ipt = (...args: string[]) => inNs(ns, 'iptables', args);
  // Like a home router: nothing unsolicited from the WAN reaches the router itself
  // (a stray probe would otherwise pin the port a later NAT mapping wants).
  await ipt('-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
  await ipt('-A', 'INPUT', '-i', 'wan', '-j', 'DROP');
  await ipt('-P', 'FORWARD', 'DROP');
  await ipt('-A', 'FORWARD', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
  switch (policy.egress) {
    case 'all':
      await ipt('-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-j', 'ACCEPT');
      break;
    case 'no-udp':
      await ipt('-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-p', 'tcp', '-j', 'ACCEPT');
      break;
    case 'tcp443':
      await ipt('-A', 'FORWARD', '-i', 'lan', '-o', 'wan', '-p', 'tcp', '--dport', '443', '-j', 'ACCEPT');
      break;
    case 'nothing':
      break;
  }
  if (policy.nat === 'none') {
    await ipt('-A', 'FORWARD', '-i', 'wan', '-o', 'lan', '-j', 'ACCEPT');
  } else {
    const random = policy.nat === 'masquerade-random' ? ['--random-fully'] : [];
    await ipt('-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan', '-j', 'MASQUERADE', ...random);
  }
}

async function addDelay(
  processes: ProcessGroup,
  ns: string,
  devs: string[],
  delayMs: number,
  extra: { queue: number; stalls: LinkStalls; seed: number } | null = null,
): Promise<void> {
  const queue = String(extra?.queue ?? 0);
  const stalls = extra ? [extra.stalls.ms, extra.stalls.minGapMs, extra.stalls.maxGapMs, extra.seed].map(String) : [];
  await processes.start(`delayer ${ns} ${queue}`, 'ip', ['netns', 'exec', ns, PYTHON, DELAYER, queue, String(delayMs), ...stalls], {
    readyWhen: /^ready$/,
    readyTimeoutMs: 10_000,
  });
  for (const dev of devs) {
    await inNs(ns, 'iptables', ['-t', 'raw', '-A', 'PREROUTING', '-i', dev, '-j', 'NFQUEUE', '--queue-num', queue]);
  }
}

/** Waits until `probe` succeeds or `timeoutMs` passes; used for readiness checks. */
export async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string, stepMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await delay(stepMs);
  }
  throw new LabError(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * CPU use read from /proc, for load figures: a process's own time (/proc/<pid>/stat),
 * the whole machine's busy time (/proc/stat), both as "% of one core", and the pids in a namespace.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { run } from './processes';

/** Clock ticks per second for /proc times; 100 on every Linux this runs on. */
const CLK_TCK = 100;

/** User + system CPU seconds a process has used so far; null once it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name: state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores summed) so far. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice).
  const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
  const idle = ticks[3]! + ticks[4]!;
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

export const coreCount = () => cpus().length;

/**
 * CPU of a changing set of processes (e.g. a browser and its children) over a period.
 * `sample()` now and then keeps processes that exit before the end from being lost
 * entirely; a process first seen after the start counts from zero.
 */
export class ProcessSetCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private startedAt = 0;
  private sampledAt = 0;

  constructor(private readonly pids: () => Promise<number[]>) {}

  async start(): Promise<void> {
    this.first.clear();
    this.last.clear();
    for (const pid of await this.pids()) {
      const cpu = processCpuSeconds(pid);
      if (cpu !== null) this.first.set(pid, cpu);
    }
    this.startedAt = this.sampledAt = Date.now();
  }

  async sample(): Promise<void> {
    for (const pid of await this.pids()) {
      const cpu = processCpuSeconds(pid);
      if (cpu === null) continue;
      if (!this.first.has(pid)) this.first.set(pid, 0);
      this.last.set(pid, cpu);
    }
    this.sampledAt = Date.now();
  }

  /** CPU seconds used between start() and the last sample(). */
  seconds(): number {
    let sum = 0;
    for (const [pid, cpu] of this.last) sum += cpu - (this.first.get(pid) ?? 0);
    return sum;
  }

  /** Average use between start() and the last sample(), in % of one core. */
  percentOfOneCore(): number {
    const elapsed = (this.sampledAt - this.startedAt) / 1000;
    return elapsed > 0 ? (this.seconds() / elapsed) * 100 : 0;
  }
}

/**
 * How busy the machine is with work that is not ours, over `ms`: the machine's busy time
 * minus `ours` (processes we started) and this process, in % of one core.
 */
export async function othersCpuPercent(ours: () => Promise<number[]>, ms: number): Promise<number> {
  const mine = new ProcessSetCpu(ours);
  const machine0 = machineCpuSeconds();
  const own0 = process.cpuUsage();
  await mine.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  await mine.sample();
  const own = process.cpuUsage(own0);
  const busy = machineCpuSeconds().busy - machine0.busy;
  return Math.max(0, ((busy - mine.seconds() - (own.user + own.system) / 1e6) / (ms / 1000)) * 100);
}

/** Pids of the processes inside a namespace. */
export async function namespacePids(ns: string): Promise<number[]> {
  const out = await run('ip', ['netns', 'pids', ns], { allowFailure: true });
  return out
    .split('\n')
    .map(Number)
    .filter((pid) => pid > 0);
}

/** Pids of every process below `root` (children, their children, ...), e.g. the emulators a test started. */
export function descendantPids(root = process.pid): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!(pid > 0)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

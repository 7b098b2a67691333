/**
 * Commands and long-running processes for the lab. Every command has a
 * timeout; every process is remembered by pid and killed by pid on dispose,
 * so a lab run never leaves anything behind.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';

export class LabError extends Error {
  override readonly name = 'LabError';
}

export interface RunOptions {
  timeoutMs?: number;
  /** Do not throw on a non-zero exit (cleanup paths). */
  allowFailure?: boolean;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs one command to completion and returns its stdout. */
export function run(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  const timeout = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout, killSignal: 'SIGKILL', maxBuffer: 8 * 1024 * 1024, env: options.env ?? process.env },
      (error, stdout, stderr) => {
        if (error && !options.allowFailure) {
          reject(new LabError(`${cmd} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
          return;
        }
        resolve(stdout);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Runs a command inside a network namespace. */
export function inNs(ns: string, cmd: string, args: string[], options?: RunOptions): Promise<string> {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], options);
}

export interface Started {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Last lines of output, for error messages. */
  output: () => string;
  exited: Promise<number | null>;
}

export interface StartOptions {
  /** Resolve once a line of output matches (stdout or stderr). */
  readyWhen?: RegExp;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Owns the processes one lab run starts; `stopAll` kills them by pid. */
export class ProcessGroup {
  private readonly started: Started[] = [];

  async start(name: string, cmd: string, args: string[], options: StartOptions = {}): Promise<Started> {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    if (child.pid === undefined) throw new LabError(`${name}: could not start ${cmd}`);
    const lines: string[] = [];
    let pending = '';
    const listeners: Array<(line: string) => void> = [];
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 60) lines.shift();
        for (const l of listeners) l(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started: Started = { name, pid: child.pid, child, output: () => lines.join('\n'), exited };
    this.started.push(started);
    if (options.readyWhen) {
      const pattern = options.readyWhen;
      const timeoutMs = options.readyTimeoutMs ?? 10_000;
      await new Promise<void>((resolve, reject) => {
        if (lines.some((line) => pattern.test(line))) return resolve();
        const timer = setTimeout(() => reject(new LabError(`${name} not ready after ${timeoutMs} ms:\n${started.output()}`)), timeoutMs);
        listeners.push((line) => {
          if (pattern.test(line)) {
            clearTimeout(timer);
            resolve();
          }
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new LabError(`${name} exited (${code}) before it was ready:\n${started.output()}`));
        });
      });
    }
    return started;
  }

  /** SIGTERM each process by pid, SIGKILL whatever is still alive after a grace period. */
  async stopAll(graceMs = 2_000): Promise<void> {
    const alive = this.started.splice(0).filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    for (const p of alive) signalPid(p.pid, 'SIGTERM');
    await Promise.all(
      alive.map((p) =>
        Promise.race([p.exited, delay(graceMs)]).then(() => {
          if (p.child.exitCode === null && p.child.signalCode === null) signalPid(p.pid, 'SIGKILL');
        }),
      ),
    );
  }
}

export function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds; false after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await delay(stepMs);
  }
  return false;
}

/** Rejects with a clear message when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LabError(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

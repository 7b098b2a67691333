/**
 * turn/start.sh as `npm start`, the tests and the lab use it: stop really stops, and every way
 * startup can go wrong ends in one clear sentence, a non-zero exit and nothing left running.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLine, configs, isRunning, randomSecret, startCoturn, startScript } from './coturn.js';

// Absolute, so a test can hide turnserver by emptying PATH and still run the script.
const bash = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();
const dir = mkdtempSync(join(tmpdir(), 'firecall-turn-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startSh(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(bash, [startScript, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe('turn/start.sh stop', () => {
  it('ends coturn by its pid and removes the pid file and the private config holding the secret', async () => {
    const secret = randomSecret();
    const coturn = await startCoturn({ config: configs.local, secrets: [secret] });
    try {
      expect(isRunning(coturn.pid)).toBe(true);
      expect(commandLine(coturn.pid).join(' ')).not.toContain(secret); // not visible in ps
      expect(existsSync(`${coturn.pidFile}.conf`)).toBe(true);
      const stopped = await startSh(['stop', '--pid-file', coturn.pidFile], process.env as Record<string, string>);
      expect(stopped.stdout).toContain(`coturn stopped (pid ${coturn.pid})`);
      expect(isRunning(coturn.pid)).toBe(false);
      expect(existsSync(coturn.pidFile)).toBe(false);
      expect(existsSync(`${coturn.pidFile}.conf`)).toBe(false);
    } finally {
      await coturn.stop();
    }
  });
});

describe('turn/start.sh refuses to start, clearly', () => {
  const base = (name: string) => ['--pid-file', join(dir, `${name}.pid`), '--log-file', join(dir, `${name}.log`), '--no-tls'];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

  it('without a secret', async () => {
    const run = await startSh([...base('nosecret'), '--port', '3999'], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('no TURN secret: set FIRECALL_TURN_SECRET');
  });

  it('with a secret that would break the config line (and does not echo it)', async () => {
    const run = await startSh([...base('badsecret'), '--port', '3999'], { ...env, FIRECALL_TURN_SECRET: 'short\nlisten' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('a TURN secret must be at least 16 characters');
    expect(run.stderr).not.toContain('short');
  });

  it('when coturn is not installed', async () => {
    const run = await startSh(base('missing'), { PATH: '/nonexistent', FIRECALL_TURN_SECRET: randomSecret() });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("coturn is not installed (no 'turnserver' on PATH)");
  });

  it('when its port is taken by another program, leaving no coturn behind', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const run = await startSh([...base('taken'), '--port', String(port), '--relay-ports', '29900-29999'], {
        ...env,
        FIRECALL_TURN_SECRET: randomSecret(),
      });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`port ${port} is already in use on 127.0.0.1`);
      expect(run.stdout).not.toContain('coturn started');
      expect(existsSync(join(dir, 'taken.pid'))).toBe(false);
    } finally {
      squatter.close();
    }
  });

  it('with a misspelt turnserver option, showing coturn’s complaint', async () => {
    const run = await startSh([...base('badopt'), '--port', '3999', '--', '--no-such-option'], {
      ...env,
      FIRECALL_TURN_SECRET: randomSecret(),
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('coturn exited during startup');
    expect(run.stderr).toContain("unrecognized option '--no-such-option'");
  });
});

/**
 * The deployable unit in turn/deploy stays consistent with the config and with the coturn it runs:
 * every option its command lines pass exists in that coturn, the certificate the hook installs is
 * the one the config names, and nothing in the config overrides the unit's log file.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configs } from './coturn.js';

const deploy = join(__dirname, '..', 'deploy');
const read = (name: string) => readFileSync(join(deploy, name), 'utf8');
const help = spawnSync('turnserver', ['--help'], { encoding: 'utf8' });
const turnserverHelp = `${help.stdout ?? ''}${help.stderr ?? ''}`;

/** The `--option` names of every ExecStart line that runs turnserver. */
function execStartOptions(unit: string): string[] {
  return unit
    .split('\n')
    .filter((line) => line.startsWith('ExecStart=/usr/bin/turnserver'))
    .flatMap((line) =>
      line
        .split(/\s+/)
        .filter((word) => word.startsWith('--'))
        .map((word) => word.split('=')[0]!),
    );
}

describe('turn/deploy', () => {
  it("starts coturn only with options Debian's turnserver knows (metrics aside)", () => {
    const options = execStartOptions(read('firecall-turn.service'));
    expect(options).toEqual(['--pidfile', '--no-stdout-log', '--simple-log', '--log-file']);
    for (const option of options) expect(turnserverHelp).toContain(option);
  });

  it("asks for metrics with coturn 4.6.1's options, which this Debian build does not have", () => {
    const metrics = execStartOptions(read('metrics.conf'));
    expect(metrics).toEqual(['--pidfile', '--no-stdout-log', '--simple-log', '--log-file', '--prometheus', '--prometheus-port']);
    expect(read('Containerfile')).toContain('"--prometheus", "--prometheus-port=9641"');
    // The day Debian builds coturn with metrics this fails, and the README's advice to rebuild can go.
    expect(turnserverHelp).not.toContain('--prometheus');
  });

  it('installs the certificate where the production config looks for it', () => {
    const config = readFileSync(configs.production, 'utf8');
    const hook = read('certbot-deploy-hook.sh');
    for (const option of ['cert', 'pkey']) {
      const path = new RegExp(`^${option}=(.+)$`, 'm').exec(config)![1]!;
      expect(hook).toContain(` ${path}\n`);
    }
  });

  it('leaves the log file to the unit: the config sets none', () => {
    expect(readFileSync(configs.production, 'utf8')).not.toMatch(/^(log-file|syslog|no-stdout-log)/m);
    expect(read('logrotate')).toContain('/var/log/coturn/turnserver.log');
    expect(read('firecall-turn.service')).toContain('--log-file=/var/log/coturn/turnserver.log');
  });
});

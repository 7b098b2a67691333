// Debian packages the suites need: checked by the command each provides, installed with
// apt-get when running as root on Debian, otherwise reported so the caller can skip loudly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Which command each Debian package provides, to check before installing. */
const provides = {
  coturn: '/usr/bin/turnserver',
  chromium: '/usr/bin/chromium',
  'firefox-esr': '/usr/bin/firefox-esr',
  iptables: '/usr/sbin/iptables',
  iproute2: '/usr/sbin/ip',
  python3: '/usr/bin/python3',
  'stress-ng': '/usr/bin/stress-ng',
};

export const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
let aptUpdated = false;

/** Returns null when every package is present (installing as root if needed), else what is missing. */
export function ensurePackages(names) {
  const missing = names.filter((name) => !existsSync(provides[name]));
  if (missing.length === 0) return null;
  if (!isRoot || !hasApt) return `missing ${missing.join(', ')} (install: apt-get install ${missing.join(' ')})`;
  console.log(`installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = missing.filter((name) => !existsSync(provides[name]));
  return install.status === 0 && still.length === 0 ? null : `apt-get could not install ${still.join(', ')}`;
}

/**
 * What the lab needs from the machine, checked up front so a missing piece is
 * one clear sentence instead of a failure deep inside a trial.
 */
import { existsSync } from 'node:fs';

const NEEDED: Array<[string, string]> = [
  ['/usr/sbin/ip', 'iproute2'],
  ['/usr/sbin/iptables', 'iptables'],
  ['/usr/sbin/tc', 'iproute2'],
  ['/usr/bin/turnserver', 'coturn'],
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/bin/python3', 'python3 (the packet delayer)'],
];

/** Null when the lab can run here, else why not and what to install. */
export function labProblem(): string | null {
  if (process.getuid?.() !== 0) return 'the network lab needs root (network namespaces, iptables)';
  const missing = NEEDED.filter(([path]) => !existsSync(path) && !(path === '/usr/bin/chromium' && process.env.FIRECALL_CHROMIUM));
  if (missing.length > 0) return `missing ${missing.map(([path, pkg]) => `${path} (${pkg})`).join(', ')}`;
  return null;
}

/**
 * What a TURN host receives and sends, from iptables byte counters in the lab's internet
 * namespace (coturn's own address only: forwarded packets between the routers do not count).
 * Also finds the coturn process that listens on a port, for its CPU figure.
 */
import { readFileSync } from 'node:fs';
import { namespacePids } from './cpu';
import { inNs } from './processes';
import type { Lab } from './topology';

export interface TurnTraffic {
  /** Bytes (IP packets) sent to and from the TURN address since the counters were installed. */
  read(): Promise<{ inBytes: number; outBytes: number }>;
}

const TAG = 'lab-turn-traffic';

/** Installs counting rules (no verdict, they only count); they go with the namespace. */
export async function countTurnTraffic(lab: Lab, host: string): Promise<TurnTraffic> {
  const ns = lab.ns.internet;
  await inNs(ns, 'iptables', ['-I', 'INPUT', '1', '-d', host, '-m', 'comment', '--comment', `${TAG}-in`]);
  await inNs(ns, 'iptables', ['-I', 'OUTPUT', '1', '-s', host, '-m', 'comment', '--comment', `${TAG}-out`]);
  const counter = async (chain: string, tag: string) => {
    const listing = await inNs(ns, 'iptables', ['-n', '-v', '-x', '-L', chain]);
    const line = listing.split('\n').find((l) => l.includes(`/* ${tag} */`));
    if (!line) throw new Error(`no ${tag} counter in ${chain}:\n${listing}`);
    return Number(line.trim().split(/\s+/)[1]); // pkts bytes target ...
  };
  return {
    read: async () => ({ inBytes: await counter('INPUT', `${TAG}-in`), outBytes: await counter('OUTPUT', `${TAG}-out`) }),
  };
}

/** The coturn inside the internet namespace started with `-p <port>` (turn/start.sh). */
export async function coturnPid(lab: Lab, port: number): Promise<number> {
  for (const pid of await namespacePids(lab.ns.internet)) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'turnserver') continue;
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (args.some((arg, i) => arg === '-p' && args[i + 1] === String(port))) return pid;
    } catch {
      // exited meanwhile
    }
  }
  throw new Error(`no coturn listening on port ${port} in ${lab.ns.internet}`);
}

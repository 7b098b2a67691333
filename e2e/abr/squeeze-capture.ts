/**
 * Packet captures of the squeezed link for diagnosis (SQUEEZE_PCAP=1): what
 * the caller offers its gateway (`lan`, inbound) and what the shaped link
 * carries on (`wan`, outbound, after tbf's drops). The page statistics say
 * how much was sent; only packets say what filled the queue and when.
 * Read them with `npx tsx e2e/abr/rtp-rates.ts <dump.json> <pcap>`.
 */
import type { Lab } from '../lab/topology';
import { LabError, run, signalPid, type Started } from '../lab/processes';

export interface Capture {
  /** Stops both captures and waits until their files are complete. */
  stop(): Promise<void>;
}

/** Starts both captures on the caller's gateway; files are `${base}-offered.pcap` and `${base}-carried.pcap`. */
export async function captureCallerLink(lab: Lab, base: string): Promise<Capture> {
  await run('tcpdump', ['--version']).catch(() => {
    throw new LabError('SQUEEZE_PCAP needs tcpdump (apt-get install tcpdump)');
  });
  const started: Started[] = [];
  for (const [dev, direction, name] of [
    ['lan', 'in', 'offered'],
    ['wan', 'out', 'carried'],
  ] as const) {
    // 96 bytes: IP, UDP and the RTP header with its extensions; the (encrypted) payload is not needed.
    const args = ['netns', 'exec', lab.ns.callerGw, 'tcpdump', '-i', dev, '-Q', direction, '-s', '96', '-w', `${base}-${name}.pcap`, 'udp'];
    started.push(await lab.processes.start(`tcpdump ${name}`, 'ip', args, { readyWhen: /listening on/, readyTimeoutMs: 10_000 }));
  }
  return {
    async stop() {
      // SIGINT lets tcpdump flush its buffer; the lab kills whatever is left on dispose.
      for (const s of started) signalPid(s.pid, 'SIGINT');
      await Promise.all(started.map((s) => s.exited));
    },
  };
}

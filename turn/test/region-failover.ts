/**
 * A TURN host listed first but down (before the health record drops it, up to a minute): do relayed
 * calls still connect through the next host, and how long does setup take? Prints, per trial, the
 * outcome and setup ms with the dead host listed first and with only the live host (goal: p95 <= 1 s).
 * "Down" is a loopback UDP port that swallows every packet, as a dead host behind a firewall does.
 *
 *   npx tsx turn/test/region-failover.ts            # 4 trials each
 */
import { createSocket } from 'node:dgram';
import { pathToFileURL } from 'node:url';
import { createPhones, nextIncoming, reach } from '../../app/src/call/testing/wrtc';
import type { IceServerProvider } from '../../app/src/call/types';
import { configs, randomSecret, restCredentials, startCoturn } from './coturn.js';

type Outcome = { connected: true; setupMs: number; relayPort: number | undefined } | { connected: false; reason: string };

async function relayedCall(iceServers: IceServerProvider): Promise<Outcome> {
  const w = createPhones(['alice', 'bob'], { latencyMs: 30 }, { iceServers, iceTransportPolicy: 'relay', keepLineWarm: false });
  try {
    const incoming = nextIncoming(w.phones.bob!.client);
    const caller = w.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
    void (await incoming).accept();
    try {
      await reach(caller, 'connected', 20_000);
    } catch (error) {
      return { connected: false, reason: (error as Error).message };
    }
    for (let i = 0; i < 50 && !caller.snapshot.path; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    return { connected: true, setupMs: caller.snapshot.timings.setup ?? Number.NaN, relayPort: caller.snapshot.path?.relayPort };
  } finally {
    w.dispose();
  }
}

export async function runFailover(trials = 4, log: (line: string) => void = console.log): Promise<void> {
  const secret = randomSecret();
  const live = await startCoturn({ config: configs.local, secrets: [secret] });
  const blackHole = createSocket('udp4');
  await new Promise<void>((resolve) => blackHole.bind(0, '127.0.0.1', resolve));
  const deadPort = blackHole.address().port;
  const provider =
    (ports: number[]): IceServerProvider =>
    async () => {
      const creds = restCredentials({ secret, uid: 'agent', ttlSeconds: 600, now: () => Date.now() });
      return {
        iceServers: ports.map((port) => ({
          urls: `turn:127.0.0.1:${port}?transport=udp`,
          username: creds.username,
          credential: creds.credential,
        })),
        expiresAt: creds.expiresAt * 1000,
      };
    };
  const show = (outcome: Outcome) =>
    outcome.connected ? `connected in ${Math.round(outcome.setupMs)} ms via port ${outcome.relayPort}` : `FAILED: ${outcome.reason}`;
  try {
    log(`live coturn on port ${live.port}, dead host on port ${deadPort}`);
    for (let i = 1; i <= trials; i++) {
      log(`trial ${i}: dead host first: ${show(await relayedCall(provider([deadPort, live.port])))}`);
      log(`trial ${i}: live host only: ${show(await relayedCall(provider([live.port])))}`);
    }
  } finally {
    blackHole.close();
    await live.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runFailover(Number(process.env.FIRECALL_FAILOVER_TRIALS ?? 4))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => setTimeout(() => process.exit(), 500)); // wrtc keeps native threads alive
}

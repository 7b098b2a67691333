/**
 * Relay load, as a test: 8 concurrent relayed calls through one coturn; all connect,
 * none drops, media still flows both ways at the end. Held 15 s by default so the turn suite stays
 * quick; FIRECALL_LOAD_SECONDS=60 holds the full minute. The figures (coturn CPU, throughput)
 * come from the same code as the benchmark: `npx tsx turn/test/load.ts` (60 s by default).
 */
import { expect, it } from 'vitest';
import { runLoad } from './load';

const seconds = Number(process.env.FIRECALL_LOAD_SECONDS ?? 15);

it(`8 relayed calls through one coturn for ${seconds} s: all connect, none drops`, { timeout: (seconds + 90) * 1000 }, async () => {
  const result = await runLoad({ calls: 8, seconds, log: (line) => console.log(line) });
  expect(result.connected).toBe(8);
  expect(result.dropped).toBe(0);
  expect(result.flowingAtEnd).toBe(8);
  // Every call really carried media through the relay the whole time.
  expect(result.perCallKbps.min).toBeGreaterThan(100);
});

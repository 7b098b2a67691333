/**
 * Load with real browsers: 8 firecall calls at once between two real
 * Chromiums (8 caller tabs in one, 8 callee tabs in the other, each in its own namespace
 * behind a symmetric NAT, so direct paths fail) through ONE coturn, held for 60 s, on
 * this 2-core machine. TURN credentials come from the real `iceServers` callable, one
 * signed-in user per tab, at the production rate limit (30 per minute per user).
 *
 * Asserts what a user would notice: every call connects over the relay, none drops, remote
 * video keeps arriving on every tab in every 10 s window. Prints CPU (coturn, browsers,
 * machine) and relay throughput. FIRECALL_LOAD_SECONDS shortens or lengthens the hold.
 * Skips, saying why, when other work already fills the machine (see MAX_OTHERS_PERCENT).
 *
 * Not part of `npm test` (run it with `npm run load:chromium`): 16 Chromium tabs alone fill
 * both cores of this machine (measured 99.9%), and the last calls placed starve past the
 * engine's no-route deadline (7/8 and 5/8 connected on an otherwise idle machine). coturn is
 * not the limit (2.8% of one core). The load proof in `npm test` is turn/test/load.test.ts:
 * the same 8 relayed calls through the same coturn config, with WebRTC in Node.
 */
import { expect, it } from 'vitest';
import { descendantPids, namespacePids, othersCpuPercent } from './lab/cpu';
import { startCallableUsers, type CallableUsers } from './lab/callable-users';
import { describeLoad, heldUp, isRelayed, runLoad } from './lab/load';
import { labProblem } from './lab/preflight';
import { scenarioTable } from './lab/scenarios';
import { ADDRESSES, createLab, type Lab } from './lab/topology';
import { newTurnSecret, startTurn } from './lab/turn';

const problem = labProblem();
if (problem) throw new Error(`The lab cannot run here: ${problem}.`);

const CALLS = 8;
const HOLD_SECONDS = Number(process.env.FIRECALL_LOAD_SECONDS ?? 60);
const WINDOW_SECONDS = 10;
/**
 * The 16 tabs, coturn and the lab need about 1.5 of this machine's 2 cores (measured: ~8% of
 * a core per tab, mostly WebRTC audio and video threads). When other work already takes more
 * than the rest, the calls starve and the engine ends them (no-route, peer-left): that would
 * measure the neighbours, not the relay. Then the test skips, saying so, unless
 * FIRECALL_LOAD_FORCE=1. An idle machine (CI) always runs it.
 */
const MAX_OTHERS_PERCENT = Number(process.env.FIRECALL_LOAD_MAX_OTHERS ?? 40);

it(
  `load: ${CALLS} relayed calls between real Chromiums through one coturn for ${HOLD_SECONDS} s: all connect, none drops`,
  { timeout: 420_000 + HOLD_SECONDS * 1000 },
  async (ctx) => {
    const secret = newTurnSecret();
    const names = Array.from({ length: CALLS }, (_, i) => [`load-caller-${i + 1}`, `load-callee-${i + 1}`]).flat();
    // The emulators take the longest to start: they come up while the lab is built.
    const starting = startCallableUsers({
      secret,
      turnHost: ADDRESSES.turn,
      // UDP and TCP on the one coturn (3478); the lab's second coturn on 443 is given to no one.
      transports: ['udp:3478', 'tcp:3478'],
      stunUrls: [`stun:${ADDRESSES.turn}:3478`],
      names,
    });
    let lab: Lab | null = null;
    let users: CallableUsers | null = null;
    try {
      lab = await createLab(scenarioTable['symmetric-nat']);
      const turn = await startTurn(lab, secret);
      users = await starting;
      // Ours: the lab's namespaces and everything this test started (the emulators too).
      const labPids = async () => [
        ...new Set([...(await Promise.all(Object.values(lab!.ns).map(namespacePids))).flat(), ...descendantPids()]),
      ];
      const others = Math.round(await othersCpuPercent(labPids, 5_000));
      if (others > MAX_OTHERS_PERCENT && process.env.FIRECALL_LOAD_FORCE !== '1') {
        console.warn(
          `load: skipped, the machine is busy with other work (${others}% of one core, limit ${MAX_OTHERS_PERCENT}%); FIRECALL_LOAD_FORCE=1 runs it anyway`,
        );
        ctx.skip();
      }
      const pairs = Array.from({ length: CALLS }, (_, i) => ({ caller: users!.users[2 * i]!, callee: users!.users[2 * i + 1]! }));
      const result = await runLoad(lab, turn, {
        pairs,
        holdSeconds: HOLD_SECONDS,
        windowSeconds: WINDOW_SECONDS,
        log: (l) => console.log(l),
      });
      const summary = describeLoad(result);
      console.log(`${summary}\n  callable calls per user: ${users.grants.join(',')} (emulators up in ${users.startupMs} ms)`);

      for (const [i, call] of result.calls.entries()) {
        const what = `call ${i + 1}\n${summary}`;
        expect(call.connectMs.caller, `${what}: the caller sees the callee`).not.toBeNull();
        expect(call.connectMs.callee, `${what}: the callee sees the caller`).not.toBeNull();
        expect(isRelayed(call), `${what}: the selected path is a relay`).toBe(true);
        expect(heldUp(call), `${what}: still connected at the end, never ended`).toBe(true);
        // Remote video kept arriving on both tabs in every window: no picture frozen for a window.
        for (const frames of [...call.framesPerWindow.caller, ...call.framesPerWindow.callee]) {
          expect(frames, `${what}: remote frames decoded in each ${WINDOW_SECONDS} s window`).toBeGreaterThan(0);
        }
      }
      // The relay carried it all: coturn received at least what the tabs received.
      const received = result.calls.reduce((sum, c) => sum + c.kbps, 0);
      expect(result.relay.inKbps, summary).toBeGreaterThanOrEqual(received * 0.9);
    } finally {
      await lab?.dispose();
      // Also when something failed before the emulators were awaited.
      const started = users ?? (await starting.catch(() => null));
      await started?.stop();
    }
  },
);

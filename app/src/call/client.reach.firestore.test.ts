/**
 * Reachability over the Firestore emulator with the real rules, timed and printed (no timed
 * assertions: the figures depend on the machine). Each trial is a real CallClient over
 * Firestore signaling and node WebRTC on loopback.
 * - callee offline: the click to "Ben isn't online right now";
 * - callee online: the click to his phone ringing and to "Ringing" on the caller, and his answer
 *   to connected, with and without the delivery receipt (what the receipt costs a normal setup).
 * Run: npm test -- firestore (under the lab lock).
 */
import type { RulesTestEnvironment } from '@firebase/rules-unit-testing';
import { doc, getDoc } from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFirestoreSignaling } from '../signaling/firestore';
import { asModular, startRulesEnvironment } from '../signaling/firestore.testenv';
import type { CallClient } from './client';
import { createTestClient, nextIncoming, reach, withoutReceipts } from './testing/wrtc';
import type { CallSessionApi } from './types';

const TRIALS = 5;
let env: RulesTestEnvironment;
let serial = 0;
const cleanup: (() => void)[] = [];

beforeAll(async () => {
  env = await startRulesEnvironment();
});

afterAll(async () => {
  for (const stop of cleanup.splice(0)) stop();
  await env?.cleanup();
});

function uid(name: string): string {
  serial += 1;
  return `${name}-${serial}-${Date.now().toString(36)}`;
}

/** A phone signed in as `id` on the emulator. */
function phone(id: string, receipts = true): CallClient {
  const firestore = createFirestoreSignaling({ db: asModular(env.authenticatedContext(id).firestore()), uid: id, writeTimeoutMs: 45_000 });
  const { client, devices } = createTestClient(receipts ? firestore : withoutReceipts(firestore), {
    onNetworkLost: null,
    keepLineWarm: false,
  });
  cleanup.push(
    () => client.dispose(),
    () => devices.stopAll(),
  );
  return client;
}

/** Resolves with the time `session` stops waiting for a receipt (says "Ringing"). */
function ringingShown(session: CallSessionApi, start: number): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      if (session.snapshot.state === 'ringing' && !session.snapshot.reachingPeer) {
        stop();
        resolve(performance.now() - start);
      }
    };
    const stop = session.on('change', check);
    check();
  });
}

const ms = (values: number[]) => values.map((v) => Math.round(v)).join(', ');
const median = (values: number[]) => Math.round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);

describe('reachability over the Firestore emulator', { timeout: 180_000 }, () => {
  it(`callee offline: the click to "isn't online right now", ${TRIALS} trials`, async () => {
    const figures: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const ana = phone(uid('ana'));
      const ben = uid('ben'); // signed out: no page of his is open
      const start = performance.now();
      const call = ana.call({ callee: ben, kind: 'voice' });
      const ended = await reach(call, 'ended', 30_000);
      figures.push(performance.now() - start);
      expect(ended.reason).toBe('unavailable');
      // The screen says it at once; the call log follows with the write.
      await vi.waitFor(
        () =>
          env.withSecurityRulesDisabled(async (context) => {
            const stored = await getDoc(doc(asModular(context.firestore()), 'calls', ended.callId!));
            expect(stored.data()).toMatchObject({ state: 'missed', endReason: 'unavailable', callee: ben });
          }),
        { timeout: 30_000, interval: 100 },
      );
      ana.dispose();
    }
    console.info(
      `callee offline -> unavailable (Firestore emulator, reachMs 8000), ms per trial: ${ms(figures)}; median ${median(figures)}`,
    );
  });

  it(`callee online: the receipt and the setup with and without it, ${TRIALS} trials each`, async () => {
    const rows: string[] = [];
    for (const receipts of [true, false]) {
      const rang: number[] = [];
      const ringing: number[] = [];
      const answered: number[] = [];
      // The same two open pages for every trial (the first trial also opens their listeners).
      const [anaId, benId] = [uid('ana'), uid('ben')];
      const ana = phone(anaId, receipts);
      const ben = phone(benId, receipts);
      for (let trial = 0; trial < TRIALS; trial++) {
        const incoming = nextIncoming(ben);
        const start = performance.now();
        const call = ana.call({ callee: benId, kind: 'voice' });
        const shown = ringingShown(call, start);
        const callee = await incoming;
        rang.push(performance.now() - start);
        ringing.push(await shown);
        // Ben answers once it rings on both screens, as a person would (never within 0.1 s).
        const answeredAt = performance.now();
        void callee.accept();
        await Promise.all([reach(call, 'connected', 30_000), reach(callee, 'connected', 30_000)]);
        answered.push(performance.now() - answeredAt);
        await call.hangUp();
        // Ben's side must be over too, or the next trial finds him on a call (busy).
        await reach(callee, 'ended', 30_000);
      }
      ana.dispose();
      ben.dispose();
      rows.push(
        `${receipts ? 'with receipt   ' : 'without receipt'}: click to his phone ringing ${ms(rang)} | click to "Ringing" on the caller ${ms(ringing)} | answer to connected ${ms(answered)} (medians ${median(rang)} / ${median(ringing)} / ${median(answered)})`,
      );
    }
    console.info(`callee online (Firestore emulator), ms per trial:\n${rows.join('\n')}`);
  });
});

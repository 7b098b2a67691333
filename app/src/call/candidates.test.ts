import { describe, expect, it } from 'vitest';
import { CandidateBatcher, type CandidateBatch } from './candidates';
import { FakeClock } from './testing/fake-clock';

const c = (n: number) => ({ candidate: `candidate:${n} 1 udp 1 192.0.2.${n} 5000 typ host`, sdpMid: '0', sdpMLineIndex: 0 });

describe('candidate batching', () => {
  function batcher() {
    const clock = new FakeClock();
    const sent: CandidateBatch[] = [];
    const b = new CandidateBatcher(clock, 80, (batch) => sent.push(batch));
    return { clock, sent, b };
  }

  it('holds candidates while paused (our description not sent yet), and host candidates until gathering is done', async () => {
    const { clock, sent, b } = batcher();
    b.add(c(1));
    b.setPaused(false);
    b.add(c(2));
    await clock.advance(400);
    expect(sent).toEqual([]);
    b.add(null);
    await clock.advance(0);
    expect(sent).toEqual([{ candidates: [c(1), c(2)], done: true }]);
  });

  it('holds host candidates no longer than 480 ms (gathering may never finish when UDP is blocked)', async () => {
    const { clock, sent, b } = batcher();
    b.setPaused(false);
    b.add(c(1));
    await clock.advance(479);
    expect(sent).toEqual([]);
    await clock.advance(1);
    expect(sent).toEqual([{ candidates: [c(1)] }]);
  });

  it('the first relay candidate leaves at once with what is held, a second one after the short window (a callee may answer at once)', async () => {
    const { clock, sent, b } = batcher();
    const relay = (n: number) => ({
      candidate: `candidate:${n} 1 udp 1 192.0.2.${n} 50000 typ relay raddr 10.0.0.2 rport 5000`,
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    b.setPaused(false);
    b.add(c(1));
    await clock.advance(60);
    b.add(relay(9));
    await clock.advance(0);
    expect(sent).toEqual([{ candidates: [c(1), relay(9)] }]);
    b.add(relay(10));
    await clock.advance(79);
    expect(sent).toHaveLength(1);
    await clock.advance(1);
    expect(sent.at(-1)).toEqual({ candidates: [relay(10)] });
  });

  it('end-of-candidates alone costs no write', async () => {
    const { clock, sent, b } = batcher();
    b.setPaused(false);
    b.add(c(1));
    await clock.advance(480); // gathering never finished: the cap sent what was held
    expect(sent).toEqual([{ candidates: [c(1)] }]);
    b.add(null);
    await clock.advance(1_000);
    expect(sent).toEqual([{ candidates: [c(1)] }]);
  });

  it('host candidates that trickle slowly (a busy machine) still go in one write, with end-of-candidates', async () => {
    const { clock, sent, b } = batcher();
    b.setPaused(false);
    for (let i = 0; i < 8; i++) {
      b.add(c(i));
      await clock.advance(55); // far apart, yet within the 480 ms cap
    }
    expect(sent).toEqual([]);
    b.add(null);
    await clock.advance(0);
    expect(sent).toEqual([{ candidates: [0, 1, 2, 3, 4, 5, 6, 7].map(c), done: true }]);
  });

  it('later reachable candidates leave after a quiet window, capped at 4 windows, and end-of-candidates at once', async () => {
    const { clock, sent, b } = batcher();
    const srflx = (n: number) => ({
      candidate: `candidate:${n} 1 udp 1 192.0.2.${n} 5000 typ srflx raddr 10.0.0.2 rport 5000`,
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    b.setPaused(false);
    b.add(srflx(1));
    await clock.advance(0);
    expect(sent).toEqual([{ candidates: [srflx(1)] }]);
    for (let i = 2; i < 8; i++) {
      b.add(srflx(i));
      await clock.advance(70); // keeps trickling: the cap (4 x 80 ms) still sends
    }
    expect(sent.length).toBe(2);
    b.add(null);
    await clock.advance(0);
    expect(sent.at(-1)).toMatchObject({ done: true });
    expect(sent.flatMap((s) => s.candidates)).toHaveLength(7);
  });

  it('the first server-reflexive and the first relay candidate leave at once, with what is held', async () => {
    const { clock, sent, b } = batcher();
    const typed = (n: number, typ: string) => ({
      candidate: `candidate:${n} 1 udp 1 192.0.2.${n} 5000 typ ${typ} raddr 10.0.0.2 rport 5000`,
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    b.setPaused(false);
    b.add(c(1));
    await clock.advance(40);
    b.add(typed(2, 'srflx'));
    await clock.advance(0);
    expect(sent).toEqual([{ candidates: [c(1), typed(2, 'srflx')] }]);
    b.add(typed(3, 'srflx')); // a second one of the same type waits for the window
    await clock.advance(20);
    b.add(typed(4, 'relay'));
    await clock.advance(0);
    expect(sent.at(-1)).toEqual({ candidates: [typed(3, 'srflx'), typed(4, 'relay')] });
    b.add(typed(5, 'relay'));
    await clock.advance(79);
    expect(sent).toHaveLength(2);
    await clock.advance(1);
    expect(sent.at(-1)).toEqual({ candidates: [typed(5, 'relay')] });
    // An ICE restart is a new generation: its first relay candidate leaves at once again.
    b.reset();
    b.add(typed(6, 'relay'));
    await clock.advance(0);
    expect(sent.at(-1)).toEqual({ candidates: [typed(6, 'relay')] });
  });

  it('never puts more than 12 candidates in one signal', async () => {
    const { clock, sent, b } = batcher();
    b.setPaused(false);
    for (let i = 0; i < 30; i++) b.add(c(i));
    b.add(null);
    await clock.advance(0);
    expect(sent.map((s) => s.candidates.length)).toEqual([12, 12, 6]);
    expect(sent.map((s) => s.done ?? false)).toEqual([false, false, true]);
  });

  it('a restart forgets the old generation', async () => {
    const { clock, sent, b } = batcher();
    b.setPaused(false);
    b.add(c(1));
    b.reset();
    b.add(c(2));
    b.add(null);
    await clock.advance(0);
    expect(sent).toEqual([{ candidates: [c(2)], done: true }]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createBroadcastStore, type BroadcastStore } from './broadcast';
import type { CallRecord, Signal } from './channel';

/** Polls until `ready()` (BroadcastChannel delivery is asynchronous and slower under load). */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ready(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
const open: BroadcastStore[] = [];
afterEach(() => open.splice(0).forEach((tab) => tab.close()));
const tab = (name: string) => {
  const made = createBroadcastStore({ name });
  open.push(made);
  return made;
};

describe('broadcast (demo transport between tabs)', () => {
  it('a call placed in one tab rings in another, and signals flow both ways', async () => {
    const name = `t${Math.random()}`;
    const one = tab(name);
    const two = tab(name);
    const ringing: CallRecord[][] = [];
    two.store.channel('bob').watchIncoming((calls) => ringing.push(calls));
    const call = await one.store.channel('alice').startCall({ callee: 'bob', kind: 'voice' });
    await until(() => ringing.at(-1)?.length === 1);
    expect(ringing.at(-1)?.map((c) => c.id)).toEqual([call.id]);
    const got: Signal[] = [];
    one.store.channel('alice').watchSignals(
      call.id,
      (s) => got.push(s),
      () => {},
    );
    await two.store.channel('bob').sendSignal(call.id, { type: 'bye' });
    await until(() => got.length > 0);
    expect(got.map((s) => s.type)).toEqual(['bye']);
  });

  it('a tab opened later catches up with existing calls', async () => {
    const name = `t${Math.random()}`;
    const one = tab(name);
    const call = await one.store.channel('alice').startCall({ callee: 'bob', kind: 'video' });
    const late = tab(name);
    await until(() => late.store.getCall(call.id) !== undefined);
    expect(late.store.getCall(call.id)?.state).toBe('ringing');
  });

  it('ignores garbage posted on the channel by another script', async () => {
    const name = `t${Math.random()}`;
    const one = tab(name);
    const rogue = new BroadcastChannel(name);
    rogue.postMessage({ kind: 'op', op: { op: 'createCall', call: { id: 5 } } });
    rogue.postMessage('nonsense');
    rogue.postMessage({ kind: 'state', ops: 'x' });
    // A well-formed op sent last: once it is applied, the garbage before it was seen too.
    const sentinel = { id: 'ok', caller: 'a', callee: 'b', kind: 'voice', state: 'ringing', createdAt: 1 };
    rogue.postMessage({ kind: 'op', op: { op: 'createCall', call: sentinel } });
    await until(() => one.store.dump().length > 0);
    rogue.close();
    expect(one.store.dump()).toEqual([{ op: 'createCall', call: sentinel }]);
  });
});

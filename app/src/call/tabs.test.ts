/**
 * The callee has the CRM open in two tabs: both ring; answering in one must stop the other
 * without that other tab ever touching the live call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCallClient } from './client';
import { createPhones, FakeDevices, MediaStream, nextIncoming, noTurn, reach, RTCPeerConnection, sleep } from './testing/wrtc';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((fn) => fn()));

function twoTabsForBob() {
  const w = createPhones(['alice', 'bob']);
  const devices = new FakeDevices();
  let hideTab: () => void = () => undefined;
  const secondTab = createCallClient({
    signaling: w.store.channel('bob'),
    iceServers: noTurn,
    mediaDevices: devices,
    RTCPeerConnection,
    MediaStream,
    onPageHide: (listener) => {
      hideTab = listener;
      return () => undefined;
    },
    onNetworkChange: null,
    timeouts: { statsIntervalMs: 100 },
  });
  cleanup.push(
    w.dispose,
    () => secondTab.dispose(),
    () => devices.stopAll(),
  );
  return { w, secondTab, hide: () => hideTab() };
}

describe('the callee has two tabs open', () => {
  it('answering in one tab stops the other ringing, and closing the other tab keeps the call', async () => {
    const { w, secondTab, hide } = twoTabsForBob();
    const ringA = nextIncoming(w.phones.bob!.client);
    const ringB = nextIncoming(secondTab);
    const caller = w.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
    const [tabA, tabB] = await Promise.all([ringA, ringB]);
    expect(tabB.snapshot.state).toBe('ringing');
    void tabA.accept();
    await Promise.all([reach(caller, 'connected'), reach(tabA, 'connected')]);
    const stopped = await reach(tabB, 'ended');
    expect(stopped).toMatchObject({ reason: 'answered-elsewhere', detail: 'answered in another tab' });
    hide();
    await tabB.hangUp();
    await sleep(300);
    expect(caller.snapshot.state).toBe('connected');
    expect(tabA.snapshot.state).toBe('connected');
    expect(w.store.getCall(caller.snapshot.callId!)?.state).toBe('accepted');
  });

  it('declining in one tab stops the other ringing', async () => {
    const { w, secondTab } = twoTabsForBob();
    const ringA = nextIncoming(w.phones.bob!.client);
    const ringB = nextIncoming(secondTab);
    const caller = w.phones.alice!.client.call({ callee: 'bob', kind: 'voice' });
    const [tabA, tabB] = await Promise.all([ringA, ringB]);
    await tabA.decline();
    expect(await reach(tabB, 'ended')).toMatchObject({ reason: 'declined', detail: 'declined in another tab' });
    expect((await reach(caller, 'ended')).reason).toBe('declined');
  });
});

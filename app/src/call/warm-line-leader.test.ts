/**
 * One warm line per browser: tabs share it through a Web Lock (Node 24's navigator.locks is the
 * same LockManager a browser has, shared by every "tab" of this process), so idle tabs hold one
 * TURN allocation between them, and a tab that closes or loses the user's eye hands it over.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger';
import type { PeerConnectionConstructor } from './negotiation';
import { FakeClock } from './testing/fake-clock';
import { WarmLine } from './warm-line';
import { browserWarmLineLeadership, lockLeadership, type LockManagerLike, type WarmLineLeadership } from './warm-line-leader';

const locks = (globalThis as unknown as { navigator: { locks: LockManagerLike } }).navigator.locks;

/** A connection stand-in: pooled ones (iceCandidatePoolSize 1) stand for a held TURN allocation. */
class Connection {
  static all: Connection[] = [];
  signalingState = 'stable';
  constructor(readonly configuration: RTCConfiguration) {
    Connection.all.push(this);
  }
  close() {
    this.signalingState = 'closed';
  }
}
const heldAllocations = () => Connection.all.filter((pc) => pc.signalingState !== 'closed' && pc.configuration.iceCandidatePoolSize === 1);

const grant = { iceServers: [{ urls: 'turn:turn.example:3478', username: 'u', credential: 'c' }], expiresAt: Date.now() + 3_600_000 };
let lockCount = 0;
const tabs: WarmLine[] = [];

/** `count` tabs of one browser for one user, each with its own line; `shared` gives them one lock. */
function openTabs(count: number, shared: boolean) {
  const name = `warm-line-test-${++lockCount}`;
  const opened = Array.from({ length: count }, (_, tab) => {
    const busy = { inCall: false };
    const leaderships: Array<[number, boolean]> = [];
    const inner = shared ? lockLeadership({ locks, name }) : null;
    // Records who is told they keep the line, so a test can see a handover even while no pool exists.
    const leadership: WarmLineLeadership | null = inner && {
      follow: (onChange) => inner.follow((leader) => (leaderships.push([tab, leader]), onChange(leader))),
      claim: () => inner.claim(),
    };
    const line = new WarmLine({
      PeerConnection: Connection as unknown as PeerConnectionConstructor,
      ice: { get: async () => grant, refreshDueIn: () => 3_000_000 },
      clock: new FakeClock(),
      configurationFor: (iceServers) => ({ iceServers }),
      idle: () => !busy.inCall,
      log: createLogger('test', () => {}),
      leadership,
    });
    line.keepWarm();
    tabs.push(line);
    return { line, busy, leadership, leaderships };
  });
  return opened;
}
const holderOf = (opened: ReturnType<typeof openTabs>) => {
  const pools = heldAllocations();
  return opened.findIndex(({ line }) => pools.some((pc) => (line as unknown as { warm: { pc: unknown } | null }).warm?.pc === pc));
};

afterEach(() => {
  tabs.splice(0).forEach((line) => line.dispose());
  Connection.all = [];
});

describe('one warm line per browser', () => {
  it('holds one TURN allocation for 10 idle tabs, where each tab alone held one (10)', async () => {
    openTabs(10, false);
    await vi.waitFor(() => expect(heldAllocations()).toHaveLength(10));
    tabs.splice(0).forEach((line) => line.dispose());
    Connection.all = [];

    openTabs(10, true);
    await vi.waitFor(() => expect(heldAllocations()).toHaveLength(1));
  });

  it('hands the line to another tab when the tab that kept it closes', async () => {
    const opened = openTabs(3, true);
    await vi.waitFor(() => expect(heldAllocations()).toHaveLength(1));
    const first = holderOf(opened);
    opened[first]!.line.dispose();
    await vi.waitFor(() => {
      expect(heldAllocations()).toHaveLength(1);
      expect(holderOf(opened)).not.toBe(first);
    });
  });

  it('moves the line to the tab the user looks at, and the old one lets its allocation go', async () => {
    const opened = openTabs(3, true);
    await vi.waitFor(() => expect(heldAllocations()).toHaveLength(1));
    const looking = (holderOf(opened) + 1) % 3;
    opened[looking]!.leadership!.claim();
    await vi.waitFor(() => {
      expect(holderOf(opened)).toBe(looking);
      expect(heldAllocations()).toHaveLength(1);
    });
  });

  it('keeps a call placed from another tab while the line changes hands, and warms only one tab after it', async () => {
    const opened = openTabs(3, true);
    await vi.waitFor(() => expect(heldAllocations()).toHaveLength(1));
    const keeper = holderOf(opened);
    const caller = opened[(keeper + 1) % 3]!;
    // A call placed from a tab that does not keep the line gets a connection of its own.
    caller.busy.inCall = true;
    const callConnection = caller.line.take({ iceServers: grant.iceServers }) as unknown as Connection;
    opened[keeper]!.line.dispose(); // the keeping tab closes mid-call
    // Another tab takes the line over; if that is the calling tab, it warms only after its call.
    await vi.waitFor(() =>
      expect(opened.filter((_, tab) => tab !== keeper).some(({ leaderships }) => leaderships.some(([, leader]) => leader))).toBe(true),
    );
    expect(heldAllocations().length).toBeLessThanOrEqual(1);
    expect(callConnection.signalingState).toBe('stable');
    caller.busy.inCall = false;
    caller.line.keepWarm();
    await vi.waitFor(() => {
      expect(heldAllocations()).toHaveLength(1);
      expect(holderOf(opened)).not.toBe(keeper);
    });
    expect(callConnection.signalingState).toBe('stable');
  });
});

describe('browserWarmLineLeadership', () => {
  it('claims the line for the tab that becomes visible', async () => {
    const listeners: Array<() => void> = [];
    const page = (visibilityState: DocumentVisibilityState) => ({
      visibilityState,
      addEventListener: (_type: string, listener: () => void) => void listeners.push(listener),
      removeEventListener: () => {},
    });
    const uid = `visible-${++lockCount}`;
    const background = page('hidden');
    const states: string[] = [];
    const leaders = [
      browserWarmLineLeadership({ uid, locks, document: background as never }),
      browserWarmLineLeadership({ uid, locks, document: page('hidden') as never }),
    ] as WarmLineLeadership[];
    const stops = leaders.map((leadership, tab) => leadership.follow((leader) => states.push(`${tab}:${leader}`)));
    try {
      await vi.waitFor(() => expect(states).toEqual(['0:true']));
      background.visibilityState = 'hidden';
      (listeners[1] as () => void)(); // tab 1 stays hidden: nothing changes
      const second = page('visible');
      stops[1]!();
      stops[1] = browserWarmLineLeadership({ uid, locks, document: second as never })!.follow((leader) => states.push(`1:${leader}`));
      // The stealing tab may hear of its win before the other hears of its loss.
      await vi.waitFor(() => expect([...states].sort()).toEqual(['0:false', '0:true', '1:true']));
    } finally {
      stops.forEach((stop) => stop());
    }
  });

  it('is null where there are no Web Locks or no document: every tab keeps its own line', () => {
    expect(browserWarmLineLeadership({ uid: 'a', locks: undefined, document: {} as never })).toBeNull();
    expect(browserWarmLineLeadership({ uid: 'a', locks, document: undefined })).toBeNull();
  });
});

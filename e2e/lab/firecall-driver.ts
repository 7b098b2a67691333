/**
 * Node side of the firecall page: relays each page's memory-store writes to
 * the other page as they are sent (in order; the other page applies each at
 * the time it lands on its sender's page), hands out TURN credentials, and
 * reads what the caller's engine reported.
 */
import type { LabPage } from './browser';
import type { IceGrant } from './credentials';
import { withTimeout } from './processes';
import type { FirecallOutcome } from './pages/firecall';
import type { CallTimeouts } from '../../app/src/call/index';

/** A signed-in user on one side: their uid and their way to get ICE servers. */
export interface Identity {
  uid: string;
  grant(): Promise<IceGrant>;
}

export interface DriverOptions {
  latencyMs: number;
  caller: Identity;
  callee: Identity;
  /** Shorter engine waits for both pages (tests that cannot sit through the product's deadlines). */
  timeouts?: Partial<CallTimeouts>;
}

export class FirecallDriver {
  private stopped = false;
  /** Resolve when each page's client got its first credentials (its prefetch). */
  private readonly firstGrants: Promise<void>[] = [];

  private constructor(
    private readonly caller: LabPage,
    private readonly callee: LabPage,
    private readonly options: DriverOptions,
  ) {}

  static async start(caller: LabPage, callee: LabPage, options: DriverOptions): Promise<FirecallDriver> {
    const driver = new FirecallDriver(caller, callee, options);
    await driver.wire(caller, callee, options.caller);
    await driver.wire(callee, caller, options.callee);
    for (const [page, who] of [
      [caller, options.caller],
      [callee, options.callee],
    ] as const) {
      const input = { uid: who.uid, latencyMs: options.latencyMs, ...(options.timeouts ? { timeouts: options.timeouts } : {}) };
      await page.evaluate((i) => window.firecall.setup(i), input);
    }
    await callee.evaluate(() => window.firecall.answerOnRing());
    // A CRM page is open long before its user calls: both clients hold credentials at the click
    // (the baseline page gets its servers before the click too).
    await withTimeout(Promise.all(driver.firstGrants), 30_000, 'first TURN credentials');
    return driver;
  }

  /** The caller clicks "call" (video unless told); returns the click time (epoch ms). */
  call(kind: 'video' | 'voice' = 'video'): Promise<number> {
    return this.caller.evaluate(([callee, k]) => window.firecall.call(callee, k), [this.options.callee.uid, kind] as const);
  }

  /** Store writes that landed on both pages so far (what Firestore would bill as writes). */
  async writes(): Promise<number> {
    const counts = await Promise.all([this.caller, this.callee].map((p) => p.evaluate(() => window.firecall.writes())));
    return counts[0]! + counts[1]!;
  }

  outcome(side: 'caller' | 'callee' = 'caller'): Promise<FirecallOutcome> {
    return (side === 'caller' ? this.caller : this.callee).evaluate(() => window.firecall.outcome());
  }

  /** A side's signaling goes offline (its writes and what is written to it wait) or comes back. */
  setOnline(side: 'caller' | 'callee', online: boolean): Promise<void> {
    return (side === 'caller' ? this.caller : this.callee).evaluate((o) => window.firecall.setOnline(o), online);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([this.caller, this.callee].map((p) => p.evaluate(() => window.firecall.hangUp()).catch(() => undefined)));
  }

  private async wire(from: LabPage, to: LabPage, who: Identity): Promise<void> {
    // One chain per direction keeps the writes in the order the store made them.
    let chain: Promise<unknown> = Promise.resolve();
    await from.exposeFunction('labStoreOp', (write: unknown) => {
      chain = chain.then(() => to.evaluate((w) => window.labApplyRemote(w as never), write).catch(() => undefined));
    });
    let granted = () => {};
    this.firstGrants.push(new Promise<void>((resolve) => (granted = resolve)));
    await from.exposeFunction('labIceServers', () => who.grant().finally(granted));
  }
}

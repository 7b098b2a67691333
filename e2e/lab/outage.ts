/**
 * Outages of real life in a running call: one side's link goes away for a while
 * (a lift, a train, Wi-Fi roaming) with its signaling offline for the same time,
 * as a client behind that link would be, or one side's public address changes
 * (its router gets a new WAN address, so every NAT mapping is gone). Then what
 * each user notices: when "Reconnecting" showed after their picture stopped, when
 * the picture came back both ways, and whether (and how) the call ended.
 */
import type { LabPage } from './browser';
import { delay, inNs, waitFor, withTimeout } from './processes';
import { ADDRESSES, type Lab, type Side } from './topology';
import type { ConnectedCall } from './trial';
import type { FirecallOutcome } from './pages/firecall';

/**
 * How the link goes: 'drop' = the router drops everything silently (Wi-Fi with no
 * upstream, a lift); 'down' = the host's own interface goes down (Wi-Fi lost), which
 * the browser sees as a network change.
 */
export type OutageMode = 'drop' | 'down';

export type Disruption = { kind: 'outage'; side: Side; mode: OutageMode; ms: number } | { kind: 'address-change'; side: Side };

/** The address a side's router moves its WAN to, in the same subnet as its usual one. */
const SPARE_WAN: Record<Side, string> = { caller: '198.51.100.3', callee: '203.0.113.3' };
const HOME_WAN: Record<Side, string> = { caller: ADDRESSES.callerWan, callee: ADDRESSES.calleeWan };
const UPSTREAM: Record<Side, string> = { caller: '198.51.100.1', callee: '203.0.113.1' };
const LAN_GATEWAY: Record<Side, string> = { caller: '10.1.0.1', callee: '10.2.0.1' };

const gatewayNs = (lab: Lab, side: Side) => (side === 'caller' ? lab.ns.callerGw : lab.ns.calleeGw);

/** Takes a side's link away in `mode`; `restoreLink` brings it back. */
export async function cutLink(lab: Lab, side: Side, mode: OutageMode): Promise<void> {
  if (mode === 'drop') return lab.setLinkCut(side, true);
  await inNs(lab.hostNs(side), 'ip', ['link', 'set', 'eth0', 'down']);
}

export async function restoreLink(lab: Lab, side: Side, mode: OutageMode): Promise<void> {
  if (mode === 'drop') return lab.setLinkCut(side, false);
  await inNs(lab.hostNs(side), 'ip', ['link', 'set', 'eth0', 'up']);
  // A link going down takes its routes with it; the host gets its default route back, as from DHCP.
  await inNs(lab.hostNs(side), 'ip', ['route', 'replace', 'default', 'via', LAN_GATEWAY[side]]);
}

/**
 * Moves a side's router to another public address ('spare') or back ('home'). The kernel
 * forgets the NAT mappings of the address removed, so every flow leaves with a new one.
 */
export async function movePublicAddress(lab: Lab, side: Side, to: 'spare' | 'home'): Promise<void> {
  const ns = gatewayNs(lab, side);
  const [from, next] = to === 'spare' ? [HOME_WAN[side], SPARE_WAN[side]] : [SPARE_WAN[side], HOME_WAN[side]];
  const present = await inNs(ns, 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'wan']);
  if (!present.includes(`${from}/`)) return; // already there
  // The new address first, promoted when the old one goes, so the link never has none.
  await inNs(ns, 'sysctl', ['-q', '-w', 'net.ipv4.conf.wan.promote_secondaries=1']);
  await inNs(ns, 'ip', ['addr', 'add', `${next}/24`, 'dev', 'wan']);
  await inNs(ns, 'ip', ['addr', 'del', `${from}/24`, 'dev', 'wan']);
  await inNs(ns, 'ip', ['route', 'replace', 'default', 'via', UPSTREAM[side]]);
}

/** A side's signaling goes offline or comes back, on either page (the firecall store or the baseline relay). */
async function setSignalingOnline(call: ConnectedCall, side: Side, online: boolean): Promise<void> {
  if (call.driver) await call.driver.setOnline(side, online);
  else call.relay?.setOffline(side === 'caller' ? call.caller : call.callee, !online);
}

/** What one side's user saw of a disruption. */
export interface SideView {
  /** Its picture stopped (the last frame before a gap of over a second), epoch ms; null if it never stopped. */
  stoppedAt: number | null;
  /** Its picture came back after that gap, epoch ms; null if it did not. */
  backAt: number | null;
  /** firecall: "Reconnecting" first shown this long after its picture stopped (ms); null if never. */
  reconnectingMs: number | null;
  /** firecall: whose connection the screen said dropped ('own', 'peer'; the first time), when the engine says. */
  reconnectingDropped: string | null;
  /** firecall: how many times the screen went to "Reconnecting" (more than once is a flapping UI). */
  reconnectingShown: number;
  /** firecall: the call ended (or failed), this long after its picture stopped, with its reason and words. */
  ended: { afterMs: number; state: string; reason: string | null; message: string | null } | null;
}

export interface DisruptionResult {
  disruption: Disruption;
  /** The link returned (outage) or the address changed: epoch ms; media back counts from here. */
  fromAt: number;
  /** From `fromAt` until the picture is back on both sides (ms); null if not on both. */
  mediaBackMs: number | null;
  caller: SideView;
  callee: SideView;
}

export interface DisruptionOptions {
  /** How long to wait for media both ways after the link returns or the address changed. */
  backTimeoutMs: number;
  /** A settled call before the disruption (ms). */
  settleMs?: number;
  /** Once media is back, watch this long more (ms) for a screen that goes back to "Reconnecting". */
  watchAfterMs?: number;
}

/** Breaks the call as `disruption` says, puts the network back (also on error) and reports what each side saw. */
export async function disrupt(
  lab: Lab,
  call: ConnectedCall,
  disruption: Disruption,
  options: DisruptionOptions,
): Promise<DisruptionResult> {
  await delay(options.settleMs ?? 1_500);
  const startedAt = Date.now();
  let fromAt: number;
  if (disruption.kind === 'outage') {
    const { side, mode, ms } = disruption;
    try {
      await cutLink(lab, side, mode);
      await setSignalingOnline(call, side, false);
      await delay(Math.max(0, startedAt + ms - Date.now()));
    } finally {
      await restoreLink(lab, side, mode);
      // The client's signaling reconnects once its link is back.
      await setSignalingOnline(call, side, true).catch(() => undefined);
    }
    fromAt = Date.now();
  } else {
    await movePublicAddress(lab, disruption.side, 'spare');
    fromAt = Date.now();
  }
  // Media back on both pages, or a firecall call that ended (nothing more can come back).
  const frameAfter = (page: LabPage) =>
    page.evaluate((t) => window.probe.frameTimes.some((f) => f > t), fromAt + (disruption.kind === 'outage' ? 0 : 1_000));
  const back = await waitFor(
    async () => ((await frameAfter(call.caller)) && (await frameAfter(call.callee))) || (call.driver !== null && (await anyEnded(call))),
    options.backTimeoutMs,
    100,
  );
  if (back && call.driver) await delay(options.watchAfterMs ?? 3_000);
  const [caller, callee] = await Promise.all((['caller', 'callee'] as const).map((side) => sideView(call, side, startedAt)));
  const backs = [caller!, callee!].map((v) => (v.stoppedAt === null ? fromAt : v.backAt));
  const mediaBackMs = backs.every((b) => b !== null) ? Math.max(0, Math.round(Math.max(...(backs as number[])) - fromAt)) : null;
  return { disruption, fromAt, mediaBackMs, caller: caller!, callee: callee! };
}

async function anyEnded(call: ConnectedCall): Promise<boolean> {
  const outcomes = await Promise.all((['caller', 'callee'] as const).map((side) => call.driver!.outcome(side)));
  return outcomes.some((o) => o.state === 'ended' || o.state === 'failed');
}

async function sideView(call: ConnectedCall, side: Side, startedAt: number): Promise<SideView> {
  const page = side === 'caller' ? call.caller : call.callee;
  const frames: number[] = await withTimeout(
    page.evaluate(() => window.probe.frameTimes.slice()),
    5_000,
    'reading presented frames',
  );
  const gap = pictureGap(frames, startedAt, Date.now());
  const view: SideView = { ...gap, reconnectingMs: null, reconnectingDropped: null, reconnectingShown: 0, ended: null };
  if (!call.driver) return view;
  const outcome: FirecallOutcome = await call.driver.outcome(side);
  const since = outcome.marks.filter((m) => m.at >= startedAt - 500);
  const reconnecting = since.filter((m) => m.state === 'reconnecting');
  const stopped = gap.stoppedAt ?? startedAt;
  if (reconnecting[0]) {
    view.reconnectingMs = Math.round(reconnecting[0].at - stopped);
    view.reconnectingDropped = reconnecting[0].dropped ?? null;
  }
  view.reconnectingShown = reconnecting.length;
  const end = since.find((m) => m.state === 'ended' || m.state === 'failed');
  if (end) view.ended = { afterMs: Math.round(end.at - stopped), state: end.state, reason: end.reason, message: end.message };
  return view;
}

/**
 * The first stretch of over a second without a presented frame, from `since` on (frames
 * read at `readAt`): when it began and when it ended; nulls when the picture never stopped.
 */
export function pictureGap(frames: number[], since: number, readAt: number): { stoppedAt: number | null; backAt: number | null } {
  const GAP_MS = 1_000;
  const from = frames.filter((f) => f >= since - GAP_MS);
  if (from.length === 0) return { stoppedAt: since, backAt: null };
  for (let i = 0; i < from.length; i++) {
    const next = from[i + 1] ?? readAt;
    if (next - from[i]! > GAP_MS) return { stoppedAt: from[i]!, backAt: i + 1 < from.length ? next : null };
  }
  return { stoppedAt: null, backAt: null };
}

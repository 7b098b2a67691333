/**
 * Relays the baseline page's signaling messages between the two browsers with
 * a modeled per-message latency (constant, so order is kept): each message is
 * passed on at once and handed to the page when the latency after its sending
 * has passed, so the relay's own time does not add to it (as for firecall's store).
 */
import type { LabPage } from './browser';

export interface RelayStats {
  messages: number;
  /**
   * A page's signaling goes offline (true) or comes back (false), as a client behind a cut
   * link: what it sends and what is sent to it wait, and leave in order when it is back.
   */
  setOffline(page: LabPage, offline: boolean): void;
}

export async function relayMessages(a: LabPage, b: LabPage, latencyMs: number): Promise<RelayStats> {
  const offline = new Set<LabPage>();
  const held: Array<{ to: LabPage; message: unknown }> = [];
  const pass = (to: LabPage, message: unknown, sentAt: number) => {
    to.evaluate(deliverAt, { message, dueAt: sentAt + latencyMs }).catch(() => undefined);
  };
  const stats: RelayStats = {
    messages: 0,
    setOffline(page, isOffline) {
      if (isOffline) return void offline.add(page);
      offline.delete(page);
      // Sent again now, in the order they were sent; a message to a page still offline keeps waiting.
      const waiting = held.splice(0);
      const now = Date.now();
      for (const entry of waiting) {
        const from = entry.to === a ? b : a;
        if (offline.has(entry.to) || offline.has(from)) held.push(entry);
        else pass(entry.to, entry.message, now);
      }
    },
  };
  const wire = async (from: LabPage, to: LabPage) => {
    await from.exposeFunction('labSend', (message: unknown, sentAt: number) => {
      stats.messages += 1;
      if (offline.has(from) || offline.has(to)) held.push({ to, message });
      else pass(to, message, sentAt);
    });
  };
  await wire(a, b);
  await wire(b, a);
  return stats;
}

/**
 * In the page: hands `message` to `labReceive` at `dueAt` (epoch ms), and every message sent
 * before it first. Evaluated in the page, so no named inner functions (tsx would wrap them in
 * a helper the page does not have).
 */
function deliverAt({ message, dueAt }: { message: unknown; dueAt: number }): void {
  const w = window as unknown as { labReceive(m: unknown): void; labInbox?: { message: unknown }[] };
  const inbox = (w.labInbox ??= []);
  const entry = { message };
  inbox.push(entry);
  setTimeout(
    () => {
      // Already handed over by a later message's timer (timers due together fire in any order).
      if (!inbox.includes(entry)) return;
      while (inbox.length > 0) {
        const next = inbox.shift()!;
        w.labReceive(next.message);
        if (next === entry) break;
      }
    },
    Math.max(0, dueAt - Date.now()),
  );
}

/**
 * Relays the baseline page's signaling messages between the two browsers with
 * a modeled per-message latency (constant, so order is kept): each message is
 * passed on at once and handed to the page when the latency after its sending
 * has passed, so the relay's own time does not add to it (as for firecall's store).
 */
import type { Page } from 'playwright-core';

export interface RelayStats {
  messages: number;
}

export async function relayMessages(a: Page, b: Page, latencyMs: number): Promise<RelayStats> {
  const stats: RelayStats = { messages: 0 };
  const wire = async (from: Page, to: Page) => {
    await from.exposeFunction('labSend', (message: unknown, sentAt: number) => {
      stats.messages += 1;
      to.evaluate(deliverAt, { message, dueAt: sentAt + latencyMs }).catch(() => undefined);
    });
  };
  await wire(a, b);
  await wire(b, a);
  return stats;
}

/** In the page: hands `message` to `labReceive` at `dueAt` (epoch ms), after any message due before it. */
function deliverAt({ message, dueAt }: { message: unknown; dueAt: number }): void {
  const w = window as unknown as { labReceive(m: unknown): void; labInbox?: { message: unknown; dueAt: number }[] };
  const inbox = (w.labInbox ??= []);
  inbox.push({ message, dueAt });
  const deliverDue = () => {
    while (inbox.length > 0 && inbox[0]!.dueAt <= Date.now()) w.labReceive(inbox.shift()!.message);
    // A timer that fired a moment early (clock adjustments) must not strand the head.
    if (inbox.length > 0) setTimeout(deliverDue, Math.max(1, inbox[0]!.dueAt - Date.now()));
  };
  setTimeout(deliverDue, Math.max(0, dueAt - Date.now()));
}

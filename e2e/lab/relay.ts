/**
 * Relays the baseline page's signaling messages between the two browsers with
 * a modeled per-message latency (constant, so order is kept).
 */
import type { Page } from 'playwright-core';

export interface RelayStats {
  messages: number;
}

export async function relayMessages(a: Page, b: Page, latencyMs: number): Promise<RelayStats> {
  const stats: RelayStats = { messages: 0 };
  const wire = async (from: Page, to: Page) => {
    await from.exposeFunction('labSend', (message: unknown) => {
      stats.messages += 1;
      setTimeout(() => {
        to.evaluate((m) => (window as unknown as { labReceive(m: unknown): void }).labReceive(m), message).catch(() => undefined);
      }, latencyMs);
    });
  };
  await wire(a, b);
  await wire(b, a);
  return stats;
}

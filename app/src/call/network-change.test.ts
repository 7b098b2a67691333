import { describe, expect, it } from 'vitest';
import { onNetworkTypeChange, type ConnectionLike } from './network-change';

/** A NetworkInformation stand-in whose fields and `change` events the test drives. */
function connection(type?: string) {
  const listeners = new Set<() => void>();
  const info = {
    type,
    addEventListener: (_: 'change', fn: () => void) => listeners.add(fn),
    removeEventListener: (_: 'change', fn: () => void) => listeners.delete(fn),
    change(next: Partial<{ type: string }>) {
      Object.assign(info, next);
      for (const fn of [...listeners]) fn();
    },
  };
  return info as ConnectionLike & { type?: string; change(next: Partial<{ type: string }>): void };
}

describe('network changes', () => {
  it('a new speed estimate is not a new network; wifi to cellular is', () => {
    const info = connection('wifi');
    let told = 0;
    const stop = onNetworkTypeChange(info, () => told++);
    info.change({}); // downlink or rtt moved
    expect(told).toBe(0);
    info.change({ type: 'cellular' });
    expect(told).toBe(1);
    info.change({});
    expect(told).toBe(1);
    stop();
    info.change({ type: 'wifi' });
    expect(told).toBe(1);
  });

  it('where the browser hides the network type, its change events restart nothing', () => {
    const info = connection(undefined);
    let told = 0;
    onNetworkTypeChange(info, () => told++);
    info.change({});
    info.change({});
    expect(told).toBe(0);
  });
});

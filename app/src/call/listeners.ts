/**
 * A set of callbacks that are told in turn; one that throws is logged and the others are
 * still told, so a faulty page handler never stops ringing or error reporting.
 */
import type { Logger } from './logger';

export interface Listeners<T> {
  add(listener: (value: T) => void): () => void;
  emit(value: T): void;
  clear(): void;
}

export function createListeners<T>(log: Logger, what: string): Listeners<T> {
  const listeners = new Set<(value: T) => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(value) {
      for (const listener of [...listeners]) {
        try {
          listener(value);
        } catch (error) {
          log.error(`${what} listener threw: ${(error as Error)?.message}`);
        }
      }
    },
    clear() {
      listeners.clear();
    },
  };
}

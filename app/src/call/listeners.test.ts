import { describe, expect, it } from 'vitest';
import { createListeners } from './listeners';
import { createLogger } from './logger';

describe('listeners', () => {
  it('a listener that throws is logged and the others are still told', () => {
    const lines: string[] = [];
    const listeners = createListeners<string>(
      createLogger('test', (level, _name, message) => lines.push(`${level} ${message}`)),
      'incoming',
    );
    const told: string[] = [];
    listeners.add(() => {
      throw new Error('page bug');
    });
    const stop = listeners.add((value) => told.push(value));
    listeners.emit('ana');
    expect(told).toEqual(['ana']);
    expect(lines).toEqual(['error incoming listener threw: page bug']);
    stop();
    listeners.emit('ben');
    expect(told).toEqual(['ana']);
  });
});

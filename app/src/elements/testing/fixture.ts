/**
 * The element fixture page: real elements on a scripted engine. Browser tests
 * drive it through `window.firecallFixture`.
 */
import type { CallSnapshot } from '../../call/types';
import { defineFirecallElements, setCallClient } from '../index';
import { FakeCallClient } from './fake-client';

const lang = new URLSearchParams(location.search).get('lang');
if (lang) document.documentElement.lang = lang;

const client = new FakeCallClient('ben');
const events: Array<{ type: string; target: string; detail: unknown; bubbles: boolean; composed: boolean }> = [];
for (const type of ['firecall-state', 'firecall-ended', 'firecall-error', 'firecall-incoming']) {
  document.addEventListener(type, (event) => {
    const e = event as CustomEvent;
    events.push({
      type,
      target: (e.target as HTMLElement).id,
      detail: JSON.parse(JSON.stringify(e.detail)),
      bubbles: e.bubbles,
      composed: e.composed,
    });
  });
}

const fixture = {
  client,
  events,
  /** Moves the latest call on. */
  push(partial: Partial<CallSnapshot>) {
    client.last?.push(partial);
  },
  ring(from: string, kind: 'video' | 'voice' = 'video') {
    client.ring(from, kind, { recordType: 'ticket', recordId: 'T-1042', label: 'Ticket T-1042' });
  },
  /** The incoming-call watch fails (true) or works again (false). */
  incomingUnreachable(failing: boolean) {
    client.watchFails(failing ? new Error('listen stream lost') : null);
  },
  requests(): string[] {
    return client.last?.requests ?? [];
  },
  signOut() {
    setCallClient(null);
  },
};
(window as unknown as { firecallFixture: typeof fixture }).firecallFixture = fixture;

defineFirecallElements({ client });
document.documentElement.dataset.ready = 'true';

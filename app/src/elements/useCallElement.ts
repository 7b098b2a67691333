/**
 * What every firecall element shares: the page language, a translator with the
 * host's overrides, a store bound to the engine, and the DOM events.
 */
import { computed, onBeforeUnmount, useHost } from 'vue';
import { isCallReason } from '../call/errors';
import type { CallSnapshot } from '../call/types';
import { callClientRef } from './client';
import type { FirecallErrorReason } from './contract';
import { dispatch, endedDetail, errorReason, stateDetail } from './events';
import { reasonKey, translator, type FirecallMessages } from './messages';
import { usePageLanguage } from './language';
import { createCallStore } from './store';
import { describeStatus, isActive, reasonText } from './status';

export function useCallElement(options: { messages: () => Partial<FirecallMessages> | undefined; name: () => string }) {
  const found = useHost();
  if (!found) throw new Error('firecall elements must be defined with defineFirecallElements()');
  const host: HTMLElement = found;
  const lang = usePageLanguage(host);
  const t = computed(() => translator(lang.value, options.messages() ?? {}));
  const client = callClientRef();
  const { store, dispose } = createCallStore({
    onState: (s) => dispatch(host, 'firecall-state', stateDetail(s)),
    onEnded: (s) => dispatch(host, 'firecall-ended', endedDetail(s, endMessage(s), Date.now())),
    onError: (error) => fail(errorReason(error), error.message),
  });

  function endMessage(s: CallSnapshot): string {
    return (
      describeStatus(t.value, { snapshot: s, name: options.name(), now: Date.now(), signedIn: true }).text ||
      reasonText(t.value, s, options.name())
    );
  }

  /** Tells the host, in the page's language, why a request was not carried out. */
  function fail(reason: FirecallErrorReason, detail?: string): void {
    const key = isCallReason(reason) ? reasonKey(reason) : (`error.${reason}` as const);
    const sentence = t.value(key, { name: options.name() || t.value('someone') });
    const message = sentence.charAt(0).toUpperCase() + sentence.slice(1);
    dispatch(host, 'firecall-error', { reason, message, ...(reason === 'unexpected' && detail ? { detail } : {}) });
  }

  onBeforeUnmount(() => {
    // An element taken off the page must not leave the other person on a silent call.
    if (isActive(store.snapshot)) void store.hangUp();
    dispose();
  });

  return { host, lang, t, client, store, fail };
}

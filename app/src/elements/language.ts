/**
 * Follows the host page's language: the nearest `lang` attribute above the
 * element (its own included), else <html lang>. Re-evaluated when any `lang` changes.
 */
import { onBeforeUnmount, ref, type Ref } from 'vue';

export function usePageLanguage(host: HTMLElement): Ref<string> {
  const read = () => host.closest('[lang]')?.getAttribute('lang') || host.ownerDocument.documentElement.lang || 'en';
  const lang = ref(read());
  const observer = new MutationObserver(() => {
    lang.value = read();
  });
  observer.observe(host.ownerDocument.documentElement, { attributes: true, attributeFilter: ['lang'], subtree: true });
  onBeforeUnmount(() => observer.disconnect());
  return lang;
}

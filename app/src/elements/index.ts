/**
 * firecall custom elements. Importing this module registers nothing; call
 * `defineFirecallElements()` once (after `configure()` or `setCallClient()`).
 */
import { createPinia } from 'pinia';
import { defineCustomElement, type App } from 'vue';
import type { CallClientApi } from '../call/types';
import CallElement from './CallElement.ce.vue';
import IncomingCall from './IncomingCall.ce.vue';
import { setCallClient } from './client';
import { setFirecallMessages, type FirecallMessages } from './messages';
import type { IncomingCallElementApi, VideoCallElementApi } from './typings';

// One Pinia for every firecall element on the page: each element adds its own store to it.
const pinia = createPinia();
const configureApp = (app: App) => {
  app.use(pinia);
};

/** The element classes as hosts see them: their documented API, with Vue left inside the bundle. */
type ElementClass<Api> = new (initialProps?: Record<string, unknown>) => Api;

const VideoCallBase = defineCustomElement(CallElement, { configureApp }) as unknown as ElementClass<VideoCallElementApi>;
/** <video-call>: a video call to one contact. */
export class VideoCallElement extends VideoCallBase {}

/** <voice-call>: an audio-only call to one contact. */
export class VoiceCallElement extends VideoCallBase {
  constructor(initialProps?: Record<string, unknown>) {
    super({ ...initialProps, kind: 'voice' });
  }
}

/** <incoming-call>: rings for the signed-in user's incoming calls. */
export class IncomingCallElement extends (defineCustomElement(IncomingCall, {
  configureApp,
}) as unknown as ElementClass<IncomingCallElementApi>) {}

export const defaultTagNames = { video: 'video-call', voice: 'voice-call', incoming: 'incoming-call' } as const;

export interface DefineOptions {
  /** Tag names to register under; defaults to video-call, voice-call, incoming-call. */
  tagNames?: Partial<Record<keyof typeof defaultTagNames, string>>;
  /** The engine client to use (otherwise the one `configure()` or `setCallClient()` sets). */
  client?: CallClientApi | null;
  /** Message overrides per language, e.g. { de: { hangUp: 'Beenden' } }. */
  messages?: Record<string, Partial<FirecallMessages>>;
  /** Where to register; defaults to window.customElements. */
  registry?: CustomElementRegistry;
}

/** Registers the elements (skipping tags already defined) and returns the tag names used. */
export function defineFirecallElements(options: DefineOptions = {}): Record<keyof typeof defaultTagNames, string> {
  const registry = options.registry ?? globalThis.customElements;
  if (!registry) throw new Error('firecall: customElements is not available here (defineFirecallElements needs a browser).');
  const tags = { ...defaultTagNames, ...options.tagNames };
  if (options.client !== undefined) setCallClient(options.client);
  for (const [lang, messages] of Object.entries(options.messages ?? {})) setFirecallMessages(lang, messages);
  const classes = { video: VideoCallElement, voice: VoiceCallElement, incoming: IncomingCallElement };
  for (const key of Object.keys(classes) as Array<keyof typeof classes>) {
    // A class can be registered once per registry: give each extra tag its own subclass.
    if (!registry.get(tags[key]))
      registry.define(tags[key], class extends (classes[key] as typeof VideoCallElement) {} as unknown as CustomElementConstructor);
  }
  return tags;
}

export { setCallClient, getCallClient } from './client';
export { setFirecallMessages, type FirecallMessages, type MessageKey } from './messages';
export type { FirecallErrorReason } from './contract';
export type { FirecallStateDetail, FirecallEndedDetail, FirecallErrorDetail, FirecallIncomingDetail, FirecallEventMap } from './events';
export type * from './typings';

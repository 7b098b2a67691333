/**
 * Public types of the elements: what `document.querySelector('video-call')`
 * returns, and the tags as Vue components for templates.
 */
import type { DefineComponent } from 'vue';
import type { CallSnapshot } from '../call/types';
import type { FirecallEventMap } from './events';
import type { FirecallMessages } from './messages';

interface FirecallEventTarget {
  addEventListener<K extends keyof FirecallEventMap>(type: K, listener: (event: FirecallEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (event: HTMLElementEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof FirecallEventMap>(type: K, listener: (event: FirecallEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (event: HTMLElementEventMap[K]) => void, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** Attributes (kebab-case) and properties (camelCase) of <video-call> and <voice-call>. */
export interface CallElementAttributes {
  /** uid of the person to call. */
  callee?: string;
  /** Name shown and spoken ("Calling Ana"); the uid when empty. */
  calleeName?: string;
  /** CRM record the call is about: type, id and label. Both type and id are needed. */
  recordType?: string;
  recordId?: string;
  recordLabel?: string;
  /** Per-element message overrides (property only). */
  messages?: Partial<FirecallMessages>;
}

export interface IncomingCallAttributes {
  /** Display names by uid (property only). */
  names?: Record<string, string>;
  messages?: Partial<FirecallMessages>;
}

type Methods<T> = Omit<HTMLElement, 'addEventListener' | 'removeEventListener'> & FirecallEventTarget & T;

export type VideoCallElementApi = Methods<
  Required<Omit<CallElementAttributes, 'messages'>> & {
    messages: Partial<FirecallMessages> | undefined;
    /** Places the call (after the element is connected). */
    call(): void;
    hangUp(): Promise<void>;
    /** The current call as the engine reports it; null before the first call. */
    readonly snapshot: CallSnapshot | null;
  }
>;
export type VoiceCallElementApi = VideoCallElementApi;

export type IncomingCallElementApi = Methods<
  IncomingCallAttributes & {
    accept(): Promise<void>;
    decline(): Promise<void>;
    hangUp(): Promise<void>;
    readonly snapshot: CallSnapshot | null;
  }
>;

declare global {
  interface HTMLElementTagNameMap {
    'video-call': VideoCallElementApi;
    'voice-call': VoiceCallElementApi;
    'incoming-call': IncomingCallElementApi;
  }
}

/** Vue templates: <video-call callee="ana" @firecall-ended="..."/> type-checks. */
type ElementEvents = {
  [K in keyof FirecallEventMap as `on${Capitalize<K>}`]?: (event: FirecallEventMap[K]) => void;
};
declare module 'vue' {
  interface GlobalComponents {
    'video-call': DefineComponent<CallElementAttributes & ElementEvents>;
    'voice-call': DefineComponent<CallElementAttributes & ElementEvents>;
    'incoming-call': DefineComponent<IncomingCallAttributes & ElementEvents>;
  }
}

/**
 * Public types of the elements: what `document.querySelector('video-call')`
 * returns (Vue templates get theirs from vue.ts).
 */
import type { CallElementAttributes, CallElementMembers, IncomingCallAttributes, IncomingCallMembers } from './attributes.generated';
import type { FirecallEventMap } from './events';
import type { FirecallMessages } from './messages';

interface FirecallEventTarget {
  addEventListener<K extends keyof FirecallEventMap>(
    type: K,
    listener: (event: FirecallEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (event: HTMLElementEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof FirecallEventMap>(
    type: K,
    listener: (event: FirecallEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (event: HTMLElementEventMap[K]) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

export type { CallElementAttributes, IncomingCallAttributes };

type Methods<T> = Omit<HTMLElement, 'addEventListener' | 'removeEventListener'> & FirecallEventTarget & T;

export type VideoCallElementApi = Methods<
  Required<Omit<CallElementAttributes, 'messages'>> & { messages: Partial<FirecallMessages> | undefined } & CallElementMembers
>;
export type VoiceCallElementApi = VideoCallElementApi;

export type IncomingCallElementApi = Methods<IncomingCallAttributes & IncomingCallMembers>;

declare global {
  interface HTMLElementTagNameMap {
    'video-call': VideoCallElementApi;
    'voice-call': VoiceCallElementApi;
    'incoming-call': IncomingCallElementApi;
  }
}

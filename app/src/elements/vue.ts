/**
 * Vue templates: <video-call callee="ana" @firecall-ended="..."/> type-checks. Types only, for
 * Vue hosts (other hosts have no 'vue' to augment):
 *   /// <reference types="@firecall/web/vue" />
 */
import type { DefineComponent } from 'vue';
import type { FirecallEventMap } from './events';
import type { CallElementAttributes, IncomingCallAttributes } from './typings';

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

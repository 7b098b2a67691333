/**
 * React wrappers: <VideoCall/> and <VoiceCall/> render the custom elements,
 * map typed props to attributes, events to callbacks, and expose the element's
 * methods through a ref. React is an optional peer dependency of firecall.
 *
 *   const ref = useRef<CallHandle>(null);
 *   <VideoCall ref={ref} callee="ana" calleeName="Ana" record={{ recordType: 'deal', recordId: 'D-7' }}
 *              onStateChange={(d) => ...} onEnded={(d) => ...} />
 */
import {
  createElement,
  forwardRef,
  useEffect,
  useImperativeHandle,
  useRef,
  type CSSProperties,
  type ForwardedRef,
  type ReactElement,
  type RefAttributes,
} from 'react';
import type { CallSnapshot } from '../call/types';
import { defaultTagNames, defineFirecallElements } from '../elements/index';
import type { FirecallEndedDetail, FirecallErrorDetail, FirecallStateDetail } from '../elements/events';
import type { FirecallMessages } from '../elements/messages';
import type { CallElementAttributes, IncomingCallAttributes, VideoCallElementApi } from '../elements/typings';
import type { CrmContext } from '../signaling/channel';

export interface CallProps {
  /** uid of the person to call. */
  callee: string;
  /** Name shown and spoken ("Calling Ana"). */
  calleeName?: string;
  /** The CRM record the call is about (goes into that record's call log). */
  record?: CrmContext;
  messages?: Partial<FirecallMessages>;
  className?: string;
  style?: CSSProperties;
  id?: string;
  onStateChange?: (detail: FirecallStateDetail) => void;
  onEnded?: (detail: FirecallEndedDetail) => void;
  onError?: (detail: FirecallErrorDetail) => void;
}

/** What a ref to <VideoCall/> or <VoiceCall/> offers. */
export interface CallHandle {
  call(): void;
  hangUp(): Promise<void>;
  readonly snapshot: CallSnapshot | null;
  readonly element: HTMLElement | null;
}

function useCallElement(tag: string, props: CallProps, ref: ForwardedRef<CallHandle>): ReactElement {
  const element = useRef<VideoCallElementApi | null>(null);
  const callbacks = useRef(props);
  callbacks.current = props;

  useEffect(() => {
    // Registering on first use spares React apps a separate setup call; never on import.
    if (!customElements.get(tag)) defineFirecallElements();
  }, []);

  useEffect(() => {
    const el = element.current;
    if (!el) return;
    const onState = (e: Event) => callbacks.current.onStateChange?.((e as CustomEvent<FirecallStateDetail>).detail);
    const onEnded = (e: Event) => callbacks.current.onEnded?.((e as CustomEvent<FirecallEndedDetail>).detail);
    const onError = (e: Event) => callbacks.current.onError?.((e as CustomEvent<FirecallErrorDetail>).detail);
    el.addEventListener('firecall-state', onState);
    el.addEventListener('firecall-ended', onEnded);
    el.addEventListener('firecall-error', onError);
    return () => {
      el.removeEventListener('firecall-state', onState);
      el.removeEventListener('firecall-ended', onEnded);
      el.removeEventListener('firecall-error', onError);
    };
  }, []);

  useEffect(() => {
    if (element.current) element.current.messages = props.messages;
  }, [props.messages]);

  useImperativeHandle(
    ref,
    () => ({
      call: () => element.current?.call(),
      hangUp: () => element.current?.hangUp() ?? Promise.resolve(),
      get snapshot() {
        return element.current?.snapshot ?? null;
      },
      get element() {
        return element.current;
      },
    }),
    [],
  );

  return createElement(tag, {
    ref: element,
    id: props.id,
    className: props.className,
    style: props.style,
    callee: props.callee,
    'callee-name': props.calleeName || undefined,
    'record-type': props.record?.recordType,
    'record-id': props.record?.recordId,
    'record-label': props.record?.label,
  });
}

export const VideoCall = forwardRef<CallHandle, CallProps>(function VideoCall(props, ref) {
  return useCallElement(defaultTagNames.video, props, ref);
});

export const VoiceCall = forwardRef<CallHandle, CallProps>(function VoiceCall(props, ref) {
  return useCallElement(defaultTagNames.voice, props, ref);
});

export type { FirecallEndedDetail, FirecallErrorDetail, FirecallStateDetail };

type ReactElementProps<T> = T & RefAttributes<HTMLElement> & { class?: string; className?: string; style?: CSSProperties; id?: string };
type Kebab<T> = { [K in keyof T as KebabCase<K & string>]: T[K] };
type KebabCase<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `-${Lowercase<H>}`}${KebabCase<T>}`
  : S;

/** JSX typings for using the tags directly in React. */
declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- React declares its JSX types in this namespace
  namespace JSX {
    interface IntrinsicElements {
      'video-call': ReactElementProps<Kebab<Omit<CallElementAttributes, 'messages'>>>;
      'voice-call': ReactElementProps<Kebab<Omit<CallElementAttributes, 'messages'>>>;
      'incoming-call': ReactElementProps<Omit<IncomingCallAttributes, 'messages'>>;
    }
  }
}

/**
 * One Pinia store per element: mirrors the engine session's snapshot and
 * forwards user intent to it. No media logic lives here.
 */
import { defineStore, type Pinia } from 'pinia';
import { computed, markRaw, ref, shallowRef } from 'vue';
import type { CallClientApi, CallSessionApi, CallSnapshot } from '../call/types';
import type { CallKind, CrmContext } from '../signaling/channel';

export interface CallStoreOptions {
  /** Called on every state or phase change, once the store has the new snapshot. */
  onState?: (snapshot: CallSnapshot) => void;
  onEnded?: (snapshot: CallSnapshot) => void;
  onError?: (error: Error) => void;
  /** Injectable for tests; defaults to navigator.mediaDevices. */
  mediaDevices?: Pick<MediaDevices, 'enumerateDevices'> | undefined;
  /** Injectable clock for the call timer. */
  now?: () => number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

let nextId = 0;

/** Without `pinia`, uses the one the element's Vue app installed. */
export function createCallStore(options: CallStoreOptions = {}, pinia?: Pinia) {
  const id = `firecall-call-${++nextId}`;
  const now = options.now ?? (() => Date.now());
  const useStore = defineStore(id, () => {
    const session = shallowRef<CallSessionApi | null>(null);
    const snapshot = shallowRef<CallSnapshot | null>(null);
    const clock = ref(now());
    const statsOpen = ref(false);
    const devices = shallowRef<MediaDeviceInfo[]>([]);
    const selected = ref<{ audioinput: string; videoinput: string }>({ audioinput: '', videoinput: '' });
    let unsubscribe: Array<() => void> = [];
    let ticking: unknown = null;

    const state = computed(() => snapshot.value?.state ?? 'idle');

    function tick(): void {
      clock.value = now();
    }

    function startTimer(): void {
      if (ticking !== null) return;
      tick();
      ticking = (options.setInterval ?? ((fn, ms) => globalThis.setInterval(fn, ms)))(tick, 1000);
    }

    function stopTimer(): void {
      if (ticking === null) return;
      (options.clearInterval ?? ((h) => globalThis.clearInterval(h as number)))(ticking);
      ticking = null;
    }

    function mirror(next: CallSnapshot): void {
      snapshot.value = next;
      if (next.state === 'connected') startTimer();
      else stopTimer();
    }

    function detach(): void {
      for (const off of unsubscribe) off();
      unsubscribe = [];
      stopTimer();
    }

    /** Follows a session (outgoing from `call`, or an incoming one). */
    /** Errors the session already emitted; a request that rethrows one must not report it twice. */
    const reported = new WeakSet<Error>();

    function attach(next: CallSessionApi): void {
      detach();
      session.value = markRaw(next);
      mirror(next.snapshot);
      unsubscribe = [
        next.on('change', mirror),
        next.on('state', (s) => {
          mirror(s);
          options.onState?.(s);
        }),
        next.on('ended', (s) => {
          mirror(s);
          options.onEnded?.(s);
        }),
        next.on('error', (error) => {
          reported.add(error);
          options.onError?.(error);
        }),
      ];
      options.onState?.(next.snapshot);
    }

    function call(client: CallClientApi, input: { callee: string; kind: CallKind; context?: CrmContext }): CallSessionApi {
      const next = client.call(input);
      attach(next);
      return next;
    }

    /** Runs an engine request; a rejection becomes an `error` event, never an unhandled one. */
    async function run(action: (s: CallSessionApi) => Promise<void> | void): Promise<void> {
      const current = session.value;
      if (!current) return;
      try {
        await action(current);
      } catch (error) {
        if (error instanceof Error && reported.has(error)) return;
        options.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
    }

    async function loadDevices(): Promise<void> {
      const source = options.mediaDevices ?? globalThis.navigator?.mediaDevices;
      if (!source) return;
      try {
        devices.value = await source.enumerateDevices();
      } catch {
        devices.value = []; // the picker then only offers "Default"
      }
    }

    return {
      session,
      snapshot,
      state,
      clock,
      statsOpen,
      devices,
      selected,
      attach,
      detach,
      call,
      loadDevices,
      accept: () => run((s) => s.accept()),
      decline: () => run((s) => s.decline()),
      hangUp: () => run((s) => s.hangUp()),
      toggleMuted: () => run((s) => s.setMuted(!s.snapshot.muted)),
      toggleCamera: () => run((s) => s.setCameraOff(!s.snapshot.cameraOff)),
      toggleScreenShare: () => run((s) => (s.snapshot.screenSharing ? s.stopScreenShare() : s.startScreenShare())),
      switchDevice: (kind: 'audioinput' | 'videoinput', deviceId: string) => {
        selected.value = { ...selected.value, [kind]: deviceId };
        return run((s) => s.switchDevice(kind, deviceId));
      },
      toggleStats: () => {
        statsOpen.value = !statsOpen.value;
      },
    };
  });
  const store = useStore(pinia);
  return {
    store,
    /** Stops following the session and forgets the store. */
    dispose(): void {
      store.detach();
      store.$dispose();
      delete store._p.state.value[id];
    },
  };
}

export type CallStore = ReturnType<typeof createCallStore>['store'];

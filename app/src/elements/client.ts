/**
 * Which signed-in user's phone the elements use. `configure()` (Firebase) or a
 * host with its own engine sets it; elements react when it changes (sign-in, sign-out).
 */
import { shallowRef, type ShallowRef } from 'vue';
import type { CallClientApi } from '../call/types';

const current = shallowRef<CallClientApi | null>(null);

/** Sets the client every element uses; null when nobody is signed in. */
export function setCallClient(client: CallClientApi | null): void {
  current.value = client;
}

export function getCallClient(): CallClientApi | null {
  return current.value;
}

/** Reactive view for the elements. @internal */
export function callClientRef(): Readonly<ShallowRef<CallClientApi | null>> {
  return current;
}

/**
 * Whether starting the camera or microphone will ask the user first. A caller who is
 * being asked should not ring anyone yet; one who allowed it before can ring while
 * the camera starts.
 */
import type { CallKind } from '../signaling/channel';

/** The part of `navigator.permissions` the engine uses (injectable). */
export interface PermissionsLike {
  query(descriptor: { name: string }): Promise<{ state: string }>;
}

/**
 * True when the media for `kind` is already allowed, or when the browser cannot tell
 * (no Permissions API, or 'camera' not queryable): most callers allowed it on an earlier call.
 */
export async function mediaAllowedWithoutPrompt(permissions: PermissionsLike | null | undefined, kind: CallKind): Promise<boolean> {
  if (!permissions) return true;
  const names = kind === 'video' ? ['camera', 'microphone'] : ['microphone'];
  try {
    const states = await Promise.all(names.map(async (name) => (await permissions.query({ name })).state));
    return states.every((state) => state === 'granted');
  } catch {
    return true;
  }
}

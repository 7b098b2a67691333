// Types for scripts/firestore-emulator.mjs (see the header there).
export function firestoreEmulatorSetup(): { problem: null; env: Record<string, string> } | { problem: string; env?: undefined };

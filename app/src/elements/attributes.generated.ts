// Generated from contract.ts by app/scripts/custom-elements.ts; edit the contract, not this file.
import type { CallSnapshot } from '../call/types';
import type { FirecallMessages } from './messages';

/** Attributes (kebab-case) and properties (camelCase) a page sets on <video-call> and <voice-call>. */
export interface CallElementAttributes {
  /** uid of the person to call. */
  callee?: string;
  /** Name shown and spoken ("Calling Ana"); the uid when empty. */
  calleeName?: string;
  /** CRM record type the call is about (e.g. "ticket"); with record-id it goes into the call log. */
  recordType?: string;
  /** CRM record id the call is about. */
  recordId?: string;
  /** Human label of the record, shown to both sides. */
  recordLabel?: string;
  /** Per-element message overrides (property only). */
  messages?: Partial<FirecallMessages>;
}

/** Methods and read-only properties of <video-call> and <voice-call>. */
export interface CallElementMembers {
  /** Places the call (no-op while one is under way). */
  call(): void;
  /** Cancels or ends the call. */
  hangUp(): Promise<void>;
  /** Read-only: the current call as the engine reports it. */
  readonly snapshot: CallSnapshot | null;
}

/** Attributes (kebab-case) and properties (camelCase) a page sets on <incoming-call>. */
export interface IncomingCallAttributes {
  /** Display names by uid (property only). */
  names?: Record<string, string>;
  /** Per-element message overrides (property only). */
  messages?: Partial<FirecallMessages>;
}

/** Methods and read-only properties of <incoming-call>. */
export interface IncomingCallMembers {
  /** Answers the ringing call. */
  accept(): Promise<void>;
  /** Refuses the ringing call. */
  decline(): Promise<void>;
  /** Ends the call. */
  hangUp(): Promise<void>;
  /** Read-only: the current call. */
  readonly snapshot: CallSnapshot | null;
}

/**
 * Every size and count the signaling data may have, in one place. firestore.rules states
 * the same bounds (its tests check each); the engine and both stores read them from here.
 */
export const SIGNAL_LIMITS = {
  /** A video offer with a few codecs is ~6 KB; 64 KB leaves room and stops abuse. */
  maxSdpLength: 64 * 1024,
  maxSdpLines: 1500,
  maxSdpLineLength: 4096,
  maxMediaSections: 8,
  /** firestore.rules checks each candidate, which caps a signal at 12 (its expression budget). */
  maxCandidatesPerSignal: 12,
  maxCandidateLength: 512,
  maxMidLength: 32,
  maxUfragLength: 256,
  maxUidLength: 128,
  maxIdLength: 128,
  maxReasonLength: 64,
  /** Signals one peer may send in one call (restarts included). */
  maxSignalsPerCall: 400,
  /** How far ahead of the next expected seq a signal may be buffered. */
  maxSeqGap: 32,
} as const;

export const CALL_LIMITS = {
  maxUidLength: 128,
  maxCallIdLength: 64,
  maxRecordTypeLength: 64,
  maxRecordIdLength: 256,
  maxRecordLabelLength: 200,
} as const;

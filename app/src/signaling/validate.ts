/**
 * Every incoming signal passes through here before the engine sees it, whatever the
 * adapter (Firestore, memory, broadcast). Signals come from another browser and a
 * writable database: treat them as hostile until proven otherwise.
 *
 * Two parts:
 * - `validateSignal`: shape, types and sizes of one document (SDP that parses as SDP,
 *   candidates that parse as candidates, bounded counts and lengths).
 * - `createSignalInbox`: per call, delivers the peer's valid signals exactly once and
 *   in `seq` order; drops (with a log line) own echoes, foreign senders, duplicates,
 *   replays and anything after `bye`; reports invalid ones as `bad-signal`.
 */
import { SignalingError, type CandidateInit, type Signal, type StartCallInput } from './channel';
import { CALL_LIMITS, SIGNAL_LIMITS } from './limits';

export type SignalVerdict = { ok: true; signal: Signal } | { ok: false; message: string };

const SIGNAL_KEYS = new Set(['id', 'from', 'seq', 'createdAt', 'type', 'description', 'candidates', 'done', 'reason', 'expireAt']);
const CANDIDATE_KEYS = new Set(['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment']);
const ICE_CHARS = /^[A-Za-z0-9+/]+$/;
const TOKEN = /^[A-Za-z0-9_.:-]+$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function boundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

/** Call ids as firestore.rules accept them (Firestore's own ids are 20 of these characters). */
export const CALL_ID_RULE = 'A call id is 1 to 64 letters, digits, "_" or "-".';

export function isCallId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= CALL_LIMITS.maxCallIdLength && /^[A-Za-z0-9_-]+$/.test(value);
}

/** Why `uid` cannot start this call (firestore.rules refuses the same), or null. */
export function startCallProblem(input: StartCallInput, uid: string): string | null {
  if (!input || typeof input.callee !== 'string' || input.callee.length === 0 || input.callee.length > CALL_LIMITS.maxUidLength)
    return "A call needs the callee's user id.";
  if (input.callee === uid) return 'A call needs a callee other than yourself.';
  if (input.kind !== 'video' && input.kind !== 'voice') return 'A call is either "video" or "voice".';
  if (input.id !== undefined && !isCallId(input.id)) return CALL_ID_RULE;
  const context = input.context;
  if (context !== undefined) {
    if (
      !boundedString(context.recordType, CALL_LIMITS.maxRecordTypeLength) ||
      !boundedString(context.recordId, CALL_LIMITS.maxRecordIdLength)
    ) {
      return `The CRM context needs a record type (<= ${CALL_LIMITS.maxRecordTypeLength} characters) and a record id (<= ${CALL_LIMITS.maxRecordIdLength}).`;
    }
    if (context.label !== undefined && !(typeof context.label === 'string' && context.label.length <= CALL_LIMITS.maxRecordLabelLength)) {
      return `The CRM record label must be text of at most ${CALL_LIMITS.maxRecordLabelLength} characters.`;
    }
  }
  return null;
}

/** Returns why `sdp` is not a usable session description, or null when it is. */
export function sdpProblem(sdp: unknown, type: 'offer' | 'answer'): string | null {
  if (typeof sdp !== 'string') return 'SDP is not text';
  if (sdp.length > SIGNAL_LIMITS.maxSdpLength) return `SDP is ${sdp.length} characters (limit ${SIGNAL_LIMITS.maxSdpLength})`;
  // Control characters other than CR/LF/TAB never appear in SDP and break parsers.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(sdp)) return 'SDP contains control characters';
  // A CR outside CRLF splits lines differently in different parsers: refuse it.
  if (/\r(?!\n)/.test(sdp)) return 'SDP contains a bare carriage return';
  const lines = sdp.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length > SIGNAL_LIMITS.maxSdpLines) return `SDP has ${lines.length} lines (limit ${SIGNAL_LIMITS.maxSdpLines})`;
  if (lines[0] !== 'v=0') return 'SDP does not start with v=0';
  let media = 0;
  let fingerprint = false;
  let ufrag = false;
  let pwd = false;
  let origin = false;
  for (const line of lines) {
    if (line.length > SIGNAL_LIMITS.maxSdpLineLength) return 'SDP has an overlong line';
    if (!/^[a-z]=\S/.test(line)) return `SDP line is not "<letter>=<value>": ${JSON.stringify(line.slice(0, 40))}`;
    if (line.startsWith('o=')) origin = true;
    if (line.startsWith('m=')) {
      if (!/^m=(audio|video|application) \d{1,5}(\/\d+)? [A-Za-z/]+( [\w.-]+)*$/.test(line)) return 'SDP has a malformed m= line';
      media += 1;
    }
    if (line.startsWith('a=fingerprint:')) fingerprint = true;
    if (line.startsWith('a=ice-ufrag:')) ufrag = true;
    if (line.startsWith('a=ice-pwd:')) pwd = true;
  }
  if (!origin) return 'SDP has no o= line';
  if (media === 0) return 'SDP has no media section';
  if (media > SIGNAL_LIMITS.maxMediaSections) return `SDP has ${media} media sections (limit ${SIGNAL_LIMITS.maxMediaSections})`;
  if (!fingerprint) return 'SDP has no DTLS fingerprint (unencrypted media is refused)';
  if (!ufrag || !pwd) return 'SDP has no ICE credentials';
  void type;
  return null;
}

/** Returns why `value` is not an ICE candidate init, or null when it is. */
export function candidateProblem(value: unknown): string | null {
  if (!isPlainObject(value)) return 'candidate is not an object';
  for (const key of Object.keys(value)) if (!CANDIDATE_KEYS.has(key)) return `candidate has unknown field "${key.slice(0, 32)}"`;
  const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = value;
  if (typeof candidate !== 'string' || candidate.length > SIGNAL_LIMITS.maxCandidateLength) return 'candidate line missing or too long';
  // foundation component transport priority address port "typ" type [extensions]
  const parts = candidate.replace(/^a=/, '').split(' ');
  const [foundation, component, transport, priority, address, port, typ, kind] = parts;
  if (!foundation?.startsWith('candidate:') || foundation.length < 11) return 'candidate line does not start with "candidate:"';
  if (!/^\d{1,3}$/.test(component ?? '')) return 'candidate component is not a number';
  if (!/^(udp|tcp)$/i.test(transport ?? '')) return 'candidate transport is not udp or tcp';
  if (!/^\d{1,10}$/.test(priority ?? '')) return 'candidate priority is not a number';
  if (!address || address.length > 255 || !/^[A-Za-z0-9.:%_-]+$/.test(address)) return 'candidate address is malformed';
  const portNumber = Number(port);
  if (!/^\d{1,5}$/.test(port ?? '') || portNumber > 65535) return 'candidate port is out of range';
  if (typ !== 'typ' || !/^(host|srflx|prflx|relay)$/.test(kind ?? '')) return 'candidate type is not host/srflx/prflx/relay';
  for (const part of parts.slice(8)) if (part.length > 128 || !/^[\w.:/+=-]*$/.test(part)) return 'candidate has a malformed extension';
  if (sdpMid !== undefined && sdpMid !== null && !(boundedString(sdpMid, SIGNAL_LIMITS.maxMidLength) && TOKEN.test(sdpMid)))
    return 'candidate sdpMid is malformed';
  if (
    sdpMLineIndex !== undefined &&
    sdpMLineIndex !== null &&
    !(Number.isInteger(sdpMLineIndex) && (sdpMLineIndex as number) >= 0 && (sdpMLineIndex as number) < SIGNAL_LIMITS.maxMediaSections)
  ) {
    return 'candidate sdpMLineIndex is out of range';
  }
  if ((sdpMid === undefined || sdpMid === null) && (sdpMLineIndex === undefined || sdpMLineIndex === null))
    return 'candidate has neither sdpMid nor sdpMLineIndex';
  if (
    usernameFragment !== undefined &&
    usernameFragment !== null &&
    !(boundedString(usernameFragment, SIGNAL_LIMITS.maxUfragLength) && ICE_CHARS.test(usernameFragment))
  ) {
    return 'candidate usernameFragment is malformed';
  }
  return null;
}

/**
 * Checks one raw signal document. `from` is who the adapter believes wrote it
 * (the document field); sender identity is checked by the inbox.
 */
export function validateSignal(raw: unknown): SignalVerdict {
  const bad = (message: string): SignalVerdict => ({ ok: false, message });
  if (!isPlainObject(raw)) return bad('signal is not an object');
  for (const key of Object.keys(raw)) if (!SIGNAL_KEYS.has(key)) return bad(`signal has unknown field "${key.slice(0, 32)}"`);
  const { id, from, seq, createdAt, type } = raw;
  if (!boundedString(id, SIGNAL_LIMITS.maxIdLength)) return bad('signal id is missing or too long');
  if (!boundedString(from, SIGNAL_LIMITS.maxUidLength)) return bad('signal sender is missing or too long');
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return bad('signal seq is not a positive integer');
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) return bad('signal createdAt is not a time');
  const base = { id, from, seq: seq as number, createdAt };
  switch (type) {
    case 'description': {
      const description = raw.description;
      if (!isPlainObject(description)) return bad('description is missing');
      for (const key of Object.keys(description)) if (key !== 'type' && key !== 'sdp') return bad('description has unknown fields');
      if (description.type !== 'offer' && description.type !== 'answer') return bad('description type is not offer or answer');
      const problem = sdpProblem(description.sdp, description.type);
      if (problem) return bad(problem);
      if (raw.candidates !== undefined || raw.done !== undefined || raw.reason !== undefined)
        return bad('description signal carries fields of another type');
      return { ok: true, signal: { ...base, type, description: { type: description.type, sdp: description.sdp as string } } };
    }
    case 'candidates': {
      const { candidates, done } = raw;
      if (!Array.isArray(candidates)) return bad('candidates is not a list');
      if (candidates.length > SIGNAL_LIMITS.maxCandidatesPerSignal)
        return bad(`${candidates.length} candidates in one signal (limit ${SIGNAL_LIMITS.maxCandidatesPerSignal})`);
      if (candidates.length === 0 && done !== true) return bad('empty candidates signal');
      if (done !== undefined && typeof done !== 'boolean') return bad('candidates done flag is not a boolean');
      for (const candidate of candidates) {
        const problem = candidateProblem(candidate);
        if (problem) return bad(problem);
      }
      if (raw.description !== undefined || raw.reason !== undefined) return bad('candidates signal carries fields of another type');
      const clean = candidates.map((c: CandidateInit) => ({
        candidate: c.candidate,
        sdpMid: c.sdpMid ?? null,
        sdpMLineIndex: c.sdpMLineIndex ?? null,
        ...(c.usernameFragment ? { usernameFragment: c.usernameFragment } : {}),
      }));
      return { ok: true, signal: { ...base, type, candidates: clean, ...(done ? { done: true } : {}) } };
    }
    case 'bye': {
      const { reason } = raw;
      if (reason !== undefined && !(boundedString(reason, SIGNAL_LIMITS.maxReasonLength) && TOKEN.test(reason)))
        return bad('bye reason is malformed');
      if (raw.description !== undefined || raw.candidates !== undefined || raw.done !== undefined)
        return bad('bye signal carries fields of another type');
      return { ok: true, signal: { ...base, type, ...(reason ? { reason } : {}) } };
    }
    default:
      return bad(`unknown signal type ${JSON.stringify(String(type).slice(0, 32))}`);
  }
}

export interface SignalInboxOptions {
  callId: string;
  /** This user; their own signals come back in the listener and are skipped. */
  self: string;
  /** The only user whose signals are accepted. */
  peer: string;
  onSignal: (signal: Signal) => void;
  /** Called once, with reason `bad-signal`; the inbox delivers nothing after it. */
  onError: (error: SignalingError) => void;
  /** Where dropped signals are reported (one line each). */
  log?: (message: string) => void;
}

export interface SignalInbox {
  /** Feed one raw document from the store; never throws. */
  receive(raw: unknown): void;
  /** Stop delivering (the call is over). */
  close(): void;
}

/** Delivers a peer's valid signals exactly once, in seq order. */
export function createSignalInbox(options: SignalInboxOptions): SignalInbox {
  const { callId, self, peer, onSignal, onError } = options;
  const log = options.log ?? (() => {});
  const seenIds = new Set<string>();
  const waiting = new Map<number, Signal>();
  let nextSeq = 1;
  let received = 0;
  let closed = false;
  let closedBy: 'bye' | 'error' | 'owner' | null = null;

  const fail = (message: string) => {
    closed = true;
    closedBy = 'error';
    waiting.clear();
    onError(new SignalingError('bad-signal', `Call ${callId}: ${message}`, callId));
  };

  const deliver = (signal: Signal) => {
    if (closed) return;
    nextSeq = signal.seq + 1;
    if (signal.type === 'bye') {
      closed = true;
      closedBy = 'bye';
      waiting.clear();
    }
    try {
      onSignal(signal);
    } catch (error) {
      log(`call ${callId}: signal handler threw: ${(error as Error)?.message ?? error}`);
    }
  };

  return {
    receive(raw) {
      try {
        const from = isPlainObject(raw) ? raw.from : undefined;
        if (from === self) return; // our own write, echoed by the listener
        if (closed) {
          log(`call ${callId}: dropped a signal after ${closedBy === 'bye' ? 'bye' : 'the call closed'}`);
          return;
        }
        if (from !== peer) {
          // Rules stop this in production; a third party must not be able to end our call either.
          log(`call ${callId}: dropped a signal from a foreign sender ${JSON.stringify(String(from).slice(0, 40))}`);
          return;
        }
        const verdict = validateSignal(raw);
        if (!verdict.ok) return fail(verdict.message);
        const signal = verdict.signal;
        if (seenIds.has(signal.id)) {
          log(`call ${callId}: dropped duplicate signal ${signal.id}`);
          return;
        }
        if (signal.seq < nextSeq || waiting.has(signal.seq)) {
          log(`call ${callId}: dropped replayed seq ${signal.seq} (expected ${nextSeq})`);
          return;
        }
        seenIds.add(signal.id);
        received += 1;
        if (received > SIGNAL_LIMITS.maxSignalsPerCall) return fail(`more than ${SIGNAL_LIMITS.maxSignalsPerCall} signals from the peer`);
        if (signal.seq > nextSeq + SIGNAL_LIMITS.maxSeqGap) return fail(`seq ${signal.seq} jumps too far ahead of ${nextSeq}`);
        waiting.set(signal.seq, signal);
        for (let next = waiting.get(nextSeq); next && !closed; next = waiting.get(nextSeq)) {
          waiting.delete(next.seq);
          deliver(next);
        }
      } catch (error) {
        // validateSignal never throws on data; a getter or proxy might. Keep the page alive.
        fail(`unreadable signal (${(error as Error)?.message ?? error})`);
      }
    },
    close() {
      if (!closed) closedBy = 'owner';
      closed = true;
      waiting.clear();
    },
  };
}

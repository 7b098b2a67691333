/**
 * Audio redundancy (RFC 2198 `audio/red`): every audio packet also carries the
 * previous Opus frame, so a single lost packet costs no audio at all. Opus
 * in-band FEC only covers a loss at a lower quality and only once the encoder
 * has heard of loss; RED covers the first lost packet of a sudden squeeze too.
 * It roughly doubles the audio payload (~+20 kbit/s for voice), which the
 * ladder's `audioReserveBps` already keeps free.
 *
 * Chromium offers `red/48000/2` but lists it after Opus, so it is not used
 * unless preferred with `RTCRtpTransceiver.setCodecPreferences` before the
 * offer or answer is created. Peers that do not offer RED keep plain Opus.
 */

export interface CodecLike {
  mimeType: string;
  clockRate: number;
  channels?: number;
  sdpFmtpLine?: string;
}

/** `codecs` with RED first (when present), then Opus, then the rest in their order. Pure. */
export function withRedFirst<C extends CodecLike>(codecs: readonly C[]): C[] {
  const rank = (c: C) => {
    const mime = c.mimeType.toLowerCase();
    return mime === 'audio/red' ? 0 : mime === 'audio/opus' ? 1 : 2;
  };
  // Array.prototype.sort is stable: the browser's order survives within each rank.
  return [...codecs].sort((a, b) => rank(a) - rank(b));
}

export interface AudioTransceiverLike {
  setCodecPreferences(codecs: RTCRtpCodec[]): void;
}

/**
 * Prefers RED for the audio of `transceiver`; call it on the audio transceiver
 * before createOffer / createAnswer (the answerer too: both ends must list it).
 * Returns false, changing nothing, where the browser has no RED or no
 * setCodecPreferences.
 */
export function preferAudioRed(
  transceiver: AudioTransceiverLike,
  capabilities: { codecs: RTCRtpCodec[] } | null = typeof RTCRtpReceiver !== 'undefined' &&
  typeof RTCRtpReceiver.getCapabilities === 'function'
    ? RTCRtpReceiver.getCapabilities('audio')
    : null,
): boolean {
  const codecs = capabilities?.codecs ?? [];
  if (typeof transceiver?.setCodecPreferences !== 'function') return false;
  if (!codecs.some((c) => c.mimeType.toLowerCase() === 'audio/red')) return false;
  transceiver.setCodecPreferences(withRedFirst(codecs));
  return true;
}

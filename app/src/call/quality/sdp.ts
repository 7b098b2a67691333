/**
 * Opus in-band FEC and DTX through SDP: browsers expose no API for them.
 *
 * These fmtp parameters are the receiver's wishes (RFC 7587): Chrome
 * configures its Opus *encoder* from the remote description. So apply this to
 * the remote description before setRemoteDescription to make our own audio
 * carry FEC and DTX; it also works on a local description before it is sent
 * (then the peer's audio does). Works with perfect negotiation's implicit
 * setLocalDescription(), which leaves no local SDP to edit.
 */

const OPUS_RTPMAP = /^a=rtpmap:(\d+) opus\/48000(?:\/\d+)?$/i;

/** Returns `sdp` with useinbandfec=1 and usedtx=1 on every Opus payload type; other lines untouched. */
export function withOpusFecAndDtx(sdp: string): string {
  if (typeof sdp !== 'string') throw new TypeError('withOpusFecAndDtx needs the SDP text of a session description.');
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const opus = new Set<string>();
  for (const line of lines) {
    const m = OPUS_RTPMAP.exec(line);
    if (m) opus.add(m[1]!);
  }
  if (opus.size === 0) return sdp;

  const out: string[] = [];
  const withFmtp = new Set<string>();
  for (const line of lines) {
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (fmtp && opus.has(fmtp[1]!)) {
      withFmtp.add(fmtp[1]!);
      out.push(`a=fmtp:${fmtp[1]} ${setParams(fmtp[2]!, { useinbandfec: '1', usedtx: '1' })}`);
    } else {
      out.push(line);
    }
  }
  // An Opus payload without any fmtp line gets one right after its rtpmap.
  const result: string[] = [];
  for (const line of out) {
    result.push(line);
    const m = OPUS_RTPMAP.exec(line);
    if (m && !withFmtp.has(m[1]!)) result.push(`a=fmtp:${m[1]} useinbandfec=1;usedtx=1`);
  }
  return result.join(eol);
}

function setParams(list: string, wanted: Record<string, string>): string {
  const params = list.split(';').map((p) => p.trim()).filter((p) => p.length > 0);
  const seen = new Set<string>();
  const updated = params.map((p) => {
    const key = p.split('=')[0]!.trim().toLowerCase();
    if (key in wanted) {
      seen.add(key);
      return `${key}=${wanted[key]}`;
    }
    return p;
  });
  for (const [key, value] of Object.entries(wanted)) if (!seen.has(key)) updated.push(`${key}=${value}`);
  return updated.join(';');
}

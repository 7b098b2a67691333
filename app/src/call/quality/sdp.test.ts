import { describe, expect, it } from 'vitest';
import { VIDEO_START_KBPS, withOpusFecAndDtx, withVideoStartBitrate } from './sdp';

const chromeAudio = [
  'v=0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n');

describe('withOpusFecAndDtx', () => {
  it("adds DTX to Chrome's Opus fmtp line, keeps FEC and every other line, and keeps CRLF", () => {
    const out = withOpusFecAndDtx(chromeAudio);
    expect(out).toContain('a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1\r\n');
    expect(out.replace('a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1', 'a=fmtp:111 minptime=10;useinbandfec=1')).toBe(chromeAudio);
  });

  it('overrides parameters that turn FEC or DTX off', () => {
    const sdp = 'm=audio 9 RTP/AVP 109\na=rtpmap:109 OPUS/48000/2\na=fmtp:109 useinbandfec=0; usedtx=0;stereo=1\n';
    expect(withOpusFecAndDtx(sdp)).toBe('m=audio 9 RTP/AVP 109\na=rtpmap:109 OPUS/48000/2\na=fmtp:109 useinbandfec=1;usedtx=1;stereo=1\n');
  });

  it('adds an fmtp line right after the rtpmap when Opus has none', () => {
    const sdp = 'm=audio 9 RTP/AVP 111 0\na=rtpmap:111 opus/48000/2\na=rtpmap:0 PCMU/8000\n';
    expect(withOpusFecAndDtx(sdp)).toBe(
      'm=audio 9 RTP/AVP 111 0\na=rtpmap:111 opus/48000/2\na=fmtp:111 useinbandfec=1;usedtx=1\na=rtpmap:0 PCMU/8000\n',
    );
  });

  it('leaves SDP without Opus unchanged and is idempotent', () => {
    const video = 'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=fmtp:96 x=1\r\n';
    expect(withOpusFecAndDtx(video)).toBe(video);
    const once = withOpusFecAndDtx(chromeAudio);
    expect(withOpusFecAndDtx(once)).toBe(once);
  });

  it('rejects a non-string with a clear error', () => {
    expect(() => withOpusFecAndDtx(undefined as unknown as string)).toThrow(/SDP text/);
  });
});

describe('withVideoStartBitrate', () => {
  const chromeVideo = [
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 nack',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:98 VP9/90000',
    'a=fmtp:98 profile-id=0',
    'a=rtpmap:99 rtx/90000',
    'a=fmtp:99 apt=98',
    'a=rtpmap:100 red/90000',
    'a=rtpmap:101 ulpfec/90000',
    '',
  ].join('\r\n');

  it('starts every video codec at the given rate, leaving retransmission, RED and FEC payloads alone', () => {
    const out = withVideoStartBitrate(chromeVideo, 800);
    expect(out).toBe(
      chromeVideo
        .replace('a=rtpmap:96 VP8/90000\r\n', 'a=rtpmap:96 VP8/90000\r\na=fmtp:96 x-google-start-bitrate=800\r\n')
        .replace('a=fmtp:98 profile-id=0', 'a=fmtp:98 profile-id=0;x-google-start-bitrate=800'),
    );
  });

  it('defaults to VIDEO_START_KBPS, is idempotent, and leaves audio-only SDP unchanged', () => {
    const once = withVideoStartBitrate(chromeVideo);
    expect(once).toContain(`a=fmtp:96 x-google-start-bitrate=${VIDEO_START_KBPS}\r\n`);
    expect(withVideoStartBitrate(once)).toBe(once);
    const audio = 'm=audio 9 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n';
    expect(withVideoStartBitrate(audio)).toBe(audio);
  });

  it('changes only video sections: a payload number that means another codec elsewhere is left alone', () => {
    const sdp =
      'm=audio 9 RTP/AVP 96\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\nm=video 9 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n';
    expect(withVideoStartBitrate(sdp, 700)).toBe(`${sdp}a=fmtp:96 x-google-start-bitrate=700\r\n`);
  });

  it('rejects a non-string with a clear error', () => {
    expect(() => withVideoStartBitrate(null as unknown as string)).toThrow(/SDP text/);
  });
});

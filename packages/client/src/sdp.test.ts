import { describe, expect, it } from 'vitest';
import { START_BITRATE_KBPS, withStartBitrate } from './sdp.ts';

// the shape of a browser's offer: audio, then video with VP8 (no fmtp), its RTX, H.264 and RED
const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 116',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:103 rtx/90000',
  'a=fmtp:103 apt=102',
  'a=rtpmap:116 red/90000',
  '',
].join('\r\n');

const fmtpOf = (sdp: string, pt: number): string[] =>
  sdp.split('\r\n').filter((l) => l.startsWith(`a=fmtp:${pt} `));

describe('withStartBitrate', () => {
  const out = withStartBitrate(OFFER, 2000);

  it('gives a video codec without parameters an fmtp line right after its rtpmap', () => {
    const lines = out.split('\r\n');
    const at = lines.indexOf('a=rtpmap:96 VP8/90000');
    expect(lines[at + 1]).toBe('a=fmtp:96 x-google-start-bitrate=2000');
    expect(fmtpOf(out, 96)).toHaveLength(1);
  });

  it("adds the parameter to a video codec's own parameters, keeping them", () => {
    expect(fmtpOf(out, 102)).toEqual([
      'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f;x-google-start-bitrate=2000',
    ]);
  });

  it('leaves audio, retransmission and redundancy payloads and the session part alone', () => {
    expect(fmtpOf(out, 111)).toEqual(['a=fmtp:111 minptime=10;useinbandfec=1']);
    expect(fmtpOf(out, 97)).toEqual(['a=fmtp:97 apt=96']);
    expect(fmtpOf(out, 103)).toEqual(['a=fmtp:103 apt=102']);
    expect(fmtpOf(out, 116)).toEqual([]);
    const removed = OFFER.split('\r\n').filter((l) => !out.split('\r\n').includes(l));
    expect(removed).toEqual([
      'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
    ]);
    expect(out.endsWith('\r\n')).toBe(true);
  });

  it('replaces a value already there, so applying it twice changes nothing', () => {
    expect(withStartBitrate(out, 2000)).toBe(out);
    const other = withStartBitrate(out, 500);
    expect(fmtpOf(other, 96)).toEqual(['a=fmtp:96 x-google-start-bitrate=500']);
    expect(other).not.toContain('=2000');
  });

  it('finds a codec whose fmtp line comes before its rtpmap, and keeps LF line ends', () => {
    const lf = [
      'v=0',
      'm=video 9 UDP/TLS/RTP/SAVPF 98',
      'a=fmtp:98 profile-id=0',
      'a=rtpmap:98 VP9/90000',
    ].join('\n');
    expect(withStartBitrate(lf, 800)).toBe(
      [
        'v=0',
        'm=video 9 UDP/TLS/RTP/SAVPF 98',
        'a=fmtp:98 profile-id=0;x-google-start-bitrate=800',
        'a=rtpmap:98 VP9/90000',
      ].join('\n'),
    );
  });

  it('defaults to the product start bitrate and leaves an SDP without video as it was', () => {
    expect(fmtpOf(withStartBitrate(OFFER), 96)).toEqual([
      `a=fmtp:96 x-google-start-bitrate=${START_BITRATE_KBPS}`,
    ]);
    const audioOnly = OFFER.slice(0, OFFER.indexOf('m=video'));
    expect(withStartBitrate(audioOnly)).toBe(audioOnly);
    expect(withStartBitrate('')).toBe('');
  });
});

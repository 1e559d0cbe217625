/**
 * Edits of a remote session description before it is applied. Only parameters a browser is
 * free to ignore are added; nothing is removed or reordered.
 */

/**
 * The bandwidth estimate a Chromium sender starts from, in kbit/s. Chromium's own default is
 * 300, and its first probes go to 3× and 6× the start. While it rings the senders carry only
 * the still and silence (see LocalMediaManager), too little traffic to raise the estimate
 * further, so with the default the estimate sits near 1.8–2 Mbit/s at the accept and the first
 * picture (about 7 KB) is paced out over some 25 ms. From 2,000 the probes go to 6 and 12 Mbit/s:
 * on a fast link the estimate is 5–6 Mbit/s by the accept and the picture is out in about
 * 10 ms; on a slow link the probes simply measure less and the estimate settles during the
 * ring, before any picture is encoded. (docs/performance.md, figure 1)
 */
export const START_BITRATE_KBPS = 2000;

const PARAM = 'x-google-start-bitrate';
/** Payload types that are not video codecs of their own (retransmission, redundancy, FEC). */
const NOT_A_CODEC = /^(rtx|red|ulpfec|flexfec-03)$/i;

/**
 * Adds `x-google-start-bitrate` to every video codec of an SDP (a new `a=fmtp` line after the
 * codec's `a=rtpmap` where it has none). Chromium reads it from the remote description for
 * its sending side; other browsers ignore it. An existing value is replaced, so the edit may
 * be applied any number of times.
 */
export function withStartBitrate(sdp: string, kbps: number = START_BITRATE_KBPS): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  // the session part, then one part per m= section
  const sections: string[][] = [[]];
  for (const line of sdp.split(eol)) {
    if (line.startsWith('m=')) sections.push([]);
    sections[sections.length - 1]?.push(line);
  }
  return sections
    .map((lines) => (lines[0]?.startsWith('m=video ') ? videoSection(lines, kbps) : lines))
    .flat()
    .join(eol);
}

function videoSection(lines: string[], kbps: number): string[] {
  const codecs = new Set<string>();
  const withFmtp = new Set<string>();
  for (const line of lines) {
    const rtpmap = /^a=rtpmap:(\d+) ([^/\s]+)/.exec(line);
    if (rtpmap?.[1] && rtpmap[2] && !NOT_A_CODEC.test(rtpmap[2])) codecs.add(rtpmap[1]);
    const fmtp = /^a=fmtp:(\d+) /.exec(line);
    if (fmtp?.[1]) withFmtp.add(fmtp[1]);
  }
  const out: string[] = [];
  for (const line of lines) {
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (fmtp?.[1] && fmtp[2] !== undefined && codecs.has(fmtp[1])) {
      const params = fmtp[2]
        .split(';')
        .map((p) => p.trim())
        .filter((p) => p !== '' && !p.startsWith(`${PARAM}=`));
      params.push(`${PARAM}=${kbps}`);
      out.push(`a=fmtp:${fmtp[1]} ${params.join(';')}`);
      continue;
    }
    out.push(line);
    const rtpmap = /^a=rtpmap:(\d+) /.exec(line);
    if (rtpmap?.[1] && codecs.has(rtpmap[1]) && !withFmtp.has(rtpmap[1])) {
      out.push(`a=fmtp:${rtpmap[1]} ${PARAM}=${kbps}`);
    }
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import { getLocalMedia } from './media.ts';
import { mediaErrorFrom } from './errors.ts';
import { summarizeStats } from './stats.ts';

describe('media errors', () => {
  it.each([
    ['NotAllowedError', 'FLX_ERR_MEDIA_PERMISSION_DENIED'],
    ['SecurityError', 'FLX_ERR_MEDIA_PERMISSION_DENIED'],
    ['NotFoundError', 'FLX_ERR_MEDIA_NOT_FOUND'],
    ['OverconstrainedError', 'FLX_ERR_MEDIA_NOT_FOUND'],
    ['NotReadableError', 'FLX_ERR_MEDIA_NOT_READABLE'],
    ['AbortError', 'FLX_ERR_MEDIA_NOT_READABLE'],
    ['TypeError', 'FLX_ERR_MEDIA_CONNECTION_FAILED'],
  ])('maps %s to %s', (name, code) => {
    const e = new DOMException('x', name);
    expect(mediaErrorFrom(e)).toMatchObject({ code, cause: e });
  });

  it('getLocalMedia rejects with a FluxError, never the raw exception', async () => {
    const mediaDevices = {
      getUserMedia: () => Promise.reject(new DOMException('denied', 'NotAllowedError')),
    };
    await expect(getLocalMedia({ mediaDevices })).rejects.toMatchObject({
      name: 'FluxError',
      code: 'FLX_ERR_MEDIA_PERMISSION_DENIED',
    });
  });

  it('getLocalMedia asks for audio only when told', async () => {
    let asked: MediaStreamConstraints | undefined;
    const mediaDevices = {
      getUserMedia: (c?: MediaStreamConstraints) => {
        asked = c;
        return Promise.resolve({} as MediaStream);
      },
    };
    await getLocalMedia({ audioOnly: true, mediaDevices });
    expect(asked?.video).toBe(false);
    expect(asked?.audio).toBeTruthy();
  });
});

describe('summarizeStats', () => {
  it('sums inbound counters and finds the selected candidate pair', () => {
    const entries = [
      {
        id: 'v',
        type: 'inbound-rtp',
        kind: 'video',
        framesDecoded: 30,
        packetsReceived: 40,
        bytesReceived: 9,
      },
      { id: 'a', type: 'inbound-rtp', kind: 'audio', packetsReceived: 50, bytesReceived: 7 },
      { id: 'o', type: 'outbound-rtp', kind: 'audio', packetsSent: 5 },
      { id: 't', type: 'transport', selectedCandidatePairId: 'p' },
      {
        id: 'p',
        type: 'candidate-pair',
        localCandidateId: 'l',
        remoteCandidateId: 'r',
        currentRoundTripTime: 0.01,
      },
      { id: 'l', type: 'local-candidate', candidateType: 'relay', protocol: 'udp' },
      { id: 'r', type: 'remote-candidate', candidateType: 'host' },
    ];
    const report = new Map(entries.map((e) => [e.id, e])) as unknown as RTCStatsReport;
    const s = summarizeStats(report);
    expect(s.video.framesDecoded).toBe(30);
    expect(s.audio).toEqual({ packetsReceived: 50, bytesReceived: 7, packetsSent: 5 });
    expect(s.candidatePair).toEqual({
      localType: 'relay',
      remoteType: 'host',
      protocol: 'udp',
      currentRoundTripTime: 0.01,
    });
  });
});

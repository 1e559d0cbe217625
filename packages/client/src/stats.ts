import type { CallStats } from './types.ts';

type Entry = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Summarises an RTCStatsReport: inbound video frames decoded, inbound audio packets, outbound
 * counts, and the selected candidate pair's candidate types.
 * @public
 */
export function summarizeStats(report: RTCStatsReport | null): CallStats {
  const out: CallStats = {
    video: { framesDecoded: 0, packetsReceived: 0, bytesReceived: 0, framesSent: 0 },
    audio: { packetsReceived: 0, bytesReceived: 0, packetsSent: 0 },
    candidatePair: null,
    report,
  };
  if (!report) return out;
  const byId = new Map<string, Entry>();
  report.forEach((s: Entry) => byId.set(String(s.id), s));
  let selectedPairId: string | null = null;
  for (const s of byId.values()) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      selectedPairId = s.selectedCandidatePairId;
    }
  }
  for (const s of byId.values()) {
    const kind = s.kind ?? s.mediaType;
    if (s.type === 'inbound-rtp' && kind === 'video') {
      out.video.framesDecoded += num(s.framesDecoded);
      out.video.packetsReceived += num(s.packetsReceived);
      out.video.bytesReceived += num(s.bytesReceived);
    } else if (s.type === 'inbound-rtp' && kind === 'audio') {
      out.audio.packetsReceived += num(s.packetsReceived);
      out.audio.bytesReceived += num(s.bytesReceived);
    } else if (s.type === 'outbound-rtp' && kind === 'video') {
      out.video.framesSent += num(s.framesSent);
    } else if (s.type === 'outbound-rtp' && kind === 'audio') {
      out.audio.packetsSent += num(s.packetsSent);
    } else if (
      s.type === 'candidate-pair' &&
      selectedPairId === null &&
      (s.selected === true || (s.nominated === true && s.state === 'succeeded'))
    ) {
      selectedPairId = String(s.id);
    }
  }
  const pair = selectedPairId ? byId.get(selectedPairId) : undefined;
  if (pair) {
    const local = byId.get(String(pair.localCandidateId));
    const remote = byId.get(String(pair.remoteCandidateId));
    out.candidatePair = {
      localType: str(local?.candidateType),
      remoteType: str(remote?.candidateType),
      protocol: str(local?.protocol),
      currentRoundTripTime:
        typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : null,
    };
  }
  return out;
}

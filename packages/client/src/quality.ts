/**
 * How well the call's media gets through, judged from the peer connection's own statistics,
 * so that both people can be told when the picture may freeze or the sound break up, and why.
 *
 * Every `QUALITY_INTERVAL_MS` the session reads a `QualitySample` (cumulative counters) and
 * compares it with the one before: the window's packet loss each way, for audio and video
 * (what this browser received; what the other browser reported receiving from it, in its RTCP
 * receiver reports, so no signaling is needed), and the connection's round trip. Both sides of a call see the
 * same link, so both reach the same judgement. A `QualityMeter` turns windows into a steady
 * reading: *poor* after two poor windows in a row, *good* again after three good ones, so
 * that one lost burst does not make it blink.
 */

import type { LinkQuality } from '@flux/protocol';

/**
 * What the call UIs show and each side reports (`call.quality`): `poor` means a weak
 * connection, the media may stall. @public
 */
export type { LinkQuality };

/** How often the session reads the statistics while the call is up (ms). */
export const QUALITY_INTERVAL_MS = 2000;
/** A window with this share of packets lost, either way, is poor (audio breaks up above it). */
export const POOR_LOSS = 0.08;
/** A window whose round trip is this long or longer is poor (people talk over each other). */
export const POOR_RTT_S = 0.6;
/** Fewer packets than this in a window say nothing about a stream's loss. */
const MIN_PACKETS = 20;

/**
 * Cumulative counters read from one stats report, per direction and kind (`in audio`,
 * `out video`, …): packets, and how many of them were lost. Inbound: what this browser expected
 * and lost. Outbound: what it sent, and what the other browser reported lost of it. Audio and
 * video are kept apart: video's retransmissions can hide its losses, audio's are never
 * retransmitted, so a lossy link shows in the audio whatever the video says.
 */
export interface QualitySample {
  streams: Record<string, { packets: number; lost: number }>;
  /** The selected candidate pair's current round trip (s), or null before one is known. */
  rtt: number | null;
}

type Entry = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Reads the counters of a `QualitySample` from a stats report. */
export function qualitySample(report: RTCStatsReport): QualitySample {
  const streams: QualitySample['streams'] = {};
  const add = (key: string, packets: number, lost: number): void => {
    const s = (streams[key] ??= { packets: 0, lost: 0 });
    s.packets += packets;
    s.lost += lost;
  };
  const entries: Entry[] = [];
  report.forEach((s: Entry) => entries.push(s));
  let pairId: string | null = null;
  const pairs = new Map<string, Entry>();
  for (const s of entries) {
    const kind = String(s.kind ?? s.mediaType);
    const lost = Math.max(0, num(s.packetsLost));
    if (s.type === 'inbound-rtp') add(`in ${kind}`, num(s.packetsReceived) + lost, lost);
    else if (s.type === 'outbound-rtp') add(`out ${kind}`, num(s.packetsSent), 0);
    else if (s.type === 'remote-inbound-rtp') add(`out ${kind}`, 0, lost);
    else if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      pairId = s.selectedCandidatePairId;
    } else if (s.type === 'candidate-pair') pairs.set(String(s.id), s);
  }
  let pair = pairId === null ? undefined : pairs.get(pairId);
  pair ??= [...pairs.values()].find((p) => p.selected === true || p.nominated === true);
  const rtt = typeof pair?.currentRoundTripTime === 'number' ? pair.currentRoundTripTime : null;
  return { streams, rtt };
}

/** One window's figures: the worst loss of any direction and kind, and the round trip. */
export interface QualityWindow {
  /** The share of packets lost (null when no stream had enough packets to say), and where. */
  loss: number | null;
  worst: string | null;
  rtt: number | null;
  poor: boolean;
  /**
   * Nothing came in: no incoming stream got a single packet in the window (there was one
   * before). The path may be dead, as after a network change, some seconds before the browser
   * says so; or the other side stopped sending, which the session cannot tell apart.
   */
  silent: boolean;
}

/** The window between two samples, and whether it was poor. */
export function qualityWindow(before: QualitySample, after: QualitySample): QualityWindow {
  let loss: number | null = null;
  let worst: string | null = null;
  let incoming = 0;
  let arrived = 0;
  for (const [key, a] of Object.entries(after.streams)) {
    const b = before.streams[key];
    if (!b) continue;
    const packets = a.packets - b.packets;
    if (key.startsWith('in ')) {
      incoming++;
      if (packets > 0) arrived++;
    }
    if (packets < MIN_PACKETS) continue;
    const share = Math.min(1, Math.max(0, a.lost - b.lost) / packets);
    if (loss === null || share > loss) {
      loss = share;
      worst = key;
    }
  }
  const rtt = after.rtt;
  const poor = (loss ?? 0) >= POOR_LOSS || (rtt ?? 0) >= POOR_RTT_S;
  return { loss, worst, rtt, poor, silent: incoming > 0 && arrived === 0 };
}

/** Turns windows into a steady reading: poor after 2 poor windows in a row, good after 3 good. */
export class QualityMeter {
  #quality: LinkQuality = 'good';
  #run = 0;

  get quality(): LinkQuality {
    return this.#quality;
  }

  /** Adds a window; returns the reading after it. */
  push(poor: boolean): LinkQuality {
    const against = poor === (this.#quality === 'good');
    this.#run = against ? this.#run + 1 : 0;
    if (this.#run >= (poor ? 2 : 3)) {
      this.#quality = poor ? 'poor' : 'good';
      this.#run = 0;
    }
    return this.#quality;
  }
}

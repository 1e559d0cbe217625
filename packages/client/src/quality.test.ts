import { describe, expect, it } from 'vitest';
import { QualityMeter, qualitySample, qualityWindow, type QualitySample } from './quality.ts';

/** A stats report as a browser gives it: a map of entries by id. */
function report(entries: Record<string, unknown>[]): RTCStatsReport {
  return new Map(entries.map((e) => [String(e.id), e]));
}

/** A sample with these streams' counters (packets, lost) and a round trip. */
const sample = (
  streams: Record<string, [number, number]>,
  rtt: number | null = 0.02,
): QualitySample => ({
  streams: Object.fromEntries(
    Object.entries(streams).map(([k, [packets, lost]]) => [k, { packets, lost }]),
  ),
  rtt,
});

describe('qualitySample', () => {
  it('keeps each direction and kind apart and takes the selected pair’s round trip', () => {
    const s = qualitySample(
      report([
        { id: 'ia', type: 'inbound-rtp', kind: 'audio', packetsReceived: 490, packetsLost: 10 },
        { id: 'iv', type: 'inbound-rtp', kind: 'video', packetsReceived: 900, packetsLost: 30 },
        { id: 'oa', type: 'outbound-rtp', kind: 'audio', packetsSent: 510 },
        // simulcast layers add up
        { id: 'ov1', type: 'outbound-rtp', kind: 'video', packetsSent: 600 },
        { id: 'ov2', type: 'outbound-rtp', kind: 'video', packetsSent: 400 },
        { id: 'ra', type: 'remote-inbound-rtp', kind: 'audio', packetsLost: 5 },
        { id: 'rv', type: 'remote-inbound-rtp', kind: 'video', packetsLost: 45 },
        { id: 'T', type: 'transport', selectedCandidatePairId: 'p2' },
        { id: 'p1', type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.9 },
        { id: 'p2', type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.12 },
      ]),
    );
    expect(s).toEqual(
      sample(
        {
          'in audio': [500, 10],
          'in video': [930, 30],
          'out audio': [510, 5],
          'out video': [1000, 45],
        },
        0.12,
      ),
    );
  });

  it('knows no round trip before a pair is chosen, and reads nonsense counters as none', () => {
    const s = qualitySample(
      report([
        { id: 'ia', type: 'inbound-rtp', kind: 'audio', packetsReceived: 'x', packetsLost: -3 },
        { id: 'p', type: 'candidate-pair', state: 'in-progress', currentRoundTripTime: 0.3 },
      ]),
    );
    expect(s).toEqual(sample({ 'in audio': [0, 0] }, null));
  });
});

describe('qualityWindow', () => {
  it('is good on a clean link', () => {
    const w = qualityWindow(
      sample({ 'in audio': [1000, 0], 'out video': [1000, 0] }),
      sample({ 'in audio': [1100, 0], 'out video': [1290, 0] }),
    );
    expect(w).toEqual({ loss: 0, worst: 'in audio', rtt: 0.02, poor: false, silent: false });
  });

  it('is silent when no incoming stream got a packet, whatever went out', () => {
    const w = (a: Record<string, [number, number]>, b: Record<string, [number, number]>) =>
      qualityWindow(sample(a), sample(b)).silent;
    expect(
      w(
        { 'in audio': [1000, 0], 'in video': [900, 0], 'out audio': [1000, 0] },
        { 'in audio': [1000, 0], 'in video': [900, 0], 'out audio': [1100, 0] },
      ),
    ).toBe(true);
    // one packet of one stream is enough to say the path carries
    expect(
      w(
        { 'in audio': [1000, 0], 'in video': [900, 0] },
        { 'in audio': [1001, 0], 'in video': [900, 0] },
      ),
    ).toBe(false);
    // nothing to tell by: no incoming stream, or one that just started
    expect(w({ 'out audio': [1000, 0] }, { 'out audio': [1000, 0] })).toBe(false);
    expect(w({}, { 'in audio': [0, 0] })).toBe(false);
  });

  it('is poor when 8 % or more of any stream is lost, whichever way', () => {
    const w = (a: Record<string, [number, number]>, b: Record<string, [number, number]>) =>
      qualityWindow(sample(a), sample(b));
    expect(w({ 'in audio': [1000, 5] }, { 'in audio': [1100, 13] })).toMatchObject({
      loss: 0.08,
      worst: 'in audio',
      poor: true,
    });
    // what the other browser reported losing of ours
    expect(w({ 'out audio': [1000, 0] }, { 'out audio': [1100, 7] })).toMatchObject({
      loss: 0.07,
      poor: false,
    });
    // a lossy audio stream is not hidden by a clean video stream with more packets
    expect(
      w(
        { 'in audio': [1000, 0], 'in video': [5000, 0] },
        { 'in audio': [1100, 15], 'in video': [5600, 0] },
      ),
    ).toMatchObject({ loss: 0.15, worst: 'in audio', poor: true });
  });

  it('is poor on a round trip of 600 ms or more', () => {
    expect(qualityWindow(sample({}), sample({}, 0.59)).poor).toBe(false);
    expect(qualityWindow(sample({}), sample({}, 0.6)).poor).toBe(true);
  });

  it('says nothing of a stream with too few packets, or one that just started', () => {
    const w = qualityWindow(
      sample({ 'in audio': [100, 0] }),
      sample({ 'in audio': [119, 9], 'in video': [500, 100] }),
    );
    expect(w).toMatchObject({ loss: null, worst: null, poor: false });
  });
});

describe('QualityMeter', () => {
  it('turns poor after two poor windows in a row and good after three good ones', () => {
    const m = new QualityMeter();
    const seen = [true, false, true, true, false, false, true, false, false, false].map((poor) =>
      m.push(poor),
    );
    expect(seen).toEqual([
      'good', // one poor window is a burst
      'good',
      'good',
      'poor', // the second in a row
      'poor',
      'poor',
      'poor', // a poor one starts the count of good ones again
      'poor',
      'poor',
      'good', // the third good one in a row
    ]);
    expect(m.quality).toBe('good');
  });
});

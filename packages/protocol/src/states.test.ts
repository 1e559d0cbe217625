import { describe, expect, it } from 'vitest';
import { CALL_STATUSES, CALL_TRANSITIONS, canTransition, type CallStatus } from './states.ts';

const allowed: [CallStatus, CallStatus][] = [
  ['requested', 'ringing'],
  ['requested', 'ended'],
  ['ringing', 'connected'],
  ['ringing', 'ended'],
  ['connected', 'ended'],
];

describe('call status transition table', () => {
  it('allows exactly the lifecycle moves, for every (from, to) pair', () => {
    for (const from of CALL_STATUSES) {
      for (const to of CALL_STATUSES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });
  it('makes ended terminal and lets every other status end', () => {
    expect(CALL_TRANSITIONS.ended).toEqual([]);
    for (const s of CALL_STATUSES) if (s !== 'ended') expect(canTransition(s, 'ended')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { CALL_SESSION_TRANSITIONS, canCallSessionTransition, isReachable } from './callMachine.ts';
import type { CallState } from './types.ts';

const STATES = Object.keys(CALL_SESSION_TRANSITIONS) as CallState[];
const ALLOWED = new Set([
  'idle>requesting',
  'idle>ringing',
  'idle>ended',
  'requesting>ringing',
  'requesting>ended',
  'ringing>connecting',
  'ringing>ended',
  'connecting>active',
  'connecting>ended',
  'active>reconnecting',
  'active>ended',
  'reconnecting>active',
  'reconnecting>ended',
]);

describe('call session state machine', () => {
  it.each(STATES.flatMap((from) => STATES.map((to) => [from, to] as const)))(
    '%s → %s follows the table',
    (from, to) => {
      expect(canCallSessionTransition(from, to)).toBe(ALLOWED.has(`${from}>${to}`));
    },
  );

  it('reaches ended from every state; ended is terminal', () => {
    for (const s of STATES) expect(isReachable(s, 'ended')).toBe(true);
    expect(CALL_SESSION_TRANSITIONS.ended).toEqual([]);
    expect(isReachable('active', 'ringing')).toBe(false);
    expect(isReachable('reconnecting', 'active')).toBe(true);
  });
});

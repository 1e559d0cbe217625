/*
 * The client-side state machine of one call.
 *
 *   idle ─▶ requesting ─▶ ringing ─▶ connecting ─▶ active ◀─▶ reconnecting
 *    │          │            │            │           │             │
 *    │          └────────────┴────────────┴───────────┴─────────────┴─▶ ended
 *    └─────────────────────────▶ ringing (agent: prepared from call.incoming)      (terminal,
 *                                                                                  has reason)
 *
 * Visitor: idle → requesting (offer ready, call.request sent) → ringing (acked)
 *          → connecting (the accepting console's signal, or the record's call.state
 *          connected) → active (the record says connected and the media is).
 * Agent:   idle → ringing (call.incoming, preparing the answer) → connecting (accept sent)
 *          → active.
 * active ⇄ reconnecting follows the peer connection (ICE restart on failure).
 */
import type { CallState } from './types.ts';

/** Allowed moves of a CallSession. @public */
export const CALL_SESSION_TRANSITIONS = {
  idle: ['requesting', 'ringing', 'ended'],
  requesting: ['ringing', 'ended'],
  ringing: ['connecting', 'ended'],
  connecting: ['active', 'ended'],
  active: ['reconnecting', 'ended'],
  reconnecting: ['active', 'ended'],
  ended: [],
} as const satisfies Record<CallState, readonly CallState[]>;

/** True when a session may move from `from` to `to`. @public */
export function canCallSessionTransition(from: CallState, to: CallState): boolean {
  return (CALL_SESSION_TRANSITIONS[from] as readonly CallState[]).includes(to);
}

/** True when `to` can still be reached from `from` (or is `from`). @internal */
export function isReachable(from: CallState, to: CallState): boolean {
  if (from === to) return true;
  const seen = new Set<CallState>([from]);
  const queue: CallState[] = [from];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const next of CALL_SESSION_TRANSITIONS[s] as readonly CallState[]) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

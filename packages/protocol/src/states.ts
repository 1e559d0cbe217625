/*
 * The call lifecycle, as stored by the server and followed by both clients.
 *
 *   requested ──▶ ringing ──▶ connected ──▶ ended
 *       │            │                       ▲
 *       └────────────┴───────────────────────┘   (ended always carries an EndReason)
 *
 * requested: the visitor asked; the agent is reserved; the ring has not reached a console yet.
 * ringing:   at least one of the agent's consoles shows the call.
 * connected: the agent accepted; media flows (or is being (re)established).
 * ended:     terminal.
 */

/** Server-side status of a call record. @public */
export const CALL_STATUSES = ['requested', 'ringing', 'connected', 'ended'] as const;
/** @public */
export type CallStatus = (typeof CALL_STATUSES)[number];

/** Allowed moves of a call record; `ended` is terminal. @public */
export const CALL_TRANSITIONS = {
  requested: ['ringing', 'ended'],
  ringing: ['connected', 'ended'],
  connected: ['ended'],
  ended: [],
} as const satisfies Record<CallStatus, readonly CallStatus[]>;

/** True when a call may move from `from` to `to`. @public */
export function canTransition(from: CallStatus, to: CallStatus): boolean {
  return (CALL_TRANSITIONS[from] as readonly CallStatus[]).includes(to);
}

/**
 * Why a call ended; recorded on every ended call.
 * - declined: the agent declined while ringing
 * - missed: nobody answered within the channel's ring timeout
 * - cancelled: the visitor hung up while it was ringing
 * - visitor_hangup / agent_hangup: hung up after it was connected
 * - failed: it could not go on (see `endDetail` for why)
 * - lost: both sides went away and did not come back
 * @public
 */
export const END_REASONS = [
  'declined',
  'missed',
  'cancelled',
  'visitor_hangup',
  'agent_hangup',
  'failed',
  'lost',
] as const;
/** @public */
export type EndReason = (typeof END_REASONS)[number];

/** Status an agent sets on their account settings page (the spec's `status`). @public */
export const AGENT_STATUSES = ['online', 'offline'] as const;
/** @public */
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/**
 * What the server derives for an agent: `available` = status online, a console connected,
 * not in a call; `busy` = online and connected but ringing or in a call; `offline` otherwise.
 * @public
 */
export type AgentAvailability = 'available' | 'busy' | 'offline';

/** Roles of a signed-in user of a channel. @public */
export const USER_ROLES = ['agent', 'admin'] as const;
/** @public */
export type UserRole = (typeof USER_ROLES)[number];

/**
 * The hot path of a call's life in storage: what every call setup reads and writes
 * (reserve the agent and create the call, each status move, the agent's own row, the
 * channel, the missed-calls count). Each adapter implements it with the dialect's own SQL,
 * prepared once, instead of building every query with Kysely:
 *
 * - SQLite (`SqliteHotPath`): better-sqlite3 statements prepared once; every write goes
 *   through a group commit (`GroupCommit`: the writes of one event-loop turn share one
 *   transaction and one fsync, and each caller is answered after the COMMIT);
 * - PostgreSQL (`PostgresHotPath`): named (server-side prepared) statements, one round trip
 *   per operation (CTEs that update, insert and return the call in one statement).
 *
 * KyselyStorage delegates these methods of the Storage port here; everything else stays on
 * its Kysely query layer.
 */
import type { AgentStatus, Call, CallStatus, EndReason, User } from '@flux/protocol';
import {
  ENDED_AGENT,
  type MovedCall,
  type NewCall,
  type ReserveResult,
  type StoredChannel,
} from '../Storage.ts';
import type { Row } from '../kysely/rows.ts';

export interface HotPath {
  reserveAgentAndCreateCall(input: NewCall): Promise<ReserveResult>;
  transitionCall(
    callId: string,
    to: CallStatus,
    at: Date,
    end?: { reason: EndReason; detail?: string | null },
  ): Promise<MovedCall | null>;
  getCall(id: string): Promise<Call | null>;
  getUser(id: string): Promise<User | null>;
  getChannel(id: string): Promise<StoredChannel | null>;
  getAgentCurrentCall(agentId: string): Promise<string | null>;
  bumpMissedCalls(agentId: string, reset: boolean): Promise<number>;
  /** Waits for queued writes (SQLite) before the connection closes. */
  close(): Promise<void>;
}

/** The statuses a call may move to `to` from (the transition table, as SQL literals). */
export function fromStatusesSql(from: readonly CallStatus[]): string {
  return from.map((s) => `'${s}'`).join(', ');
}

/**
 * Column lists of the rows the hot path returns, named rather than `*`: a prepared statement
 * keeps returning the same shape when a later migration adds a column (PostgreSQL refuses to
 * run a cached plan whose result type changed).
 */
export const CALL_COLUMNS = [
  'id',
  'channel_id',
  'agent_id',
  'status',
  'requested_at',
  'ringing_at',
  'connected_at',
  'ended_at',
  'end_reason',
  'end_detail',
  'page_url',
  'visitor',
  'unknown_product_ids',
  'rating',
  'notes',
  'visitor_weak_ms',
  'visitor_weak_since',
  'agent_weak_ms',
  'agent_weak_since',
  'weak_link',
] as const;

export const USER_COLUMNS = [
  'id',
  'channel_id',
  'email',
  'name',
  'role',
  'password_hash',
  'status',
  'tags',
  'profile_photo_url',
  'active',
  'current_call_id',
  'missed_in_a_row',
  'created_at',
] as const;

export const CHANNEL_COLUMNS = [
  'id',
  'slug',
  'name',
  'settings',
  'allow_localhost',
  'created_at',
] as const;

/** `alias.col, alias.col, …` */
export const cols = (list: readonly string[], alias?: string): string =>
  list.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');

/**
 * The row of a call just reserved (status requested, or ringing when the caller rings at
 * once), as both databases store it.
 */
export function requestedCallRow(id: string, input: NewCall): Row<'calls'> {
  return {
    id,
    channel_id: input.channelId,
    agent_id: input.agentId,
    status: input.ringing ? 'ringing' : 'requested',
    requested_at: input.at.getTime(),
    ringing_at: input.ringing ? input.at.getTime() : null,
    connected_at: null,
    ended_at: null,
    end_reason: null,
    end_detail: null,
    page_url: input.pageUrl,
    visitor: JSON.stringify(input.visitor),
    unknown_product_ids: JSON.stringify(input.unknownProductIds),
    rating: null,
    notes: '',
    visitor_weak_ms: 0,
    visitor_weak_since: null,
    agent_weak_ms: 0,
    agent_weak_since: null,
    weak_link: 0,
  };
}

/** Marks an ended call with its agent's status and active flag read in the same write. */
export function withEndedAgent(
  call: Call,
  agent: { agent_status: string; agent_active: number | boolean },
): MovedCall {
  const moved: MovedCall = call;
  moved[ENDED_AGENT] = {
    status: agent.agent_status as AgentStatus,
    active: Boolean(agent.agent_active),
  };
  return moved;
}

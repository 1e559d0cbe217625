import type { User } from '@flux/protocol';

/**
 * Who can take a call now. An agent is available when their status is `online`, their
 * account is active, at least one of their consoles is connected, and they are not
 * reserved for a call. The realtime module implements this (in memory on one process,
 * Redis-backed across processes); REST routes only read it and report changes.
 */
export interface Presence {
  /** Agents of the channel who can take a call now, ordered by name. */
  availableAgents(channelId: string): Promise<User[]>;
  /** Tell subscribers that an agent's profile or status may have changed (REST writes call this). */
  agentChanged(channelId: string, agentId: string): void;
}

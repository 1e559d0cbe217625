/**
 * The bus connects the server processes that serve one channel: publish/subscribe on topics,
 * a small key-value store for call routes, and the count of each agent's console sockets per
 * process. One process without REDIS_URL uses MemoryBus; several processes share a RedisBus.
 *
 * Topics (the realtime module's, see modules/realtime/topics.ts):
 *   node:<nodeId>        messages for sessions held by one process
 *   agent:<agentId>      messages for every console of an agent
 *   channel:<channelId>  presence changes and callbacks of a channel
 */

/** What travels on a topic: a small JSON-serialisable object. */
export type BusMessage = Record<string, unknown>;
export type BusHandler = (message: BusMessage) => void;

export interface Bus {
  /** This process's id, unique among live processes. */
  readonly nodeId: string;
  readonly kind: 'memory' | 'redis';
  /** Delivers to every subscriber of the topic on every process (this one included). */
  publish(topic: string, message: BusMessage): void;
  /** Subscribes; the returned function unsubscribes. Several handlers per topic are fine. */
  subscribe(topic: string, handler: BusHandler): Promise<() => void>;

  /** Key-value with expiry (seconds). */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets only when absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  get(key: string): Promise<string | null>;
  del(...keys: string[]): Promise<void>;
  /** Appends to a list (expiry refreshed). */
  push(key: string, value: string, ttlSeconds: number): Promise<void>;
  list(key: string): Promise<string[]>;

  /** Records how many console sockets of `agentId` this process holds. */
  setConsoleCount(agentId: string, count: number): Promise<void>;
  /** Console sockets per agent across live processes. */
  consoleCounts(agentIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * When each process was last seen alive (epoch ms), for the processes that wrote a
   * heartbeat; a process is alive when its last beat is recent.
   */
  nodeLastSeen(nodeIds: readonly string[]): Promise<Map<string, number>>;
  /** Interval (ms) at which a live process refreshes its heartbeat. */
  readonly heartbeatMs: number;

  close(): Promise<void>;
}

/**
 * The call hot path on SQLite: reads through better-sqlite3 statements prepared once on the
 * main connection; writes as jobs for the group commit (`GroupCommit`, `sqliteWriter.ts`):
 * the writes queued while a batch commits go as the next batch, one transaction and one
 * fsync, in a worker thread with its own connection for a database file. No write reads its
 * row back: `UPDATE … RETURNING *`.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Call, CallStatus, EndReason, User } from '@flux/protocol';
import type { MovedCall, NewCall, ReserveResult, StoredChannel } from '../Storage.ts';
import { newId, toCall, toChannel, toProduct, toUser, type Row } from '../kysely/rows.ts';
import { GroupCommit, type GroupCommitOptions } from './GroupCommit.ts';
import { requestedCallRow, withEndedAgent, type HotPath } from './HotPath.ts';
import {
  InThreadExecutor,
  WorkerExecutor,
  type ReserveOutcome,
  type TransitionOutcome,
} from './sqliteWriter.ts';

/** A synchronous read as a promise (an error rejects it rather than throwing). */
function read<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}

/** The reads, prepared once (on first use: the tables exist after migrate). */
class Reads {
  readonly callProducts: BetterSqlite3.Statement<[string], Row<'products'>>;
  readonly call: BetterSqlite3.Statement<[string], Row<'calls'> & { agent_name: string }>;
  readonly user: BetterSqlite3.Statement<[string], Row<'users'>>;
  readonly channel: BetterSqlite3.Statement<[string], Row<'channels'>>;
  readonly currentCall: BetterSqlite3.Statement<[string], { current_call_id: string | null }>;

  constructor(db: BetterSqlite3.Database) {
    this.callProducts = db.prepare(
      `SELECT products.* FROM call_products
       JOIN products ON products.id = call_products.product_id
       WHERE call_products.call_id = ? ORDER BY call_products.position`,
    );
    this.call = db.prepare(
      `SELECT calls.*, users.name AS agent_name FROM calls
       JOIN users ON users.id = calls.agent_id WHERE calls.id = ?`,
    );
    this.user = db.prepare('SELECT * FROM users WHERE id = ?');
    this.channel = db.prepare('SELECT * FROM channels WHERE id = ?');
    this.currentCall = db.prepare('SELECT current_call_id FROM users WHERE id = ?');
  }
}

export interface SqliteHotPathOptions extends GroupCommitOptions {
  /** The database file (`:memory:`: writes on the main connection, no worker). */
  file: string;
  /** The worker connection's `synchronous` (the adapter's setting). */
  synchronous?: 'FULL' | 'NORMAL';
}

export class SqliteHotPath implements HotPath {
  readonly commit: GroupCommit;
  readonly #db: BetterSqlite3.Database;
  #reads: Reads | null = null;

  constructor(db: BetterSqlite3.Database, opts: SqliteHotPathOptions) {
    this.#db = db;
    this.commit = new GroupCommit(
      opts.file === ':memory:'
        ? new InThreadExecutor(db)
        : new WorkerExecutor(opts.file, opts.synchronous),
      opts,
    );
  }

  get #r(): Reads {
    return (this.#reads ??= new Reads(this.#db));
  }

  async reserveAgentAndCreateCall(input: NewCall): Promise<ReserveResult> {
    const callId = newId();
    const productIds = [...new Set(input.productIds)];
    const row = requestedCallRow(callId, input);
    const out = (await this.commit.run({
      op: 'reserve',
      callId,
      agentId: input.agentId,
      channelId: input.channelId,
      status: input.ringing ? 'ringing' : 'requested',
      at: row.requested_at,
      ringingAt: row.ringing_at,
      pageUrl: row.page_url,
      visitor: row.visitor,
      unknownProductIds: row.unknown_product_ids,
      productIds,
    })) as ReserveOutcome;
    if (!out.ok) return { ok: false, reason: out.exists ? 'busy' : 'not_found' };
    return { ok: true, call: toCall(row, out.agentName, out.products.map(toProduct)) };
  }

  async transitionCall(
    callId: string,
    to: CallStatus,
    at: Date,
    end?: { reason: EndReason; detail?: string | null },
  ): Promise<MovedCall | null> {
    if (to === 'ended' && !end) throw new Error('transitionCall: ended needs an end reason');
    const out = (await this.commit.run({
      op: 'transition',
      to,
      callId,
      at: at.getTime(),
      reason: to === 'ended' ? (end?.reason ?? null) : null,
      detail: to === 'ended' ? (end?.detail ?? null) : null,
    })) as TransitionOutcome;
    if (!out) return null;
    const call = toCall(out.row, out.agentName, out.products.map(toProduct));
    return out.agent ? withEndedAgent(call, out.agent) : call;
  }

  async bumpMissedCalls(agentId: string, reset: boolean): Promise<number> {
    return (await this.commit.run({ op: 'misses', agentId, reset })) as number;
  }

  // reads run at once on the main connection: they see what is committed

  getCall(id: string): Promise<Call | null> {
    return read(() => {
      const row = this.#r.call.get(id);
      return row ? toCall(row, row.agent_name, this.#r.callProducts.all(id).map(toProduct)) : null;
    });
  }

  getUser(id: string): Promise<User | null> {
    return read(() => {
      const row = this.#r.user.get(id);
      return row ? toUser(row) : null;
    });
  }

  getChannel(id: string): Promise<StoredChannel | null> {
    return read(() => {
      const row = this.#r.channel.get(id);
      return row ? toChannel(row) : null;
    });
  }

  getAgentCurrentCall(agentId: string): Promise<string | null> {
    return read(() => this.#r.currentCall.get(agentId)?.current_call_id ?? null);
  }

  close(): Promise<void> {
    return this.commit.close();
  }
}

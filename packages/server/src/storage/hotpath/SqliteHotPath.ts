/**
 * The call hot path on SQLite: better-sqlite3 statements prepared once per connection, every
 * write through the group commit (one transaction and one fsync per event-loop turn), and no
 * read-back of a row a statement can return itself (`UPDATE … RETURNING *`).
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CALL_STATUSES,
  canTransition,
  type Call,
  type CallStatus,
  type EndReason,
  type Product,
  type User,
} from '@flux/protocol';
import type { NewCall, ReserveResult, StoredChannel } from '../Storage.ts';
import {
  newId,
  STATUS_COLUMN,
  toCall,
  toChannel,
  toProduct,
  toUser,
  type Row,
} from '../kysely/rows.ts';
import { GroupCommit, type GroupCommitOptions } from './GroupCommit.ts';
import { fromStatusesSql, type HotPath } from './HotPath.ts';

type ProductRow = Row<'products'>;

/** A synchronous read as a promise (an error rejects it rather than throwing). */
function read<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn());
  });
}

/** The hot path's statements, prepared once (on first use: the tables exist after migrate). */
class Statements {
  readonly reserve: BetterSqlite3.Statement<[string, string, string], { name: string }>;
  readonly agentInChannel: BetterSqlite3.Statement<[string, string], { id: string }>;
  readonly insertCall: BetterSqlite3.Statement;
  readonly insertCallProduct: BetterSqlite3.Statement<[string, number, string]>;
  readonly callProducts: BetterSqlite3.Statement<[string], ProductRow>;
  readonly transition: Map<CallStatus, BetterSqlite3.Statement<unknown[], Row<'calls'>>>;
  readonly release: BetterSqlite3.Statement<[string, string]>;
  readonly agentName: BetterSqlite3.Statement<[string], { name: string }>;
  readonly call: BetterSqlite3.Statement<[string], Row<'calls'> & { agent_name: string }>;
  readonly user: BetterSqlite3.Statement<[string], Row<'users'>>;
  readonly channel: BetterSqlite3.Statement<[string], Row<'channels'>>;
  readonly currentCall: BetterSqlite3.Statement<[string], { current_call_id: string | null }>;
  readonly missesReset: BetterSqlite3.Statement<[string], { missed_in_a_row: number }>;
  readonly missesBump: BetterSqlite3.Statement<[string], { missed_in_a_row: number }>;

  constructor(db: BetterSqlite3.Database) {
    this.reserve = db.prepare(
      `UPDATE users SET current_call_id = ?
       WHERE id = ? AND channel_id = ? AND current_call_id IS NULL
         AND status = 'online' AND active = 1
       RETURNING name`,
    );
    this.agentInChannel = db.prepare('SELECT id FROM users WHERE id = ? AND channel_id = ?');
    this.insertCall = db.prepare(
      `INSERT INTO calls (id, channel_id, agent_id, status, requested_at, ringing_at,
         connected_at, ended_at, end_reason, end_detail, page_url, visitor, unknown_product_ids,
         rating, notes)
       VALUES (?, ?, ?, 'requested', ?, NULL, NULL, NULL, NULL, NULL, ?, ?, ?, NULL, '')`,
    );
    this.insertCallProduct = db.prepare(
      'INSERT INTO call_products (call_id, position, product_id) VALUES (?, ?, ?)',
    );
    this.callProducts = db.prepare(
      `SELECT products.* FROM call_products
       JOIN products ON products.id = call_products.product_id
       WHERE call_products.call_id = ? ORDER BY call_products.position`,
    );
    this.transition = new Map(
      CALL_STATUSES.map((to) => {
        const from = CALL_STATUSES.filter((s) => canTransition(s, to));
        const end = to === 'ended' ? ', end_reason = ?, end_detail = ?' : '';
        // a status nothing moves to gets a statement that matches no row
        const where = from.length > 0 ? `status IN (${fromStatusesSql(from)})` : '0';
        return [
          to,
          db.prepare(
            `UPDATE calls SET status = '${to}', ${STATUS_COLUMN[to]} = ?${end}
             WHERE id = ? AND ${where} RETURNING *`,
          ),
        ];
      }),
    );
    this.release = db.prepare(
      'UPDATE users SET current_call_id = NULL WHERE id = ? AND current_call_id = ?',
    );
    this.agentName = db.prepare('SELECT name FROM users WHERE id = ?');
    this.call = db.prepare(
      `SELECT calls.*, users.name AS agent_name FROM calls
       JOIN users ON users.id = calls.agent_id WHERE calls.id = ?`,
    );
    this.user = db.prepare('SELECT * FROM users WHERE id = ?');
    this.channel = db.prepare('SELECT * FROM channels WHERE id = ?');
    this.currentCall = db.prepare('SELECT current_call_id FROM users WHERE id = ?');
    this.missesReset = db.prepare(
      'UPDATE users SET missed_in_a_row = 0 WHERE id = ? RETURNING missed_in_a_row',
    );
    this.missesBump = db.prepare(
      'UPDATE users SET missed_in_a_row = missed_in_a_row + 1 WHERE id = ? RETURNING missed_in_a_row',
    );
  }
}

export class SqliteHotPath implements HotPath {
  readonly commit: GroupCommit;
  readonly #db: BetterSqlite3.Database;
  #statements: Statements | null = null;

  constructor(db: BetterSqlite3.Database, opts: GroupCommitOptions = {}) {
    this.#db = db;
    this.commit = new GroupCommit(db, opts);
  }

  get #s(): Statements {
    return (this.#statements ??= new Statements(this.#db));
  }

  #products(callId: string): Product[] {
    return this.#s.callProducts.all(callId).map(toProduct);
  }

  reserveAgentAndCreateCall(input: NewCall): Promise<ReserveResult> {
    const callId = newId();
    return this.commit.run((): ReserveResult => {
      const agent = this.#s.reserve.get(callId, input.agentId, input.channelId);
      if (!agent) {
        const exists = this.#s.agentInChannel.get(input.agentId, input.channelId);
        return { ok: false, reason: exists ? 'busy' : 'not_found' };
      }
      const row: Row<'calls'> = {
        id: callId,
        channel_id: input.channelId,
        agent_id: input.agentId,
        status: 'requested',
        requested_at: input.at.getTime(),
        ringing_at: null,
        connected_at: null,
        ended_at: null,
        end_reason: null,
        end_detail: null,
        page_url: input.pageUrl,
        visitor: JSON.stringify(input.visitor),
        unknown_product_ids: JSON.stringify(input.unknownProductIds),
        rating: null,
        notes: '',
      };
      this.#s.insertCall.run(
        row.id,
        row.channel_id,
        row.agent_id,
        row.requested_at,
        row.page_url,
        row.visitor,
        row.unknown_product_ids,
      );
      const unique = [...new Set(input.productIds)];
      unique.forEach((productId, position) => {
        this.#s.insertCallProduct.run(callId, position, productId);
      });
      const products = unique.length > 0 ? this.#products(callId) : [];
      return { ok: true, call: toCall(row, agent.name, products) };
    });
  }

  transitionCall(
    callId: string,
    to: CallStatus,
    at: Date,
    end?: { reason: EndReason; detail?: string | null },
  ): Promise<Call | null> {
    if (to === 'ended' && !end) {
      return Promise.reject(new Error('transitionCall: ended needs an end reason'));
    }
    const stmt = this.#s.transition.get(to);
    if (!stmt) return Promise.reject(new Error(`transitionCall: unknown status ${to}`));
    const args: unknown[] =
      to === 'ended'
        ? [at.getTime(), end?.reason, end?.detail ?? null, callId]
        : [at.getTime(), callId];
    return this.commit.run((): Call | null => {
      const row = stmt.get(...args);
      if (!row) return null;
      if (to === 'ended') this.#s.release.run(row.agent_id, callId);
      const name = this.#s.agentName.get(row.agent_id)?.name ?? '';
      return toCall(row, name, this.#products(callId));
    });
  }

  // reads run at once (synchronous, outside the batch): they see what is committed

  getCall(id: string): Promise<Call | null> {
    return read(() => {
      const row = this.#s.call.get(id);
      return row ? toCall(row, row.agent_name, this.#products(id)) : null;
    });
  }

  getUser(id: string): Promise<User | null> {
    return read(() => {
      const row = this.#s.user.get(id);
      return row ? toUser(row) : null;
    });
  }

  getChannel(id: string): Promise<StoredChannel | null> {
    return read(() => {
      const row = this.#s.channel.get(id);
      return row ? toChannel(row) : null;
    });
  }

  getAgentCurrentCall(agentId: string): Promise<string | null> {
    return read(() => this.#s.currentCall.get(agentId)?.current_call_id ?? null);
  }

  bumpMissedCalls(agentId: string, reset: boolean): Promise<number> {
    const stmt = reset ? this.#s.missesReset : this.#s.missesBump;
    return this.commit.run(() => stmt.get(agentId)?.missed_in_a_row ?? 0);
  }

  close(): Promise<void> {
    return this.commit.drain();
  }
}

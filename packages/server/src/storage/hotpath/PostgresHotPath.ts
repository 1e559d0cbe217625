/**
 * The call hot path on PostgreSQL: named statements (parsed and planned once per pooled
 * connection) and one round trip per operation. Reserving the agent, creating the call and
 * linking its products is one statement (data-modifying CTEs, atomic on its own); a status
 * move updates the call, releases the agent when it ends and returns the call with its agent's
 * name and products, also in one statement.
 */
import type pg from 'pg';
import {
  CALL_STATUSES,
  canTransition,
  type Call,
  type CallStatus,
  type EndReason,
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
import {
  CALL_COLUMNS,
  CHANNEL_COLUMNS,
  cols,
  fromStatusesSql,
  USER_COLUMNS,
  type HotPath,
} from './HotPath.ts';

/** The call's products in order, as a JSON array of product rows (`$callRef` is the call id). */
const productsJson = (callRef: string): string =>
  `(SELECT coalesce(json_agg(p ORDER BY cp.position), '[]'::json)
      FROM call_products cp JOIN products p ON p.id = cp.product_id
     WHERE cp.call_id = ${callRef})`;

type CallRow = Row<'calls'> & { agent_name: string; products: Row<'products'>[] };

const RESERVE = `
WITH r AS (
  UPDATE users SET current_call_id = $1
   WHERE id = $2 AND channel_id = $3 AND current_call_id IS NULL
     AND status = 'online' AND active = 1
  RETURNING name
), c AS (
  INSERT INTO calls (id, channel_id, agent_id, status, requested_at, page_url, visitor,
                     unknown_product_ids, notes)
  SELECT $1, $3, $2, 'requested', $4, $5, $6, $7, '' FROM r
  RETURNING id
), cp AS (
  INSERT INTO call_products (call_id, position, product_id)
  SELECT c.id, t.ord - 1, t.pid FROM c, unnest($8::text[]) WITH ORDINALITY AS t(pid, ord)
)
SELECT r.name AS agent_name,
       (SELECT coalesce(json_agg(p ORDER BY array_position($8::text[], p.id)), '[]'::json)
          FROM products p WHERE p.id = ANY($8::text[])) AS products
  FROM r`;

function transitionSql(to: CallStatus): string {
  const from = CALL_STATUSES.filter((s) => canTransition(s, to));
  const where = from.length > 0 ? `status IN (${fromStatusesSql(from)})` : 'false';
  const end = to === 'ended' ? ', end_reason = $3, end_detail = $4' : '';
  const release =
    to === 'ended'
      ? `, rel AS (
  UPDATE users SET current_call_id = NULL FROM up
   WHERE users.id = up.agent_id AND users.current_call_id = up.id
)`
      : '';
  return `
WITH up AS (
  UPDATE calls SET status = '${to}', ${STATUS_COLUMN[to]} = $2${end}
   WHERE id = $1 AND ${where}
  RETURNING ${cols(CALL_COLUMNS)}
)${release}
SELECT ${cols(CALL_COLUMNS, 'up')}, u.name AS agent_name, ${productsJson('up.id')} AS products
  FROM up JOIN users u ON u.id = up.agent_id`;
}

/**
 * The same move for many calls in one statement: the inputs as parallel arrays, `n` the
 * caller's index. Two callers moving one call in one batch join the same row: PostgreSQL
 * updates it once, with one of them (its `n` comes back), so exactly one wins, as with
 * separate statements.
 */
function transitionBatchSql(to: CallStatus): string {
  const from = CALL_STATUSES.filter((s) => canTransition(s, to));
  const where = from.length > 0 ? `c.status IN (${fromStatusesSql(from)})` : 'false';
  const end = to === 'ended' ? ', end_reason = i.reason, end_detail = i.detail' : '';
  const release =
    to === 'ended'
      ? `, rel AS (
  UPDATE users SET current_call_id = NULL FROM up
   WHERE users.id = up.agent_id AND users.current_call_id = up.id
)`
      : '';
  return `
WITH i AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::int[])
    AS t(id, at, reason, detail, n)
), up AS (
  UPDATE calls c SET status = '${to}', ${STATUS_COLUMN[to]} = i.at${end}
    FROM i WHERE c.id = i.id AND ${where}
  RETURNING i.n, ${cols(CALL_COLUMNS, 'c')}
)${release}
SELECT up.n, ${cols(CALL_COLUMNS, 'up')}, u.name AS agent_name, ${productsJson('up.id')} AS products
  FROM up JOIN users u ON u.id = up.agent_id`;
}

interface TransitionJob {
  callId: string;
  at: number;
  reason: string | null;
  detail: string | null;
  resolve: (call: Call | null) => void;
  reject: (e: unknown) => void;
}

const GET_CALL = `
SELECT ${cols(CALL_COLUMNS, 'c')}, u.name AS agent_name, ${productsJson('c.id')} AS products
  FROM calls c JOIN users u ON u.id = c.agent_id WHERE c.id = $1`;

/**
 * Status moves are batched per event-loop turn: the moves to one status queued in a turn go
 * as one statement (one round trip, one commit), which matters when PostgreSQL shares the
 * machine's cores. A batch that fails (a deadlock with another process's batch, a bad row)
 * is retried move by move, so only a move that fails on its own fails its caller.
 */
export class PostgresHotPath implements HotPath {
  readonly #pool: pg.Pool;
  readonly #transitions = new Map(CALL_STATUSES.map((to) => [to, transitionSql(to)]));
  readonly #transitionBatches = new Map(CALL_STATUSES.map((to) => [to, transitionBatchSql(to)]));
  readonly #queued = new Map<CallStatus, TransitionJob[]>();
  #scheduled = false;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async #rows<R extends pg.QueryResultRow>(
    name: string,
    text: string,
    values: unknown[],
  ): Promise<R[]> {
    const res = await this.#pool.query<R>({ name: `flux_${name}`, text, values });
    return res.rows;
  }

  async reserveAgentAndCreateCall(input: NewCall): Promise<ReserveResult> {
    const callId = newId();
    const productIds = [...new Set(input.productIds)];
    const [hit] = await this.#rows<{ agent_name: string; products: Row<'products'>[] }>(
      'reserve',
      RESERVE,
      [
        callId,
        input.agentId,
        input.channelId,
        input.at.getTime(),
        input.pageUrl,
        JSON.stringify(input.visitor),
        JSON.stringify(input.unknownProductIds),
        productIds,
      ],
    );
    if (!hit) {
      const exists = await this.#rows(
        'agent_in_channel',
        'SELECT 1 FROM users WHERE id = $1 AND channel_id = $2',
        [input.agentId, input.channelId],
      );
      return { ok: false, reason: exists.length > 0 ? 'busy' : 'not_found' };
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
    return { ok: true, call: toCall(row, hit.agent_name, hit.products.map(toProduct)) };
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
    if (!this.#transitions.has(to)) {
      return Promise.reject(new Error(`transitionCall: unknown status ${to}`));
    }
    return new Promise<Call | null>((resolve, reject) => {
      let q = this.#queued.get(to);
      if (!q) {
        q = [];
        this.#queued.set(to, q);
      }
      q.push({
        callId,
        at: at.getTime(),
        reason: to === 'ended' ? (end?.reason ?? null) : null,
        detail: to === 'ended' ? (end?.detail ?? null) : null,
        resolve,
        reject,
      });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#flush();
        });
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const groups = [...this.#queued];
    this.#queued.clear();
    for (const [to, jobs] of groups) void this.#runBatch(to, jobs);
  }

  async #runBatch(to: CallStatus, jobs: TransitionJob[]): Promise<void> {
    if (jobs.length > 1) {
      let rows: (CallRow & { n: number })[] | null = null;
      try {
        rows = await this.#rows<CallRow & { n: number }>(
          `transitions_${to}`,
          this.#transitionBatches.get(to) ?? '',
          [
            jobs.map((j) => j.callId),
            jobs.map((j) => j.at),
            jobs.map((j) => j.reason),
            jobs.map((j) => j.detail),
            jobs.map((_, n) => n),
          ],
        );
      } catch {
        rows = null; // retried one by one below
      }
      if (rows) {
        const byN = new Map(rows.map((r) => [r.n, r]));
        jobs.forEach((j, n) => {
          const r = byN.get(n);
          j.resolve(r ? toCall(r, r.agent_name, r.products.map(toProduct)) : null);
        });
        return;
      }
    }
    await Promise.all(jobs.map((j) => this.#transitionOne(to, j).then(j.resolve, j.reject)));
  }

  async #transitionOne(to: CallStatus, j: TransitionJob): Promise<Call | null> {
    const values: unknown[] =
      to === 'ended' ? [j.callId, j.at, j.reason, j.detail] : [j.callId, j.at];
    const [row] = await this.#rows<CallRow>(
      `transition_${to}`,
      this.#transitions.get(to) ?? '',
      values,
    );
    return row ? toCall(row, row.agent_name, row.products.map(toProduct)) : null;
  }

  async getCall(id: string): Promise<Call | null> {
    const [row] = await this.#rows<CallRow>('get_call', GET_CALL, [id]);
    return row ? toCall(row, row.agent_name, row.products.map(toProduct)) : null;
  }

  async getUser(id: string): Promise<User | null> {
    const [row] = await this.#rows<Row<'users'>>(
      'get_user',
      `SELECT ${cols(USER_COLUMNS)} FROM users WHERE id = $1`,
      [id],
    );
    return row ? toUser(row) : null;
  }

  async getChannel(id: string): Promise<StoredChannel | null> {
    const [row] = await this.#rows<Row<'channels'>>(
      'get_channel',
      `SELECT ${cols(CHANNEL_COLUMNS)} FROM channels WHERE id = $1`,
      [id],
    );
    return row ? toChannel(row) : null;
  }

  async getAgentCurrentCall(agentId: string): Promise<string | null> {
    const [row] = await this.#rows<{ current_call_id: string | null }>(
      'current_call',
      'SELECT current_call_id FROM users WHERE id = $1',
      [agentId],
    );
    return row?.current_call_id ?? null;
  }

  async bumpMissedCalls(agentId: string, reset: boolean): Promise<number> {
    const [row] = await this.#rows<{ missed_in_a_row: number }>(
      reset ? 'misses_reset' : 'misses_bump',
      reset
        ? 'UPDATE users SET missed_in_a_row = 0 WHERE id = $1 RETURNING missed_in_a_row'
        : 'UPDATE users SET missed_in_a_row = missed_in_a_row + 1 WHERE id = $1 RETURNING missed_in_a_row',
      [agentId],
    );
    return row?.missed_in_a_row ?? 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

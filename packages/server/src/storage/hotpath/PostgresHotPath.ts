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
import type { MovedCall, NewCall, ReserveResult, StoredChannel } from '../Storage.ts';
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
  requestedCallRow,
  USER_COLUMNS,
  withEndedAgent,
  type HotPath,
} from './HotPath.ts';
import { CallsTableAnalyzer, type CallsTableAnalyzerOptions } from './CallsTableAnalyzer.ts';

/** The call's products in order, as a JSON array of product rows (`$callRef` is the call id). */
const productsJson = (callRef: string): string =>
  `(SELECT coalesce(json_agg(p ORDER BY cp.position), '[]'::json)
      FROM call_products cp JOIN products p ON p.id = cp.product_id
     WHERE cp.call_id = ${callRef})`;

type CallRow = Row<'calls'> & {
  agent_name: string;
  products: Row<'products'>[];
  /** On the move to ended (`ENDED_AGENT_COLUMNS`). */
  agent_status?: string;
  agent_active?: number;
};

/** The agent's status and active flag, returned by the move to ended (`ENDED_AGENT`). */
const ENDED_AGENT_COLUMNS = ', u.status AS agent_status, u.active AS agent_active';

/** The call of a moved row, with its agent's state when the row has it (the move to ended). */
function movedCall(r: CallRow): MovedCall {
  const call = toCall(r, r.agent_name, r.products.map(toProduct));
  return r.agent_status === undefined || r.agent_active === undefined
    ? call
    : withEndedAgent(call, { agent_status: r.agent_status, agent_active: r.agent_active });
}

const RESERVE = `
WITH r AS (
  UPDATE users SET current_call_id = $1
   WHERE id = $2 AND channel_id = $3 AND current_call_id IS NULL
     AND status = 'online' AND active = 1
  RETURNING name
), c AS (
  INSERT INTO calls (id, channel_id, agent_id, status, requested_at, ringing_at, page_url,
                     visitor, unknown_product_ids, notes)
  SELECT $1, $3, $2, CASE WHEN $9::bigint IS NULL THEN 'requested' ELSE 'ringing' END, $4, $9,
         $5, $6, $7, '' FROM r
  RETURNING id
), cp AS (
  INSERT INTO call_products (call_id, position, product_id)
  SELECT c.id, t.ord - 1, t.pid FROM c, unnest($8::text[]) WITH ORDINALITY AS t(pid, ord)
)
SELECT 0 AS n, r.name AS agent_name,
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
  const agentState = to === 'ended' ? ENDED_AGENT_COLUMNS : '';
  return `
WITH up AS (
  UPDATE calls SET status = '${to}', ${STATUS_COLUMN[to]} = $2${end}
   WHERE id = $1 AND ${where}
  RETURNING ${cols(CALL_COLUMNS)}
)${release}
SELECT ${cols(CALL_COLUMNS, 'up')}, u.name AS agent_name, ${productsJson('up.id')} AS products${agentState}
  FROM up JOIN users u ON u.id = up.agent_id`;
}

/**
 * The same move for many calls in one statement: the inputs as parallel arrays, `n` the
 * caller's index. Two callers moving one call in one batch join the same row: PostgreSQL
 * updates it once, with one of them (its `n` comes back), so exactly one wins, as with
 * separate statements.
 */
export function transitionBatchSql(to: CallStatus): string {
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
  const agentState = to === 'ended' ? ENDED_AGENT_COLUMNS : '';
  return `
WITH i AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::int[])
    AS t(id, at, reason, detail, n)
), up AS (
  UPDATE calls c SET status = '${to}', ${STATUS_COLUMN[to]} = i.at${end}
    FROM i WHERE c.id = i.id AND ${where}
  RETURNING i.n, ${cols(CALL_COLUMNS, 'c')}
)${release}
SELECT up.n, ${cols(CALL_COLUMNS, 'up')}, u.name AS agent_name, ${productsJson('up.id')} AS products${agentState}
  FROM up JOIN users u ON u.id = up.agent_id`;
}

/**
 * Reads by id made in one event-loop turn, answered by one query (`id = ANY(…)`); a failed
 * query fails the callers of that turn.
 */
class BatchedLookup<R extends { id: string }> {
  readonly #load: (ids: string[]) => Promise<R[]>;
  #waiting = new Map<string, { resolve: (r: R | null) => void; reject: (e: unknown) => void }[]>();
  #scheduled = false;

  constructor(load: (ids: string[]) => Promise<R[]>) {
    this.#load = load;
  }

  get(id: string): Promise<R | null> {
    return new Promise((resolve, reject) => {
      const list = this.#waiting.get(id);
      if (list) list.push({ resolve, reject });
      else this.#waiting.set(id, [{ resolve, reject }]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          void this.#flush();
        });
      }
    });
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const waiting = this.#waiting;
    this.#waiting = new Map();
    try {
      const rows = await this.#load([...waiting.keys()]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const [id, list] of waiting) for (const w of list) w.resolve(byId.get(id) ?? null);
    } catch (e) {
      for (const list of waiting.values()) for (const w of list) w.reject(e);
    }
  }
}

type ReserveRow = { n: number; agent_name: string; products: Row<'products'>[] };

interface ReserveJob {
  input: NewCall;
  callId: string;
  resolve: (r: ReserveResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Many reservations in one statement (`n` the caller's index, the products as parallel
 * arrays of links). Two callers for one agent in one batch join the same user row: it is
 * updated once, for one of them, so exactly one gets the agent.
 */
const RESERVE_BATCH = `
WITH i AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                       $7::text[], $8::int[], $12::bigint[])
    AS t(call_id, agent_id, channel_id, at, page_url, visitor, unknown, n, ringing_at)
), r AS (
  UPDATE users u SET current_call_id = i.call_id FROM i
   WHERE u.id = i.agent_id AND u.channel_id = i.channel_id AND u.current_call_id IS NULL
     AND u.status = 'online' AND u.active = 1
  RETURNING i.n, i.call_id, u.name
), c AS (
  INSERT INTO calls (id, channel_id, agent_id, status, requested_at, ringing_at, page_url,
                     visitor, unknown_product_ids, notes)
  SELECT i.call_id, i.channel_id, i.agent_id,
         CASE WHEN i.ringing_at IS NULL THEN 'requested' ELSE 'ringing' END, i.at, i.ringing_at,
         i.page_url, i.visitor, i.unknown, ''
    FROM i JOIN r ON r.n = i.n
  RETURNING id
), cp AS (
  INSERT INTO call_products (call_id, position, product_id)
  SELECT l.call_id, l.pos, l.pid
    FROM unnest($9::text[], $10::int[], $11::text[]) AS l(call_id, pos, pid)
    JOIN c ON c.id = l.call_id
)
SELECT r.n, r.name AS agent_name,
       (SELECT coalesce(json_agg(p ORDER BY l.pos), '[]'::json)
          FROM unnest($9::text[], $10::int[], $11::text[]) AS l(call_id, pos, pid)
          JOIN products p ON p.id = l.pid
         WHERE l.call_id = r.call_id) AS products
  FROM r`;

interface TransitionJob {
  callId: string;
  at: number;
  reason: string | null;
  detail: string | null;
  resolve: (call: MovedCall | null) => void;
  reject: (e: unknown) => void;
}

const GET_CALL = `
SELECT ${cols(CALL_COLUMNS, 'c')}, u.name AS agent_name, ${productsJson('c.id')} AS products
  FROM calls c JOIN users u ON u.id = c.agent_id WHERE c.id = $1`;

/**
 * Writes are batched by kind (reservations, and the moves to each status): at most one
 * statement of a kind is out at a time. When idle, the writes of one event-loop turn go
 * together; while a kind's statement is out, its new writes wait and then go as the next
 * statement (group commit). Each statement is one round trip and one commit however many
 * calls it carries, so under load the number of commits, and PostgreSQL's CPU per call,
 * falls as the rate rises, which matters when PostgreSQL shares the machine's cores. A
 * batch that fails (a deadlock with another process's batch, a bad row) is retried write
 * by write, so only a write that fails on its own fails its caller.
 */
export class PostgresHotPath implements HotPath {
  readonly #pool: pg.Pool;
  readonly #transitions = new Map(CALL_STATUSES.map((to) => [to, transitionSql(to)]));
  readonly #transitionBatches = new Map(CALL_STATUSES.map((to) => [to, transitionBatchSql(to)]));
  readonly #queued = new Map<CallStatus, TransitionJob[]>();
  #reserves: ReserveJob[] = [];
  /** The kinds with a statement out: their queued writes go when it returns. */
  readonly #inFlight = new Set<CallStatus | 'reserve'>();
  #scheduled = false;
  /** Statements sent for writes (batched or one by one), for tests and diagnostics. */
  writeStatements = 0;
  /** Agent rows asked for in one turn (state pushes, presence), read in one statement. */
  readonly #users = new BatchedLookup<Row<'users'>>(async (ids) =>
    this.#rows<Row<'users'>>(
      'users_by_id',
      `SELECT ${cols(USER_COLUMNS)} FROM users WHERE id = ANY($1::text[])`,
      [ids],
    ),
  );

  /** Keeps the statistics of a young calls table fresh, so the cached plans use its indexes. */
  readonly analyzer: CallsTableAnalyzer;

  /** Whether close() ends the pool (the adapter's own pool for the hot path). */
  readonly #ownsPool: boolean;

  constructor(
    pool: pg.Pool,
    options: { analyze?: CallsTableAnalyzerOptions; ownsPool?: boolean } = {},
  ) {
    this.#pool = pool;
    this.#ownsPool = options.ownsPool ?? false;
    this.analyzer = new CallsTableAnalyzer(pool, options.analyze);
  }

  async #rows<R extends pg.QueryResultRow>(
    name: string,
    text: string,
    values: unknown[],
  ): Promise<R[]> {
    const res = await this.#pool.query<R>({ name: `flux_${name}`, text, values });
    return res.rows;
  }

  reserveAgentAndCreateCall(input: NewCall): Promise<ReserveResult> {
    return new Promise<ReserveResult>((resolve, reject) => {
      this.#reserves.push({ input, callId: newId(), resolve, reject });
      this.#schedule();
    });
  }

  async #runReserves(jobs: ReserveJob[]): Promise<void> {
    if (jobs.length > 1) {
      let rows: ReserveRow[] | null = null;
      try {
        const links = jobs.flatMap((j) =>
          [...new Set(j.input.productIds)].map((pid, pos) => ({ id: j.callId, pos, pid })),
        );
        this.writeStatements++;
        rows = await this.#rows<ReserveRow>('reserve_batch', RESERVE_BATCH, [
          jobs.map((j) => j.callId),
          jobs.map((j) => j.input.agentId),
          jobs.map((j) => j.input.channelId),
          jobs.map((j) => j.input.at.getTime()),
          jobs.map((j) => j.input.pageUrl),
          jobs.map((j) => JSON.stringify(j.input.visitor)),
          jobs.map((j) => JSON.stringify(j.input.unknownProductIds)),
          jobs.map((_, n) => n),
          links.map((l) => l.id),
          links.map((l) => l.pos),
          links.map((l) => l.pid),
          jobs.map((j) => (j.input.ringing ? j.input.at.getTime() : null)),
        ]);
      } catch {
        rows = null; // retried one by one below
      }
      if (rows) {
        const byN = new Map(rows.map((r) => [r.n, r]));
        // a miss reads why (busy or not found) after the batch, not while holding it
        for (const [n, j] of jobs.entries()) {
          this.#reserved(j, byN.get(n) ?? null).then(j.resolve, j.reject);
        }
        return;
      }
    }
    await Promise.all(jobs.map((j) => this.#reserveOne(j).then(j.resolve, j.reject)));
  }

  async #reserveOne(j: ReserveJob): Promise<ReserveResult> {
    const { input } = j;
    this.writeStatements++;
    const [hit] = await this.#rows<ReserveRow>('reserve', RESERVE, [
      j.callId,
      input.agentId,
      input.channelId,
      input.at.getTime(),
      input.pageUrl,
      JSON.stringify(input.visitor),
      JSON.stringify(input.unknownProductIds),
      [...new Set(input.productIds)],
      input.ringing ? input.at.getTime() : null,
    ]);
    return this.#reserved(j, hit ?? null);
  }

  /** The caller's answer: the new call, or why the agent could not be reserved. */
  async #reserved(j: ReserveJob, hit: ReserveRow | null): Promise<ReserveResult> {
    const { input } = j;
    if (!hit) {
      const agent = await this.#users.get(input.agentId);
      return { ok: false, reason: agent?.channel_id === input.channelId ? 'busy' : 'not_found' };
    }
    this.analyzer.created();
    const row = requestedCallRow(j.callId, input);
    return { ok: true, call: toCall(row, hit.agent_name, hit.products.map(toProduct)) };
  }

  transitionCall(
    callId: string,
    to: CallStatus,
    at: Date,
    end?: { reason: EndReason; detail?: string | null },
  ): Promise<MovedCall | null> {
    if (to === 'ended' && !end) {
      return Promise.reject(new Error('transitionCall: ended needs an end reason'));
    }
    if (!this.#transitions.has(to)) {
      return Promise.reject(new Error(`transitionCall: unknown status ${to}`));
    }
    return new Promise<MovedCall | null>((resolve, reject) => {
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
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#flush();
    });
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#reserves.length > 0) this.#send('reserve');
    for (const to of [...this.#queued.keys()]) this.#send(to);
  }

  /** Sends the queued writes of `kind` as one batch, unless one of that kind is out. */
  #send(kind: CallStatus | 'reserve'): void {
    if (this.#inFlight.has(kind)) return; // they go when it returns
    let run: Promise<void>;
    if (kind === 'reserve') {
      const jobs = this.#reserves;
      if (jobs.length === 0) return;
      this.#reserves = [];
      run = this.#runReserves(jobs);
    } else {
      const jobs = this.#queued.get(kind);
      if (!jobs) return;
      this.#queued.delete(kind);
      run = this.#runBatch(kind, jobs);
    }
    this.#inFlight.add(kind);
    // the runs answer every caller themselves and do not reject; either way the kind is freed
    const next = () => {
      this.#inFlight.delete(kind);
      this.#send(kind);
    };
    run.then(next, next);
  }

  async #runBatch(to: CallStatus, jobs: TransitionJob[]): Promise<void> {
    if (jobs.length > 1) {
      let rows: (CallRow & { n: number })[] | null = null;
      try {
        this.writeStatements++;
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
          j.resolve(r ? movedCall(r) : null);
        });
        return;
      }
    }
    await Promise.all(jobs.map((j) => this.#transitionOne(to, j).then(j.resolve, j.reject)));
  }

  async #transitionOne(to: CallStatus, j: TransitionJob): Promise<MovedCall | null> {
    const values: unknown[] =
      to === 'ended' ? [j.callId, j.at, j.reason, j.detail] : [j.callId, j.at];
    this.writeStatements++;
    const [row] = await this.#rows<CallRow>(
      `transition_${to}`,
      this.#transitions.get(to) ?? '',
      values,
    );
    return row ? movedCall(row) : null;
  }

  async getCall(id: string): Promise<Call | null> {
    const [row] = await this.#rows<CallRow>('get_call', GET_CALL, [id]);
    return row ? toCall(row, row.agent_name, row.products.map(toProduct)) : null;
  }

  getUser(id: string): Promise<User | null> {
    return this.#users.get(id).then((row) => (row ? toUser(row) : null));
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
    return (await this.#users.get(agentId))?.current_call_id ?? null;
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

  async close(): Promise<void> {
    await this.analyzer.settled();
    if (this.#ownsPool) await this.#pool.end();
  }
}

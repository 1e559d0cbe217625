/**
 * The SQLite hot path's writes, as one piece of plain JavaScript that runs either in a worker
 * thread with its own connection to the database file (so the COMMIT's fsync never blocks the
 * event loop) or, for `sqlite::memory:` (one connection only), on the main thread. Both run
 * the same source (`WRITER_SOURCE`), so there is one implementation of each write.
 *
 * A batch is one `BEGIN IMMEDIATE … COMMIT`; each job in it runs inside a SAVEPOINT, so a job
 * that throws is rolled back alone. `runBatch` reports per-job results only when the COMMIT
 * succeeded; if BEGIN or COMMIT fails, the whole batch failed.
 */
import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { CALL_STATUSES, canTransition, type CallStatus } from '@flux/protocol';
import { STATUS_COLUMN, type Row } from '../kysely/rows.ts';
import { fromStatusesSql } from './HotPath.ts';

/** One write of the hot path, as plain data (it crosses to the worker thread). */
export type WriteJob =
  | {
      op: 'reserve';
      callId: string;
      agentId: string;
      channelId: string;
      at: number;
      pageUrl: string | null;
      visitor: string;
      unknownProductIds: string;
      productIds: string[];
    }
  | {
      op: 'transition';
      to: CallStatus;
      callId: string;
      at: number;
      reason: string | null;
      detail: string | null;
    }
  | { op: 'misses'; agentId: string; reset: boolean }
  /** Runs the statements in order; the result is the last one's change count (tests). */
  | { op: 'exec'; statements: { sql: string; params: unknown[] }[] };

export type ReserveOutcome =
  { ok: false; exists: boolean } | { ok: true; agentName: string; products: Row<'products'>[] };
export type TransitionOutcome = {
  row: Row<'calls'>;
  agentName: string;
  products: Row<'products'>[];
} | null;

export type JobResult = { ok: true; value: unknown } | { ok: false; error: unknown };
export type BatchOutcome = { ok: true; results: JobResult[] } | { ok: false; error: unknown };

/** The SQL of the writes, built from the transition table (passed to the writer). */
export function writerSql(): {
  simple: Record<string, string>;
  transition: Record<string, string>;
} {
  const transition: Record<string, string> = {};
  for (const to of CALL_STATUSES) {
    const from = CALL_STATUSES.filter((s) => canTransition(s, to));
    const end = to === 'ended' ? ', end_reason = ?, end_detail = ?' : '';
    // a status nothing moves to gets a statement that matches no row
    const where = from.length > 0 ? `status IN (${fromStatusesSql(from)})` : '0';
    transition[to] =
      `UPDATE calls SET status = '${to}', ${STATUS_COLUMN[to]} = ?${end} ` +
      `WHERE id = ? AND ${where} RETURNING *`;
  }
  return {
    transition,
    simple: {
      reserve:
        'UPDATE users SET current_call_id = ? WHERE id = ? AND channel_id = ? ' +
        "AND current_call_id IS NULL AND status = 'online' AND active = 1 RETURNING name",
      agentInChannel: 'SELECT id FROM users WHERE id = ? AND channel_id = ?',
      insertCall:
        'INSERT INTO calls (id, channel_id, agent_id, status, requested_at, ringing_at, ' +
        'connected_at, ended_at, end_reason, end_detail, page_url, visitor, ' +
        'unknown_product_ids, rating, notes) ' +
        "VALUES (?, ?, ?, 'requested', ?, NULL, NULL, NULL, NULL, NULL, ?, ?, ?, NULL, '')",
      insertCallProduct:
        'INSERT INTO call_products (call_id, position, product_id) VALUES (?, ?, ?)',
      callProducts:
        'SELECT products.* FROM call_products ' +
        'JOIN products ON products.id = call_products.product_id ' +
        'WHERE call_products.call_id = ? ORDER BY call_products.position',
      release: 'UPDATE users SET current_call_id = NULL WHERE id = ? AND current_call_id = ?',
      agentName: 'SELECT name FROM users WHERE id = ?',
      missesReset: 'UPDATE users SET missed_in_a_row = 0 WHERE id = ? RETURNING missed_in_a_row',
      missesBump:
        'UPDATE users SET missed_in_a_row = missed_in_a_row + 1 WHERE id = ? ' +
        'RETURNING missed_in_a_row',
    },
  };
}

/**
 * `(db, sql) => { inTransaction(), runBatch(jobs) }`, as source text. Plain JavaScript on
 * purpose: a worker thread cannot load the server's TypeScript, and the bundle has no
 * separate worker file. Statements are prepared on first use (the tables exist after
 * migrate).
 */
export const WRITER_SOURCE = String.raw`(function makeWriter(db, sql) {
  var st = null;
  function prep() {
    if (st) return st;
    var s = { transition: {} };
    Object.keys(sql.simple).forEach(function (k) { s[k] = db.prepare(sql.simple[k]); });
    Object.keys(sql.transition).forEach(function (k) { s.transition[k] = db.prepare(sql.transition[k]); });
    st = s;
    return s;
  }
  var ctl = {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT flux_job'),
    release: db.prepare('RELEASE flux_job'),
    rollbackTo: db.prepare('ROLLBACK TO flux_job'),
  };
  var ops = {
    reserve: function (j) {
      var s = prep();
      var agent = s.reserve.get(j.callId, j.agentId, j.channelId);
      if (!agent) return { ok: false, exists: s.agentInChannel.get(j.agentId, j.channelId) !== undefined };
      s.insertCall.run(j.callId, j.channelId, j.agentId, j.at, j.pageUrl, j.visitor, j.unknownProductIds);
      j.productIds.forEach(function (p, i) { s.insertCallProduct.run(j.callId, i, p); });
      return { ok: true, agentName: agent.name, products: j.productIds.length ? s.callProducts.all(j.callId) : [] };
    },
    transition: function (j) {
      var s = prep();
      var stmt = s.transition[j.to];
      if (!stmt) throw new Error('transitionCall: unknown status ' + j.to);
      var row = j.to === 'ended' ? stmt.get(j.at, j.reason, j.detail, j.callId) : stmt.get(j.at, j.callId);
      if (!row) return null;
      if (j.to === 'ended') s.release.run(row.agent_id, j.callId);
      var agent = s.agentName.get(row.agent_id);
      return { row: row, agentName: agent ? agent.name : '', products: s.callProducts.all(j.callId) };
    },
    misses: function (j) {
      var s = prep();
      var r = (j.reset ? s.missesReset : s.missesBump).get(j.agentId);
      return r ? r.missed_in_a_row : 0;
    },
    exec: function (j) {
      var last = 0;
      j.statements.forEach(function (q) { var s = db.prepare(q.sql); last = s.run.apply(s, q.params).changes; });
      return last;
    },
  };
  return {
    inTransaction: function () { return db.inTransaction; },
    runBatch: function (jobs) {
      var results = [];
      try { ctl.begin.run(); } catch (e) { return { ok: false, error: e }; }
      try {
        jobs.forEach(function (job) {
          ctl.savepoint.run();
          try {
            var value = ops[job.op](job);
            ctl.release.run();
            results.push({ ok: true, value: value });
          } catch (error) {
            // an error that ended the transaction (I/O, disk full) fails the whole batch
            if (!db.inTransaction) throw error;
            ctl.rollbackTo.run();
            ctl.release.run();
            results.push({ ok: false, error: error });
          }
        });
        ctl.commit.run();
      } catch (e) {
        if (db.inTransaction) { try { ctl.rollback.run(); } catch (ignored) { /* gone already */ } }
        return { ok: false, error: e };
      }
      return { ok: true, results: results };
    },
  };
})`;

/** The glue of the worker thread: opens its own connection, runs batches, reports. */
const WORKER_SOURCE = String.raw`
var wt = require('node:worker_threads');
var Database = require(wt.workerData.driver);
var db = new Database(wt.workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + wt.workerData.synchronous);
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
var writer = (${WRITER_SOURCE})(db, wt.workerData.sql);
function plain(e) {
  return { message: String(e && e.message ? e.message : e), code: e && e.code, name: e && e.name };
}
wt.parentPort.on('message', function (m) {
  if (m.t === 'batch') {
    var out = writer.runBatch(m.jobs);
    if (!out.ok) { wt.parentPort.postMessage({ t: 'failed', error: plain(out.error) }); return; }
    wt.parentPort.postMessage({ t: 'done', results: out.results.map(function (r) {
      return r.ok ? r : { ok: false, error: plain(r.error) };
    }) });
  } else if (m.t === 'close') {
    db.close();
    wt.parentPort.postMessage({ t: 'closed' });
  }
});
`;

/** Runs one batch at a time; GroupCommit queues the jobs that arrive meanwhile. */
export interface BatchExecutor {
  runBatch(jobs: WriteJob[]): Promise<BatchOutcome>;
  close(): Promise<void>;
}

interface Writer {
  inTransaction(): boolean;
  runBatch(jobs: WriteJob[]): BatchOutcome;
}

function makeWriter(db: BetterSqlite3.Database): Writer {
  const factory = runInThisContext(WRITER_SOURCE) as (
    db: BetterSqlite3.Database,
    sql: ReturnType<typeof writerSql>,
  ) => Writer;
  return factory(db, writerSql());
}

/**
 * On the main thread, on the connection Kysely uses (`sqlite::memory:`). A Kysely
 * transaction spans several microtasks on that connection: if one is open when a batch is
 * due, the batch waits for the next turn rather than running inside it.
 */
export class InThreadExecutor implements BatchExecutor {
  readonly #writer: Writer;

  constructor(db: BetterSqlite3.Database) {
    this.#writer = makeWriter(db);
  }

  runBatch(jobs: WriteJob[]): Promise<BatchOutcome> {
    return new Promise((resolve) => {
      const attempt = (): void => {
        if (this.#writer.inTransaction()) {
          setImmediate(attempt);
          return;
        }
        resolve(this.#writer.runBatch(jobs));
      };
      attempt();
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

type FromWorker =
  | { t: 'done'; results: JobResult[] }
  | { t: 'failed'; error: { message: string; code?: string; name?: string } }
  | { t: 'closed' };

function toError(e: unknown): Error {
  const p = e as { message?: string; code?: string; name?: string };
  const err = new Error(p.message ?? 'SQLite write failed') as Error & { code?: string };
  if (p.code !== undefined) err.code = p.code;
  if (p.name !== undefined && p.name !== 'Error') err.name = p.name;
  return err;
}

/**
 * In a worker thread with its own connection to the file: the main thread keeps serving
 * sockets (and reading, WAL lets readers run beside the writer) while a batch commits.
 */
export class WorkerExecutor implements BatchExecutor {
  readonly #file: string;
  readonly #synchronous: 'FULL' | 'NORMAL';
  #worker: Worker | null = null;
  #pending: ((m: FromWorker) => void) | null = null;

  constructor(file: string, synchronous: 'FULL' | 'NORMAL' = 'FULL') {
    this.#file = file;
    this.#synchronous = synchronous;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: this.#file,
        synchronous: this.#synchronous,
        sql: writerSql(),
      },
    });
    w.on('message', (m: FromWorker) => {
      const p = this.#pending;
      this.#pending = null;
      p?.(m);
    });
    const gone = (error: Error): void => {
      if (this.#worker === w) this.#worker = null;
      const p = this.#pending;
      this.#pending = null;
      p?.({
        t: 'failed',
        error: { message: `SQLite writer stopped: ${error.message}` },
      });
    };
    w.on('error', gone);
    w.on('exit', (code) => {
      gone(new Error(`exit ${String(code)}`));
    });
    w.unref();
    this.#worker = w;
    return w;
  }

  #send(msg: { t: 'batch'; jobs: WriteJob[] } | { t: 'close' }): Promise<FromWorker> {
    const w = this.#start();
    return new Promise((resolve) => {
      this.#pending = resolve;
      w.ref(); // keep the process alive while a batch is out
      w.postMessage(msg);
    }).finally(() => {
      w.unref();
    }) as Promise<FromWorker>;
  }

  async runBatch(jobs: WriteJob[]): Promise<BatchOutcome> {
    const m = await this.#send({ t: 'batch', jobs });
    if (m.t === 'done') {
      return {
        ok: true,
        results: m.results.map((r) => (r.ok ? r : { ok: false, error: toError(r.error) })),
      };
    }
    if (m.t === 'failed') return { ok: false, error: toError(m.error) };
    return { ok: false, error: new Error('SQLite writer closed') };
  }

  async close(): Promise<void> {
    const w = this.#worker;
    if (!w) return;
    await this.#send({ t: 'close' });
    this.#worker = null;
    await w.terminate();
  }
}

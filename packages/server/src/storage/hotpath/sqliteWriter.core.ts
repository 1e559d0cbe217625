/**
 * The SQLite hot path's writes on one better-sqlite3 connection: `makeWriter(db, sql)`. The
 * same module runs in the writer worker thread (`sqliteWriter.worker.ts`, its own connection
 * to a database file) and on the main thread (`InThreadExecutor`, `sqlite::memory:`), so
 * there is one implementation of each write.
 *
 * A batch is one `BEGIN IMMEDIATE … COMMIT`; each job in it runs inside a SAVEPOINT, so a job
 * that throws is rolled back alone. `runBatch` reports per-job results only when the COMMIT
 * succeeded; if BEGIN or COMMIT fails, the whole batch failed.
 *
 * Only type imports besides better-sqlite3's types: the worker bundle (dist/sqlite-writer.js)
 * stays this file plus its entry. The SQL comes in as data (`WriterSql`, built by
 * `writerSql()` on the main thread from the transition table).
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { CallStatus } from '@flux/protocol';
import type { Row } from '../kysely/rows.ts';

/** One write of the hot path, as plain data (it crosses to the worker thread). */
export type WriteJob =
  | {
      op: 'reserve';
      callId: string;
      agentId: string;
      channelId: string;
      status: 'requested' | 'ringing';
      at: number;
      ringingAt: number | null;
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
  /** The move to ended: the agent's status and active flag (`ENDED_AGENT`). */
  agent?: { agent_status: string; agent_active: number };
} | null;

export type JobResult = { ok: true; value: unknown } | { ok: false; error: unknown };
export type BatchOutcome = { ok: true; results: JobResult[] } | { ok: false; error: unknown };

/** The named statements of the writes (the transition statements come per target status). */
export type SimpleStatement =
  | 'reserve'
  | 'agentInChannel'
  | 'insertCall'
  | 'insertCallProduct'
  | 'callProducts'
  | 'release'
  | 'agentName'
  | 'missesReset'
  | 'missesBump';

/** The SQL of the writes, as plain data (it crosses to the worker thread). */
export interface WriterSql {
  simple: Record<SimpleStatement, string>;
  /** `UPDATE calls … RETURNING *` per target status. */
  transition: Partial<Record<string, string>>;
}

export interface Writer {
  inTransaction(): boolean;
  runBatch(jobs: WriteJob[]): BatchOutcome;
}

type Param = string | number | null;
type Stmt<P extends Param[], R> = BetterSqlite3.Statement<P, R>;

interface Statements {
  reserve: Stmt<[string, string, string], { name: string }>;
  agentInChannel: Stmt<[string, string], { id: string }>;
  insertCall: Stmt<
    [string, string, string, string, number, number | null, string | null, string, string],
    unknown
  >;
  insertCallProduct: Stmt<[string, number, string], unknown>;
  callProducts: Stmt<[string], Row<'products'>>;
  release: Stmt<[string, string], unknown>;
  agentName: Stmt<[string], { name: string; status: string; active: number }>;
  missesReset: Stmt<[string], { missed_in_a_row: number }>;
  missesBump: Stmt<[string], { missed_in_a_row: number }>;
  transition: Map<string, Stmt<Param[], Row<'calls'>>>;
}

/**
 * The writer on `db`. Statements are prepared on first use (the tables exist after migrate);
 * the transaction control statements right away.
 */
export function makeWriter(db: BetterSqlite3.Database, sql: WriterSql): Writer {
  let st: Statements | null = null;
  const prep = (): Statements => {
    if (st) return st;
    const s = sql.simple;
    const transition = new Map<string, Stmt<Param[], Row<'calls'>>>();
    for (const [to, text] of Object.entries(sql.transition)) {
      if (text !== undefined) transition.set(to, db.prepare<Param[], Row<'calls'>>(text));
    }
    st = {
      reserve: db.prepare(s.reserve),
      agentInChannel: db.prepare(s.agentInChannel),
      insertCall: db.prepare(s.insertCall),
      insertCallProduct: db.prepare(s.insertCallProduct),
      callProducts: db.prepare(s.callProducts),
      release: db.prepare(s.release),
      agentName: db.prepare(s.agentName),
      missesReset: db.prepare(s.missesReset),
      missesBump: db.prepare(s.missesBump),
      transition,
    };
    return st;
  };
  const ctl = {
    begin: db.prepare('BEGIN IMMEDIATE'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    savepoint: db.prepare('SAVEPOINT flux_job'),
    release: db.prepare('RELEASE flux_job'),
    rollbackTo: db.prepare('ROLLBACK TO flux_job'),
  };

  const reserve = (j: Extract<WriteJob, { op: 'reserve' }>): ReserveOutcome => {
    const s = prep();
    const agent = s.reserve.get(j.callId, j.agentId, j.channelId);
    if (!agent) {
      return { ok: false, exists: s.agentInChannel.get(j.agentId, j.channelId) !== undefined };
    }
    s.insertCall.run(
      j.callId,
      j.channelId,
      j.agentId,
      j.status,
      j.at,
      j.ringingAt,
      j.pageUrl,
      j.visitor,
      j.unknownProductIds,
    );
    j.productIds.forEach((p, i) => {
      s.insertCallProduct.run(j.callId, i, p);
    });
    return {
      ok: true,
      agentName: agent.name,
      products: j.productIds.length > 0 ? s.callProducts.all(j.callId) : [],
    };
  };

  const transition = (j: Extract<WriteJob, { op: 'transition' }>): TransitionOutcome => {
    const s = prep();
    const stmt = s.transition.get(j.to);
    if (!stmt) throw new Error(`transitionCall: unknown status ${j.to}`);
    const row =
      j.to === 'ended' ? stmt.get(j.at, j.reason, j.detail, j.callId) : stmt.get(j.at, j.callId);
    if (!row) return null;
    if (j.to === 'ended') s.release.run(row.agent_id, j.callId);
    const agent = s.agentName.get(row.agent_id);
    return {
      row,
      agentName: agent ? agent.name : '',
      products: s.callProducts.all(j.callId),
      ...(j.to === 'ended' && agent
        ? { agent: { agent_status: agent.status, agent_active: agent.active } }
        : {}),
    };
  };

  const misses = (j: Extract<WriteJob, { op: 'misses' }>): number => {
    const s = prep();
    const r = (j.reset ? s.missesReset : s.missesBump).get(j.agentId);
    return r ? r.missed_in_a_row : 0;
  };

  const exec = (j: Extract<WriteJob, { op: 'exec' }>): number => {
    let last = 0;
    for (const q of j.statements) last = db.prepare(q.sql).run(...q.params).changes;
    return last;
  };

  const run = (job: WriteJob): unknown => {
    switch (job.op) {
      case 'reserve':
        return reserve(job);
      case 'transition':
        return transition(job);
      case 'misses':
        return misses(job);
      case 'exec':
        return exec(job);
      default:
        // jobs arrive as data from another thread: an unknown one fails alone
        throw new Error(`unknown write: ${String((job as { op: unknown }).op)}`);
    }
  };

  return {
    inTransaction: () => db.inTransaction,
    runBatch(jobs: WriteJob[]): BatchOutcome {
      const results: JobResult[] = [];
      try {
        ctl.begin.run();
      } catch (error) {
        return { ok: false, error };
      }
      try {
        for (const job of jobs) {
          ctl.savepoint.run();
          try {
            const value = run(job);
            ctl.release.run();
            results.push({ ok: true, value });
          } catch (error) {
            // an error that ended the transaction (I/O, disk full) fails the whole batch
            if (!db.inTransaction) throw error;
            ctl.rollbackTo.run();
            ctl.release.run();
            results.push({ ok: false, error });
          }
        }
        ctl.commit.run();
      } catch (error) {
        if (db.inTransaction) {
          try {
            ctl.rollback.run();
          } catch {
            // gone already
          }
        }
        return { ok: false, error };
      }
      return { ok: true, results };
    },
  };
}

/** An error as plain data for `postMessage` (its message, SQLite code and class name). */
export interface PlainError {
  message: string;
  code?: string;
  name?: string;
}

export function plainError(e: unknown): PlainError {
  const o = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
  const message = typeof o.message === 'string' && o.message !== '' ? o.message : String(e);
  const out: PlainError = { message };
  if (typeof o.code === 'string') out.code = o.code;
  if (typeof o.name === 'string') out.name = o.name;
  return out;
}

/** What the writer thread gets at start (`workerData`). */
export interface WriterWorkerData {
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  sql: WriterSql;
}

export type ToWriterWorker = { t: 'batch'; jobs: WriteJob[] } | { t: 'close' };

export type FromWriterWorker =
  | { t: 'done'; results: ({ ok: true; value: unknown } | { ok: false; error: PlainError })[] }
  | { t: 'failed'; error: PlainError }
  | { t: 'closed' };

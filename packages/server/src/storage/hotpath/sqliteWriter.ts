/**
 * The SQLite hot path's executors of write batches. The writes themselves are
 * `makeWriter(db, sql)` in `sqliteWriter.core.ts`; they run either in a worker thread with its
 * own connection to the database file (so the COMMIT's fsync never blocks the event loop) or,
 * for `sqlite::memory:` (one connection only), on the main thread.
 *
 * The worker thread is started from a file: the built server's dist/sqlite-writer.js (a
 * second esbuild entry point, next to dist/main.js) or, when this module runs from its
 * TypeScript source (vitest, `node --import tsx`), sqliteWriter.worker.ts under tsx's loader
 * (sqliteWriter.worker.sources.mjs registers it in the thread first). The rule is this
 * module's own file name: `.ts` means sources, anything else the bundle.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { CALL_STATUSES, canTransition } from '@flux/protocol';
import { STATUS_COLUMN } from '../kysely/rows.ts';
import { fromStatusesSql } from './HotPath.ts';
import {
  makeWriter,
  type BatchOutcome,
  type FromWriterWorker,
  type PlainError,
  type ToWriterWorker,
  type Writer,
  type WriterSql,
  type WriterWorkerData,
  type WriteJob,
} from './sqliteWriter.core.ts';

export type {
  BatchOutcome,
  JobResult,
  ReserveOutcome,
  TransitionOutcome,
  WriteJob,
} from './sqliteWriter.core.ts';

/** The SQL of the writes, built from the transition table (passed to the writer). */
export function writerSql(): WriterSql {
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
        "VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, ?, NULL, '')",
      insertCallProduct:
        'INSERT INTO call_products (call_id, position, product_id) VALUES (?, ?, ?)',
      callProducts:
        'SELECT products.* FROM call_products ' +
        'JOIN products ON products.id = call_products.product_id ' +
        'WHERE call_products.call_id = ? ORDER BY call_products.position',
      release: 'UPDATE users SET current_call_id = NULL WHERE id = ? AND current_call_id = ?',
      agentName: 'SELECT name, status, active FROM users WHERE id = ?',
      missesReset: 'UPDATE users SET missed_in_a_row = 0 WHERE id = ? RETURNING missed_in_a_row',
      missesBump:
        'UPDATE users SET missed_in_a_row = missed_in_a_row + 1 WHERE id = ? ' +
        'RETURNING missed_in_a_row',
    },
  };
}

/** Runs one batch at a time; GroupCommit queues the jobs that arrive meanwhile. */
export interface BatchExecutor {
  runBatch(jobs: WriteJob[]): Promise<BatchOutcome>;
  close(): Promise<void>;
}

/** The built worker's file name, next to dist/main.js (packages/server/build.mjs). */
export const WRITER_WORKER_FILE = 'sqlite-writer.js';

/** The file the writer thread starts from (see the header for the rule). */
export function writerWorkerEntry(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./sqliteWriter.worker.sources.mjs', import.meta.url)
    : new URL(`./${WRITER_WORKER_FILE}`, import.meta.url);
}

/**
 * On the main thread, on the connection Kysely uses (`sqlite::memory:`). A Kysely
 * transaction spans several microtasks on that connection: if one is open when a batch is
 * due, the batch waits for the next turn rather than running inside it.
 */
export class InThreadExecutor implements BatchExecutor {
  readonly #writer: Writer;

  constructor(db: BetterSqlite3.Database) {
    this.#writer = makeWriter(db, writerSql());
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

function toError(p: PlainError): Error {
  const err = new Error(p.message) as Error & { code?: string };
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
  #pending: ((m: FromWriterWorker) => void) | null = null;

  constructor(file: string, synchronous: 'FULL' | 'NORMAL' = 'FULL') {
    this.#file = file;
    this.#synchronous = synchronous;
    // a dist/ copied without the writer would start, then fail every call: say so at start
    const entry = writerWorkerEntry();
    if (!existsSync(entry)) {
      throw new Error(
        `The SQLite writer ${fileURLToPath(entry)} is missing: deploy it with main.js ` +
          '(docs/deployment.md).',
      );
    }
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const workerData: WriterWorkerData = {
      file: this.#file,
      synchronous: this.#synchronous,
      sql: writerSql(),
    };
    const w = new Worker(writerWorkerEntry(), { workerData });
    w.on('message', (m: FromWriterWorker) => {
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

  #send(msg: ToWriterWorker): Promise<FromWriterWorker> {
    const w = this.#start();
    return new Promise((resolve) => {
      this.#pending = resolve;
      w.ref(); // keep the process alive while a batch is out
      w.postMessage(msg);
    }).finally(() => {
      w.unref();
    }) as Promise<FromWriterWorker>;
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

/**
 * Group commit for better-sqlite3: the writes queued during one event-loop turn run in one
 * `BEGIN IMMEDIATE … COMMIT`, so a burst of call transitions costs one fsync
 * (`synchronous=FULL`) instead of one each, and acknowledged still means durable: every
 * caller's promise settles only after the COMMIT returned.
 *
 * - Each job runs inside its own SAVEPOINT: a job that throws is rolled back alone and only
 *   its caller gets the error; the other jobs of the batch commit.
 * - If BEGIN or COMMIT fails (e.g. SQLITE_BUSY after the busy timeout, a full disk), the
 *   whole batch is rolled back and every caller of the batch gets the error.
 * - Jobs are synchronous functions (better-sqlite3 is synchronous), so a batch never
 *   interleaves with other work on the connection. A Kysely transaction spans several
 *   microtasks on the same connection: if one is open when the batch is due, the batch waits
 *   for the next turn rather than running inside it.
 * - `BEGIN IMMEDIATE` takes the write lock up front, so several processes on one file
 *   serialise on it (busy_timeout) instead of failing mid-batch.
 */
import type BetterSqlite3 from 'better-sqlite3';

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most jobs per transaction; the rest wait for the next one. */
  maxBatch?: number;
}

export class GroupCommit {
  readonly #db: BetterSqlite3.Database;
  readonly #maxBatch: number;
  readonly #begin: BetterSqlite3.Statement;
  readonly #commit: BetterSqlite3.Statement;
  readonly #rollback: BetterSqlite3.Statement;
  readonly #savepoint: BetterSqlite3.Statement;
  readonly #release: BetterSqlite3.Statement;
  readonly #rollbackTo: BetterSqlite3.Statement;
  #queue: Job[] = [];
  #scheduled = false;
  #idle: (() => void)[] = [];
  /** Transactions committed (for tests and diagnostics). */
  commits = 0;

  constructor(db: BetterSqlite3.Database, opts: GroupCommitOptions = {}) {
    this.#db = db;
    this.#maxBatch = opts.maxBatch ?? 1000;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.prepare('SAVEPOINT flux_job');
    this.#release = db.prepare('RELEASE flux_job');
    this.#rollbackTo = db.prepare('ROLLBACK TO flux_job');
  }

  /** Queues `work` for the next batch; settles with its result once the batch committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Resolves when nothing is queued (every queued job has settled). */
  drain(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#queue.length === 0) return;
    if (this.#inTransaction()) {
      // a Kysely transaction is open on this connection: do not run inside it
      this.#schedule();
      return;
    }
    const jobs = this.#queue.splice(0, this.#maxBatch);
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.#begin.run();
    } catch (e) {
      for (const j of jobs) j.reject(e);
      this.#after();
      return;
    }
    try {
      for (const job of jobs) {
        this.#savepoint.run();
        try {
          const value = job.work();
          this.#release.run();
          results.push({ ok: true, value });
        } catch (error) {
          // an error that ended the transaction (I/O, disk full) fails the whole batch below
          if (!this.#inTransaction()) throw error;
          this.#rollbackTo.run();
          this.#release.run();
          results.push({ ok: false, error });
        }
      }
      this.#commit.run();
      this.commits++;
    } catch (e) {
      if (this.#inTransaction()) {
        try {
          this.#rollback.run();
        } catch {
          // the transaction is gone already (SQLite rolled it back itself)
        }
      }
      for (const j of jobs) j.reject(e);
      this.#after();
      return;
    }
    jobs.forEach((job, i) => {
      const r = results[i];
      if (r?.ok) job.resolve(r.value);
      else job.reject(r?.error);
    });
    this.#after();
  }

  /** Read anew each time: a statement or another caller may have ended the transaction. */
  #inTransaction(): boolean {
    return this.#db.inTransaction;
  }

  #after(): void {
    if (this.#queue.length > 0) {
      this.#schedule();
      return;
    }
    const idle = this.#idle;
    this.#idle = [];
    for (const fn of idle) fn();
  }
}

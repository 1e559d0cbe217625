/**
 * Group commit for the SQLite hot path: the writes queued while the previous batch commits
 * (or, when idle, during one event-loop turn) go as the next batch, one
 * `BEGIN IMMEDIATE … COMMIT`, so a burst of call transitions costs one fsync
 * (`synchronous=FULL`) instead of one each. Acknowledged still means durable: every caller's
 * promise settles only after its batch's COMMIT returned.
 *
 * - Each job runs inside its own SAVEPOINT: a job that throws is rolled back alone and only
 *   its caller gets the error; the other jobs of the batch commit.
 * - If BEGIN or COMMIT fails (e.g. SQLITE_BUSY after the busy timeout, a full disk), the
 *   whole batch is rolled back and every caller of the batch gets the error.
 * - `BEGIN IMMEDIATE` takes the write lock up front, so several processes on one file
 *   serialise on it (busy_timeout) instead of failing mid-batch.
 * - One batch is out at a time; the executor runs it in a worker thread (a database file:
 *   the fsync does not block the event loop) or on the main thread (`sqlite::memory:`), see
 *   sqliteWriter.ts.
 */
import type { BatchExecutor, WriteJob } from './sqliteWriter.ts';

interface Job {
  job: WriteJob;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most jobs per transaction; the rest wait for the next one. */
  maxBatch?: number;
}

export class GroupCommit {
  readonly #executor: BatchExecutor;
  readonly #maxBatch: number;
  #queue: Job[] = [];
  #busy = false;
  #scheduled = false;
  #idle: (() => void)[] = [];
  /** Transactions committed (for tests and diagnostics). */
  commits = 0;

  constructor(executor: BatchExecutor, opts: GroupCommitOptions = {}) {
    this.#executor = executor;
    this.#maxBatch = opts.maxBatch ?? 1000;
  }

  /** Queues `job` for the next batch; settles with its result once the batch committed. */
  run(job: WriteJob): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      // idle: gather the rest of this turn's writes first; busy: they go when it returns
      if (!this.#busy && !this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          void this.#pump();
        });
      }
    });
  }

  /** Resolves when nothing is queued or committing (every job so far has settled). */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && !this.#busy) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async close(): Promise<void> {
    await this.drain();
    await this.#executor.close();
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    while (this.#queue.length > 0) {
      this.#busy = true;
      const jobs = this.#queue.splice(0, this.#maxBatch);
      let outcome;
      try {
        outcome = await this.#executor.runBatch(jobs.map((j) => j.job));
      } catch (error) {
        outcome = { ok: false as const, error };
      }
      if (outcome.ok) {
        this.commits++;
        jobs.forEach((j, i) => {
          const r = outcome.results[i];
          if (r?.ok) j.resolve(r.value);
          else j.reject(r ? r.error : new Error('no result for a queued write'));
        });
      } else {
        for (const j of jobs) j.reject(outcome.error);
      }
    }
    this.#busy = false;
    const idle = this.#idle;
    this.#idle = [];
    for (const fn of idle) fn();
  }
}

/**
 * Fresh planner statistics for a young `calls` table on PostgreSQL.
 *
 * The hot path's statements are prepared once per pooled connection, and after a few runs
 * PostgreSQL keeps one generic plan for each. A plan made while `calls` is small or has never
 * been analyzed reads the whole table (for a table of a few pages a sequential scan is the
 * cheapest way), and it stays cached while the table grows. Measured on a new database taking
 * 500 calls/s: each batched status move read all of its 6,000–8,500 calls, 1.1–1.6 ms per
 * statement instead of 0.3–0.4 ms. An ANALYZE makes every session plan its statements again
 * (once the table has a thousand rows or so, on the primary key or an index), but
 * autovacuum looks at a database at most once a minute (`autovacuum_naptime`), and a new
 * shop's first minute can be its busiest.
 *
 * So while the table is young this process analyzes it itself. After every
 * `max(checkEvery, a fifth of the table's rows)` calls it creates, it reads the table's
 * statistics and runs `ANALYZE calls` if the table was never analyzed or has grown by more
 * than a fifth (in pages) since it was. The size is the table's own, whichever process wrote
 * it, so several processes do not analyze it one after another. Once the table holds
 * `youngUntil` rows (100,000) it stops: by then the plans read the indexes, which stay the
 * cheapest path as the table grows, and autovacuum's schedule is enough.
 *
 * Nothing waits on it. Under a role that may not analyze the table (neither its owner nor the
 * database's) it stops at the first check and leaves it to autovacuum; a failed check (the
 * database restarting, say) is made again at the next one.
 */
import type pg from 'pg';

export interface CallsTableAnalyzerOptions {
  /** The fewest calls this process creates between two checks (500). */
  checkEvery?: number;
  /** The table's size in rows from which autovacuum alone keeps its statistics (100,000). */
  youngUntil?: number;
}

/**
 * The table as of its last analysis (`relpages`; `reltuples` is -1 when never analyzed), its
 * size now, in pages (what a plan made now would be costed on), and whether this role may
 * analyze it: the table's or the database's owner (or a superuser). For anyone else ANALYZE
 * does nothing but warn.
 */
const STATS = `
SELECT c.reltuples::float8 AS tuples, c.relpages::float8 AS pages,
       (pg_relation_size(c.oid) / current_setting('block_size')::int)::float8 AS pages_now,
       pg_has_role(c.relowner, 'USAGE') OR pg_has_role(d.datdba, 'USAGE') AS may_analyze
  FROM pg_class c, pg_database d
 WHERE c.oid = to_regclass('calls') AND d.datname = current_database()`;

interface Stats {
  tuples: number;
  pages: number;
  pages_now: number;
  may_analyze: boolean;
}

/** Analyzed again once it has grown by more than a fifth. */
const GROWTH = 1.2;

export class CallsTableAnalyzer {
  readonly #pool: pg.Pool;
  readonly #checkEvery: number;
  readonly #youngUntil: number;
  #created = 0;
  #nextCheck: number;
  /** The check under way, if any. */
  #running: Promise<void> | null = null;
  #stopped = false;
  /** Checks made and ANALYZE statements run (for tests and diagnostics). */
  checks = 0;
  analyses = 0;

  constructor(pool: pg.Pool, options: CallsTableAnalyzerOptions = {}) {
    this.#pool = pool;
    this.#checkEvery = options.checkEvery ?? 500;
    this.#youngUntil = options.youngUntil ?? 100_000;
    this.#nextCheck = this.#checkEvery;
  }

  /** A call was created by this process. */
  created(): void {
    if (this.#stopped || ++this.#created < this.#nextCheck || this.#running) return;
    this.#created = 0;
    this.#running = this.#check().then(
      () => {
        this.#running = null;
      },
      () => {
        this.#running = null; // tried again at the next check
      },
    );
  }

  /** Resolves once no check is under way (before the pool closes, and for tests). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #check(): Promise<void> {
    let stats = await this.#read();
    this.checks++;
    if (!stats?.may_analyze) {
      this.#stopped = true; // no calls table, or not ours to analyze: autovacuum's
      return;
    }
    if (stats.tuples < 0 || stats.pages_now > stats.pages * GROWTH) {
      await this.#pool.query('ANALYZE calls');
      this.analyses++;
      stats = (await this.#read()) ?? stats;
    }
    if (stats.tuples >= this.#youngUntil) this.#stopped = true;
    this.#nextCheck = Math.max(this.#checkEvery, stats.tuples * (GROWTH - 1));
  }

  async #read(): Promise<Stats | undefined> {
    return (await this.#pool.query<Stats>(STATS)).rows[0];
  }
}

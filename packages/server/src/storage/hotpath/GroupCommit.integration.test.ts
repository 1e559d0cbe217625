/**
 * Group commit on a real SQLite file (WAL, synchronous=FULL, as the adapter opens it), with
 * both executors: the worker thread with its own connection (database files) and the main
 * thread (`sqlite::memory:`). What one batch commits, what a failing job or a failing COMMIT
 * does to the others, and that no caller hears back before its transaction is committed. A
 * second connection to the same file is the outside observer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from './GroupCommit.ts';
import { InThreadExecutor, WorkerExecutor, type WriteJob } from './sqliteWriter.ts';

const turn = () => new Promise<void>((r) => setImmediate(r));
const insert = (...ids: string[]): WriteJob => ({
  op: 'exec',
  statements: ids.map((id) => ({ sql: 'INSERT INTO t (id) VALUES (?)', params: [id] })),
});

describe.each(['worker thread', 'main thread'] as const)('GroupCommit, %s', (mode) => {
  let dir: string;
  let db: BetterSqlite3.Database;
  let observer: BetterSqlite3.Database;
  let gc: GroupCommit;
  const seen = () =>
    (observer.prepare('SELECT id FROM t ORDER BY id').all() as { id: string }[]).map((r) => r.id);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-gc-'));
    const file = join(dir, 'gc.db');
    db = new BetterSqlite3(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE t (id TEXT PRIMARY KEY);
             CREATE TABLE parent (id TEXT PRIMARY KEY);
             CREATE TABLE child (id TEXT PRIMARY KEY,
               parent_id TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);`);
    observer = new BetterSqlite3(file, { readonly: true });
    gc = new GroupCommit(
      mode === 'worker thread' ? new WorkerExecutor(file) : new InThreadExecutor(db),
    );
  });
  afterEach(async () => {
    await gc.close();
    observer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the writes made in one turn in one transaction, each caller getting its own result', async () => {
    const results = await Promise.all(['a', 'b', 'c'].map((id) => gc.run(insert(id))));
    expect(results).toEqual([1, 1, 1]);
    expect(gc.commits).toBe(1);
    expect(seen()).toEqual(['a', 'b', 'c']);
    // a later turn is a new transaction
    await gc.run(insert('d'));
    expect(gc.commits).toBe(2);
  });

  it('fails only the job that throws: its writes are rolled back, the others commit', async () => {
    const [a, b, c] = await Promise.allSettled([
      gc.run(insert('a')),
      gc.run(insert('b', 'a')), // the second insert hits a's key after the first one worked
      gc.run(insert('c')),
    ]);
    expect(a).toEqual({ status: 'fulfilled', value: 1 });
    expect(b.status).toBe('rejected');
    const err = (b as PromiseRejectedResult).reason as Error & { code?: string };
    expect(err.message).toMatch(/UNIQUE constraint failed/);
    expect(err.code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(c).toEqual({ status: 'fulfilled', value: 1 });
    expect(seen()).toEqual(['a', 'c']);
  });

  it('answers nobody before the COMMIT: at resolution another connection sees the row', async () => {
    const p = gc.run(insert('x'));
    expect(seen()).toEqual([]); // queued: nothing written yet
    const visibleAtResolution = await p.then(() => seen());
    expect(visibleAtResolution).toEqual(['x']);
  });

  it('rejects every caller of a batch whose COMMIT fails, and keeps none of its writes', async () => {
    const settled = await Promise.allSettled([
      gc.run(insert('a')),
      // a deferred foreign key is checked at COMMIT: this makes the COMMIT itself fail
      gc.run({
        op: 'exec',
        statements: [
          { sql: 'INSERT INTO child (id, parent_id) VALUES (?, ?)', params: ['k', 'nobody'] },
        ],
      }),
      gc.run(insert('b')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(seen()).toEqual([]);
    // the writer is usable afterwards
    await expect(gc.run(insert('c'))).resolves.toBe(1);
    expect(seen()).toEqual(['c']);
  });

  it('groups the writes that arrive while a batch commits into the next one', async () => {
    const first = gc.run(insert('a'));
    await turn(); // the first batch is out
    const rest = ['b', 'c', 'd'].map((id) => gc.run(insert(id)));
    await Promise.all([first, ...rest]);
    expect(seen()).toEqual(['a', 'b', 'c', 'd']);
    expect(gc.commits).toBeLessThanOrEqual(2);
  });

  it('drains: resolves once every queued write has settled', async () => {
    const jobs = ['a', 'b'].map((id) => gc.run(insert(id)));
    await gc.drain();
    expect(seen()).toEqual(['a', 'b']);
    await Promise.all(jobs);
    await expect(gc.drain()).resolves.toBeUndefined();
  });
});

describe('GroupCommit on the main thread', () => {
  it('waits while another transaction is open on the connection instead of running inside it', async () => {
    const db = new BetterSqlite3(':memory:');
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
    const gc = new GroupCommit(new InThreadExecutor(db));
    db.exec('BEGIN');
    db.prepare("INSERT INTO t (id) VALUES ('outer')").run();
    let done = false;
    const p = gc.run(insert('job')).then((v) => {
      done = true;
      return v;
    });
    await turn();
    await turn();
    expect(done).toBe(false);
    db.exec('ROLLBACK'); // the other transaction goes away; the job must not go with it
    await expect(p).resolves.toBe(1);
    expect(db.prepare('SELECT id FROM t').all()).toEqual([{ id: 'job' }]);
    await gc.close();
    db.close();
  });
});

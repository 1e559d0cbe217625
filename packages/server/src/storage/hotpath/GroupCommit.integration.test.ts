/**
 * Group commit on a real SQLite file (WAL, synchronous=FULL, as the adapter opens it): what
 * one batch commits, what a failing job or a failing COMMIT does to the others, and that no
 * caller hears back before its transaction is on disk. A second connection to the same file
 * is the outside observer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from './GroupCommit.ts';

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('GroupCommit', () => {
  let dir: string;
  let db: BetterSqlite3.Database;
  let observer: BetterSqlite3.Database;
  let gc: GroupCommit;
  const insert = (id: string) => () => db.prepare('INSERT INTO t (id) VALUES (?)').run(id).changes;
  const seen = (conn: BetterSqlite3.Database) =>
    (conn.prepare('SELECT id FROM t ORDER BY id').all() as { id: string }[]).map((r) => r.id);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flux-gc-'));
    db = new BetterSqlite3(join(dir, 'gc.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.exec(`CREATE TABLE t (id TEXT PRIMARY KEY);
             CREATE TABLE parent (id TEXT PRIMARY KEY);
             CREATE TABLE child (id TEXT PRIMARY KEY,
               parent_id TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);`);
    observer = new BetterSqlite3(join(dir, 'gc.db'), { readonly: true });
    gc = new GroupCommit(db);
  });
  afterEach(() => {
    observer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits the jobs of one turn in one transaction, each caller getting its own result', async () => {
    const before = gc.commits;
    const results = await Promise.all(['a', 'b', 'c'].map((id) => gc.run(insert(id))));
    expect(results).toEqual([1, 1, 1]);
    expect(gc.commits - before).toBe(1);
    expect(seen(observer)).toEqual(['a', 'b', 'c']);
    // a later turn is a new transaction
    await gc.run(insert('d'));
    expect(gc.commits - before).toBe(2);
  });

  it('fails only the job that throws: its writes are rolled back, the others commit', async () => {
    const [a, b, c] = await Promise.allSettled([
      gc.run(insert('a')),
      gc.run(() => {
        insert('b')();
        insert('a')(); // duplicate key: this job fails after its first write
      }),
      gc.run(insert('c')),
    ]);
    expect(a).toEqual({ status: 'fulfilled', value: 1 });
    expect(b.status).toBe('rejected');
    expect(String((b as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(c).toEqual({ status: 'fulfilled', value: 1 });
    expect(seen(observer)).toEqual(['a', 'c']);
  });

  it('answers nobody before the COMMIT: at resolution another connection sees the row', async () => {
    let ran = false;
    const p = gc.run(() => {
      ran = true;
      return insert('x')();
    });
    // queued, not run yet: nothing written
    expect(ran).toBe(false);
    expect(seen(observer)).toEqual([]);
    const visibleAtResolution = await p.then(() => seen(observer));
    expect(visibleAtResolution).toEqual(['x']);
  });

  it('rejects every caller of a batch whose COMMIT fails, and keeps none of its writes', async () => {
    const settled = await Promise.allSettled([
      gc.run(insert('a')),
      // a deferred foreign key is checked at COMMIT: this makes the COMMIT itself fail
      gc.run(() => db.prepare("INSERT INTO child (id, parent_id) VALUES ('k', 'nobody')").run()),
      gc.run(insert('b')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(db.inTransaction).toBe(false);
    expect(seen(observer)).toEqual([]);
    // the connection is usable afterwards
    await expect(gc.run(insert('c'))).resolves.toBe(1);
    expect(seen(observer)).toEqual(['c']);
  });

  it('waits while another transaction is open on the connection instead of running inside it', async () => {
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
    expect(seen(observer)).toEqual(['job']);
  });

  it('drains: resolves once every queued job has settled', async () => {
    const jobs = ['a', 'b'].map((id) => gc.run(insert(id)));
    await gc.drain();
    expect(seen(observer)).toEqual(['a', 'b']);
    await Promise.all(jobs);
    await expect(gc.drain()).resolves.toBeUndefined();
  });
});

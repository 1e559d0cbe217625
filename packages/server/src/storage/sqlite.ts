/**
 * SQLite adapter: better-sqlite3 on a file (default ./data/flux.db) in WAL mode with
 * `synchronous=FULL` (a call record survives a power cut once written), foreign keys on and
 * a busy timeout so several processes can share the file. The call hot path
 * (`hotpath/SqliteHotPath.ts`) reads on this connection with statements prepared once and
 * writes through group commit in a worker thread with a second connection (the writes queued
 * while one batch commits share the next transaction and fsync; each is acknowledged only
 * after its COMMIT; the fsync never blocks the event loop).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
import type { Database } from './kysely/schema.ts';
import { KyselyStorage } from './kysely/KyselyStorage.ts';
import { SqliteHotPath } from './hotpath/SqliteHotPath.ts';

/** `sqlite:./data/flux.db`, `sqlite:///abs/path.db`, `sqlite::memory:` → file path. */
export function sqlitePath(databaseUrl: string): string {
  return databaseUrl.replace(/^sqlite:(\/\/)?/, '');
}

/**
 * Write transactions take the write lock up front (`BEGIN IMMEDIATE`): with several
 * processes on one file, a transaction that reads and then writes could otherwise fail with
 * SQLITE_BUSY when another process committed in between; this way it waits (busy_timeout).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly cfg: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(cfg);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.cfg);
  }
}

export function createSqliteStorage(file: string): KyselyStorage {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: raw }) });
  return new KyselyStorage('sqlite', db, new SqliteHotPath(raw, { file, synchronous: 'FULL' }));
}

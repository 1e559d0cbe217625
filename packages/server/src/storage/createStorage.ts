import type { Storage } from './Storage.ts';
import { createPostgresStorage } from './postgres.ts';
import { createSqliteStorage, sqlitePath } from './sqlite.ts';

/** Picks the adapter from DATABASE_URL (`postgres://…` or `sqlite:…`). Call `migrate()` next. */
export function createStorage(databaseUrl: string, options: { poolSize?: number } = {}): Storage {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return createPostgresStorage(databaseUrl, options);
  return createSqliteStorage(sqlitePath(databaseUrl));
}

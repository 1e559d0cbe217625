import { createTestDatabase } from '../testing/databases.ts';
import { createStorage } from './createStorage.ts';
import { storageContract } from './storage.contract.ts';

storageContract('SQLite', async () => {
  const db = await createTestDatabase('sqlite');
  const storage = createStorage(db.url);
  await storage.migrate();
  // better-sqlite3 is synchronous: a second connection in the same thread would block the
  // event loop while the first holds the write lock, so concurrency across connections is
  // tested with real processes in sqlite.multiprocess.integration.test.ts.
  return {
    storage,
    second: storage,
    cleanup: async () => {
      await storage.close();
      await db.drop();
    },
  };
});

// `sqlite::memory:` has one connection: the hot path's writes run on the main thread there
// (no worker), the same writer code as for a file
storageContract('SQLite in memory', async () => {
  const storage = createStorage('sqlite::memory:');
  await storage.migrate();
  return {
    storage,
    second: storage,
    cleanup: () => storage.close(),
  };
});

import { describe, it } from 'vitest';
import { createTestDatabase, databaseKinds } from '../testing/databases.ts';
import { createStorage } from './createStorage.ts';
import { storageContract } from './storage.contract.ts';

const kinds = await databaseKinds('Storage contract');

if (kinds.includes('postgres')) {
  storageContract('PostgreSQL', async () => {
    const db = await createTestDatabase('postgres');
    const storage = createStorage(db.url, { poolSize: 8 });
    await storage.migrate();
    const second = createStorage(db.url, { poolSize: 8 });
    await second.migrate();
    return {
      storage,
      second,
      cleanup: async () => {
        await storage.close();
        await second.close();
        await db.drop();
      },
    };
  });
} else {
  describe('Storage contract: PostgreSQL', () => {
    it.skip('SKIPPED: PostgreSQL is unreachable (see the warning above)', () => undefined);
  });
}

/**
 * Reachability of the machine's PostgreSQL and Redis for multi-process tests: with CI=true
 * an unreachable service fails the suite; otherwise the suite is skipped with a message.
 */
import { Redis } from 'ioredis';
import { postgresUnavailable } from '../../../testing/databases.ts';

export const TEST_REDIS_URL = process.env.FLUX_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisUnavailable(): Promise<string | null> {
  const r = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    r.disconnect();
  }
}

/** null when PostgreSQL and Redis answer; the reason to skip otherwise (throws in CI). */
export async function multiProcessSkipReason(suite: string): Promise<string | null> {
  const [pg, redis] = await Promise.all([postgresUnavailable(), redisUnavailable()]);
  const why = [pg && `PostgreSQL: ${pg}`, redis && `Redis at ${TEST_REDIS_URL}: ${redis}`]
    .filter(Boolean)
    .join('; ');
  if (!why) return null;
  if (process.env.CI === 'true') {
    throw new Error(`${suite}: ${why}, and CI=true: these tests must run.`);
  }
  // eslint-disable-next-line no-console -- a skipped suite must say so where the runner shows it
  console.warn(`\n[SKIPPED] ${suite}: ${why}. Set CI=true to make this a failure.\n`);
  return why;
}

/**
 * The Redis bus against the machine's Redis, under a key prefix of its own: a node's
 * heartbeat is seen by the other processes, and a clean close takes it out at once.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { multiProcessSkipReason, TEST_REDIS_URL } from '../modules/realtime/testing/services.ts';
import { RedisBus } from './RedisBus.ts';

const skip = await multiProcessSkipReason('the Redis bus');

describe.skipIf(skip !== null)('RedisBus', () => {
  const prefix = `flux-test-${randomBytes(4).toString('hex')}:`;

  afterAll(async () => {
    const bus = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    await bus.flushPrefix();
    await bus.close();
  });

  it('takes its node out when it closes, so the other processes stop counting it at once', async () => {
    const leaving = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    const staying = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    try {
      const seen = await staying.nodeLastSeen([leaving.nodeId, staying.nodeId]);
      expect([...seen.keys()].sort()).toEqual([leaving.nodeId, staying.nodeId].sort());
      await leaving.close();
      expect([...(await staying.nodeLastSeen([leaving.nodeId, staying.nodeId])).keys()]).toEqual([
        staying.nodeId,
      ]);
    } finally {
      await leaving.close();
      await staying.close();
    }
    // the last one out leaves no key under the prefix
    const check = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    await check.close();
    const look = await RedisBus.connect({ url: TEST_REDIS_URL, prefix });
    expect([
      ...(await look.nodeLastSeen([leaving.nodeId, staying.nodeId, check.nodeId])).keys(),
    ]).toEqual([]);
    await look.close();
  });
});

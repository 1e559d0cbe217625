export type { Bus, BusHandler, BusMessage } from './Bus.ts';
export { MemoryBus } from './MemoryBus.ts';
export { RedisBus } from './RedisBus.ts';
import type { Bus } from './Bus.ts';
import { MemoryBus } from './MemoryBus.ts';
import { RedisBus } from './RedisBus.ts';

/** MemoryBus without a Redis URL; a connected RedisBus with one. */
export async function createBus(options: {
  redisUrl: string | null;
  prefix?: string;
  heartbeatMs?: number;
  onError?: (error: unknown) => void;
}): Promise<Bus> {
  if (!options.redisUrl) return new MemoryBus();
  return RedisBus.connect({
    url: options.redisUrl,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
  });
}

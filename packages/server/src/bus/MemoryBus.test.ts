/**
 * The in-process bus drops expired keys that nobody reads again (call routes live a day and
 * are rarely read after the call): memory follows the time to live, not the calls ever made.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from './MemoryBus.ts';

const buses: MemoryBus[] = [];
afterEach(async () => {
  for (const b of buses.splice(0)) await b.close();
});

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 200) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('MemoryBus keys', () => {
  it('sweeps expired keys that are never read again, and keeps the live ones', async () => {
    const bus = new MemoryBus('n1', 20);
    buses.push(bus);
    await bus.set('call:a', 'route a', 0.01);
    await bus.push('call:a:sig', 'candidate', 0.01);
    expect(await bus.setIfAbsent('call:a:acc', 'console', 0.01)).toBe(true);
    await bus.set('call:b', 'route b', 60);
    expect(bus.keyCount).toBe(4);
    await until(() => bus.keyCount === 1);
    expect(await bus.get('call:b')).toBe('route b');
    expect(await bus.get('call:a')).toBeNull();
    // an expired answer slot can be taken again
    expect(await bus.setIfAbsent('call:a:acc', 'other console', 60)).toBe(true);
  });
});

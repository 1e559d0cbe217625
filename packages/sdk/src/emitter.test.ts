import { describe, expect, it } from 'vitest';
import { createHub, safeCall } from './emitter.ts';
import { setLogLevel } from './logger.ts';

setLogLevel('silent');

describe('event hub', () => {
  it('delivers to every listener in order, and off() removes one', () => {
    const hub = createHub();
    const seen: string[] = [];
    const a = (d: { callId: string }) => seen.push(`a:${d.callId}`);
    hub.on('ringing', a);
    hub.on('ringing', (d) => seen.push(`b:${d.callId}`));
    hub.emit('ringing', { callId: 'c1' });
    hub.off('ringing', a);
    hub.emit('ringing', { callId: 'c2' });
    expect(seen).toEqual(['a:c1', 'b:c1', 'b:c2']);
  });

  it('isolates a throwing or rejecting listener from the others and from the caller', async () => {
    const hub = createHub();
    const seen: string[] = [];
    hub.on('connected', () => {
      throw new Error('page bug');
    });
    // A page may pass an async listener; its rejection must be contained too.
    // A page may pass an async listener; its rejection must be contained too.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- that is the case under test
    const rejecting: () => void = async () => {
      await Promise.resolve();
      throw new Error('async page bug');
    };
    hub.on('connected', rejecting);
    hub.on('connected', (d) => seen.push(d.callId));
    expect(() => hub.emit('connected', { callId: 'c1' })).not.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['c1']);
  });

  it('safeCall never throws', () => {
    expect(() =>
      safeCall('x', () => {
        throw new Error('boom');
      }),
    ).not.toThrow();
  });
});

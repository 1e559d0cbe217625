import { describe, expect, it } from 'vitest';
import { BoundedMap } from './BoundedMap.ts';

describe('BoundedMap', () => {
  it('keeps at most max entries, dropping the oldest', () => {
    const m = new BoundedMap<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd', 'e'].entries()) m.set(k, i);
    expect([...m.keys()]).toEqual(['c', 'd', 'e']);
    expect(m.get('a')).toBeUndefined();
    expect(m.get('e')).toBe(4);
  });

  it('counts setting a key again as new: it is dropped last', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([...m.entries()]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
    expect(() => new BoundedMap(1.5)).toThrow(RangeError);
  });
});

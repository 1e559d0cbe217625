import { describe, expect, it } from 'vitest';
import { splitPool } from './postgres.ts';

describe('splitPool', () => {
  it('gives the hot path a third of the connections, 1 to 6, and the rest the others', () => {
    expect(splitPool(20)).toEqual({ hot: 6, rest: 14 });
    expect(splitPool(9)).toEqual({ hot: 3, rest: 6 });
    expect(splitPool(4)).toEqual({ hot: 1, rest: 3 });
    expect(splitPool(1000)).toEqual({ hot: 6, rest: 994 });
  });

  it('keeps one connection for each side of a pool of one', () => {
    expect(splitPool(1)).toEqual({ hot: 1, rest: 1 });
    expect(splitPool(2)).toEqual({ hot: 1, rest: 1 });
  });
});

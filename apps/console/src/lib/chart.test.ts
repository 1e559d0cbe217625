import { describe, expect, it } from 'vitest';
import { axis, labelEvery, ticks } from './chart.ts';

describe('chart scales', () => {
  it('axis() picks whole, round steps and a top that holds the maximum', () => {
    expect(axis(0)).toEqual({ top: 1, step: 1 });
    expect(axis(4)).toEqual({ top: 4, step: 1 });
    expect(axis(5)).toEqual({ top: 6, step: 2 });
    expect(axis(13)).toEqual({ top: 15, step: 5 });
    expect(axis(260)).toEqual({ top: 300, step: 100 });
  });
  it('ticks() lists every step from 0 to the top', () => {
    expect(ticks(15, 5)).toEqual([0, 5, 10, 15]);
  });
  it('labelEvery() thins out day labels', () => {
    expect(labelEvery(7)).toBe(1);
    expect(labelEvery(30)).toBe(3);
    expect(labelEvery(90)).toBe(9);
  });
});

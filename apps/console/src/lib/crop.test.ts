import { describe, expect, it } from 'vitest';
import { clampCrop, sourceRect } from './crop.ts';

describe('square crop', () => {
  it('shows the centred square of a landscape image at zoom 1', () => {
    expect(sourceRect(1000, 500, 250, { zoom: 1, x: 0, y: 0 })).toEqual({
      sx: 250,
      sy: 0,
      size: 500,
    });
  });
  it('zooming in shrinks the source square around the centre', () => {
    const r = sourceRect(1000, 1000, 250, { zoom: 2, x: 0, y: 0 });
    expect(r).toEqual({ sx: 250, sy: 250, size: 500 });
  });
  it('panning is clamped so the square stays covered', () => {
    const c = clampCrop(1000, 500, 250, { zoom: 1, x: 9999, y: 50 });
    expect(c.y).toBe(0);
    expect(c.x).toBe(125);
    expect(sourceRect(1000, 500, 250, { zoom: 1, x: 9999, y: 0 }).sx).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { newId } from './rows.ts';

describe('newId', () => {
  it('sorts ids made in the same millisecond in creation order', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
  it('makes URL-safe ids that fit the protocol IdSchema', () => {
    for (let i = 0; i < 50; i++) expect(newId()).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

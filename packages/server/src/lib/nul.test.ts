import { describe, expect, it } from 'vitest';
import { findNul } from './nul.ts';

describe('findNul', () => {
  it('finds nothing in text without NUL, other control characters included', () => {
    expect(findNul({ a: 'x', b: ['tab\there', 'line\nbreak', '\u0001'], c: 1, d: null })).toBe(
      null,
    );
    expect(findNul('plain')).toBe(null);
    expect(findNul(Buffer.from([0, 0, 0]))).toBe(null); // raw uploads are bytes, not text
  });

  it('names the first field that holds it, as a dotted path', () => {
    expect(findNul('a\u0000')).toBe('');
    expect(findNul({ name: 'a\u0000b' })).toBe('name');
    expect(findNul({ user: { name: 'ok', email: 'x\u0000' } })).toBe('user.email');
    expect(findNul({ productIds: ['a', 'b', '\u0000'] })).toBe('productIds.2');
    expect(findNul({ first: 'ok', second: '\u0000', third: '\u0000' })).toBe('second');
  });

  it('checks keys too', () => {
    expect(findNul({ strings: { 'bad\u0000key': 'value' } })).toBe('strings.bad\u0000key');
  });

  it('walks a deeply nested value without overflowing the stack', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    // the path it names is cut at 200 characters
    expect(findNul(deep)).toBe(`${'0.'.repeat(100)}…`);
  });
});

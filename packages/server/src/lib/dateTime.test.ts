import { describe, expect, it } from 'vitest';
import { parseDateTime } from './dateTime.ts';

describe('parseDateTime', () => {
  it('reads RFC 3339 times, offsets and fractions included', () => {
    expect(parseDateTime('2026-12-06T10:00:00Z')?.toISOString()).toBe('2026-12-06T10:00:00.000Z');
    expect(parseDateTime('2026-12-06t11:00:00.25+01:00')?.toISOString()).toBe(
      '2026-12-06T10:00:00.250Z',
    );
  });

  it('reads a leap second as the first instant of the next minute', () => {
    expect(parseDateTime('2016-12-31T23:59:60Z')?.toISOString()).toBe('2017-01-01T00:00:00.000Z');
    expect(parseDateTime('2016-12-31T23:59:60.5Z')?.toISOString()).toBe('2017-01-01T00:00:00.500Z');
    expect(parseDateTime('2017-01-01T00:59:60+01:00')?.toISOString()).toBe(
      '2017-01-01T00:00:00.000Z',
    );
  });

  it('gives null for what is not a time', () => {
    expect(parseDateTime('yesterday')).toBe(null);
    expect(parseDateTime('2026-12-06T10:00:61Z')).toBe(null);
  });
});

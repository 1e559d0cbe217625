import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from './csv.ts';

describe('parseCsv', () => {
  it('parses plain and quoted fields with their line numbers', () => {
    expect(parseCsv('a,b,c\n1,"two, too","say ""hi"""\r\n\n3,,\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'two, too', 'say "hi"'] },
      { line: 4, fields: ['3', '', ''] },
    ]);
  });

  it('keeps newlines inside quotes and counts lines after them', () => {
    expect(parseCsv('a,"multi\nline"\nb,c')).toEqual([
      { line: 1, fields: ['a', 'multi\nline'] },
      { line: 3, fields: ['b', 'c'] },
    ]);
  });

  it('handles a BOM, no trailing newline, and empty quoted fields', () => {
    expect(parseCsv('\uFEFFx,""')).toEqual([{ line: 1, fields: ['x', ''] }]);
    expect(parseCsv('')).toEqual([]);
  });

  it('reports malformed quoting with the line', () => {
    expect(() => parseCsv('a\n"open')).toThrow(CsvError);
    expect(() => parseCsv('a\n"x"y')).toThrow(/closing quote/);
    expect(() => parseCsv('a"b')).toThrow(/quote inside/);
    try {
      parseCsv('ok\nok\n"never closed');
    } catch (e) {
      expect((e as CsvError).line).toBe(3);
    }
  });
});

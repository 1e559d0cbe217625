import { describe, expect, it } from 'vitest';
import { parseProductCsv } from './productImport.ts';

describe('parseProductCsv', () => {
  it('maps columns in any order and keeps absent columns untouched', () => {
    const r = parseProductCsv('price,name,currency,external_id\n1500,"Cap, red",USD,EXT-9\n');
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([
      { line: 2, input: { name: 'Cap, red', price: 1500, currency: 'USD', externalId: 'EXT-9' } },
    ]);
  });

  it('reports header problems on row 1', () => {
    expect(parseProductCsv('sku,name,price').errors).toEqual([
      { row: 1, message: 'missing column "currency"' },
    ]);
    expect(parseProductCsv('name,price,currency').errors[0]?.message).toContain('sku');
    expect(parseProductCsv('sku,name,price,currency,colour').errors[0]?.message).toContain(
      'unknown column "colour"',
    );
  });

  it('reports each bad row with its line number and every reason', () => {
    const r = parseProductCsv(
      [
        'sku,name,price,currency,page_url',
        'A,,abc,eur,javascript:x',
        'B,Ok,100,EUR,/p/b',
        'B,Dup,100,EUR,',
      ].join('\n'),
    );
    expect(r.rows.map((x) => x.line)).toEqual([3]);
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]?.row).toBe(2);
    for (const word of ['name', 'price', 'currency', 'page_url'])
      expect(r.errors[0]?.message).toContain(word);
    expect(r.errors[1]).toEqual({ row: 4, message: 'sku B already appears on row 3' });
  });
});

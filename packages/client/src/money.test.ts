import { describe, expect, it } from 'vitest';
import { formatMoney } from './money.ts';

describe('formatMoney', () => {
  it('makes one formatter per locale and currency, and none for a bad currency', () => {
    const Real = Intl.NumberFormat;
    let made = 0;
    class Counted extends Real {
      constructor(...args: ConstructorParameters<typeof Real>) {
        made++;
        super(...args);
      }
    }
    Intl.NumberFormat = Counted as typeof Intl.NumberFormat;
    try {
      for (let i = 0; i < 5; i++) {
        expect(formatMoney(1000 + i, 'CHF', 'en-GB')).toBe(`CHF\u00a010.0${i}`);
        expect(formatMoney(1000, 'nope', 'en-GB')).toBe('10.00 nope');
      }
      expect(made).toBe(2);
      expect(formatMoney(1000, 'CHF', 'fr-CH')).toMatch(/^10[.,]00\s?CHF$/);
      expect(made).toBe(3);
    } finally {
      Intl.NumberFormat = Real;
    }
  });
});

import { describe, expect, it } from 'vitest';
import { whitelistMatch } from './whitelist.ts';

describe('whitelistMatch', () => {
  it('no whitelist matches every page; an empty one none', () => {
    expect(whitelistMatch(undefined, 'https://shop.test/a')).toBe(true);
    expect(whitelistMatch([], 'https://shop.test/a')).toBeUndefined();
  });
  it('tests RegExps against the full URL, as the spec example does', () => {
    const re = /\/product\/123$/m;
    expect(whitelistMatch([re], 'https://shop.test/product/123')).toBe(re);
    expect(whitelistMatch([re], 'https://shop.test/product/1234')).toBeUndefined();
    expect(whitelistMatch([re], 'https://shop.test/product/123?utm=x')).toBeUndefined();
    expect(whitelistMatch([/^https:\/\/shop\.test\//], 'https://shop.test/x')).not.toBeUndefined();
  });
  it('is not fooled by a global RegExp’s lastIndex', () => {
    const re = /product/g;
    expect(whitelistMatch([re], 'https://shop.test/product')).toBe(re);
    expect(whitelistMatch([re], 'https://shop.test/product')).toBe(re);
  });
  it('treats strings as globs on the path, or on the URL when they contain ://', () => {
    expect(whitelistMatch(['/product/*'], 'https://shop.test/product/123?x=1')).toBe('/product/*');
    expect(whitelistMatch(['/product/*'], 'https://shop.test/products')).toBeUndefined();
    expect(whitelistMatch(['/cart'], 'https://shop.test/cart/')).toBeUndefined();
    expect(whitelistMatch(['/a.b'], 'https://shop.test/axb')).toBeUndefined();
    expect(
      whitelistMatch(['https://shop.test/*?ref=*'], 'https://shop.test/p?ref=mail#top'),
    ).not.toBeUndefined();
  });
});

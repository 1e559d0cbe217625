import { describe, expect, it } from 'vitest';
import {
  check,
  checkAll,
  currency,
  email,
  httpUrl,
  webhookUrl,
  integerBetween,
  origin,
  parseHourRanges,
  parsePrice,
  password,
  required,
  tag,
} from './validate.ts';

describe('form validators', () => {
  it('required() rejects blank text and names the field', () => {
    expect(required('Name')('   ')).toBe('Name is required.');
    expect(required('Name')('Mia')).toBeNull();
  });

  it('email() accepts a plain address and rejects one without a domain', () => {
    expect(email('mia@groovy-hats.test')).toBeNull();
    expect(email('mia@')).toMatch(/email/i);
    expect(email('')).toBeNull();
  });

  it('password() counts down to the 10-character minimum', () => {
    expect(password('abc')).toBe('At least 10 characters (7 more).');
    expect(password('0123456789')).toBeNull();
  });

  it('webhookUrl() wants an absolute http(s) URL without credentials or fragment', () => {
    expect(webhookUrl('https://hooks.shop.example/flux?x=1')).toBeNull();
    expect(webhookUrl('http://127.0.0.1:9000/h')).toBeNull();
    expect(webhookUrl('/relative')).toMatch(/https/);
    expect(webhookUrl('ftp://x')).toMatch(/https/);
    expect(webhookUrl('https://exa mple')).toMatch(/valid/);
    expect(webhookUrl('https://u:p@x.example/')).toMatch(/password/);
    expect(webhookUrl('https://x.example/#a')).toMatch(/fragment/);
  });

  it('httpUrl() allows http(s) URLs and server paths only', () => {
    expect(httpUrl('https://cdn.example/a.png')).toBeNull();
    expect(httpUrl('/api/v1/photos/x.jpg')).toBeNull();
    expect(httpUrl('ftp://x')).toMatch(/https/);
    expect(httpUrl('https://exa mple')).toMatch(/valid/);
  });

  it('origin() refuses a path or trailing slash', () => {
    expect(origin('https://shop.example')).toBeNull();
    expect(origin('http://localhost:5173')).toBeNull();
    expect(origin('https://shop.example/')).toMatch(/no path/);
    expect(origin('shop.example')).toMatch(/https/);
  });

  it('tag() matches the protocol pattern', () => {
    expect(tag('fashion-support')).toBeNull();
    expect(tag('Fashion')).not.toBeNull();
    expect(tag('-x')).not.toBeNull();
    expect(tag('a'.repeat(41))).toMatch(/40/);
  });

  it('currency() wants three capitals', () => {
    expect(currency('EUR')).toBeNull();
    expect(currency('eur')).not.toBeNull();
  });

  it('parsePrice() turns major units into cents without float errors', () => {
    expect(parsePrice('19.90')).toBe(1990);
    expect(parsePrice('19,9')).toBe(1990);
    expect(parsePrice('0.07')).toBe(7);
    expect(parsePrice('1000000')).toBe(100_000_000);
    expect(parsePrice('1000000.01')).toBeNull();
    expect(parsePrice('1.999')).toBeNull();
    expect(parsePrice('-1')).toBeNull();
  });

  it('integerBetween() enforces whole numbers in range', () => {
    const ring = integerBetween(5, 300);
    expect(ring('30')).toBeNull();
    expect(ring('4')).toMatch(/5 to 300/);
    expect(ring('7.5')).not.toBeNull();
  });

  it('parseHourRanges() normalises ranges and reports the bad one', () => {
    expect(parseHourRanges('9:00-12:30, 13:30 - 18:00')).toEqual({
      ranges: ['09:00-12:30', '13:30-18:00'],
    });
    expect(parseHourRanges('')).toEqual({ ranges: [] });
    expect(parseHourRanges('18:00-09:00')).toEqual({
      error: '“18:00-09:00” ends before it starts.',
    });
    expect(parseHourRanges('25:00-26:00')).toHaveProperty('error');
    expect(parseHourRanges('9-17')).toHaveProperty('error');
    expect(parseHourRanges('00:00-24:00')).toEqual({ ranges: ['00:00-24:00'] });
  });

  it('check() returns the first failing rule; checkAll() only the failing fields', () => {
    expect(check('', required('Email'), email)).toBe('Email is required.');
    expect(checkAll({ a: '', b: 'ok' }, { a: [required('A')], b: [required('B')] })).toEqual({
      a: 'A is required.',
    });
  });
});

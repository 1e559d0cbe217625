/**
 * Field validators of the console's forms. Each returns a message for the user, or null
 * when the value is fine. They mirror the limits of the protocol's schemas so forms can
 * validate as the user types; the server stays the authority (its errors are shown too).
 */
export type Validator = (value: string) => string | null;

export const required =
  (label = 'This field'): Validator =>
  (v) =>
    v.trim() === '' ? `${label} is required.` : null;

export const maxLength =
  (n: number): Validator =>
  (v) =>
    v.length > n ? `At most ${n} characters.` : null;

export const minLength =
  (n: number, what = 'characters'): Validator =>
  (v) =>
    v.length > 0 && v.length < n ? `At least ${n} ${what}.` : null;

export const email: Validator = (v) => {
  if (v.trim() === '') return null;
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.trim()) ? null : 'Enter an email like name@shop.com.';
};

export const password: Validator = (v) =>
  v.length > 0 && v.length < 10
    ? `At least 10 characters (${10 - v.length} more).`
    : v.length > 200
      ? 'At most 200 characters.'
      : null;

/** http(s) URL or a path on this server (the protocol's HttpUrl). Empty is allowed. */
export const httpUrl: Validator = (v) => {
  const s = v.trim();
  if (s === '') return null;
  if (s.length > 2048) return 'At most 2048 characters.';
  if (s.startsWith('/')) return null;
  if (!/^https?:\/\//.test(s)) return 'Start with https:// or http://.';
  try {
    new URL(s);
    return null;
  } catch {
    return 'This is not a valid URL.';
  }
};

/** A webhook URL: absolute http(s), no user name or password, no #fragment (as the server checks). */
export const webhookUrl: Validator = (v) => {
  const s = v.trim();
  if (s === '') return null;
  if (s.length > 2048) return 'At most 2048 characters.';
  if (!/^https?:\/\//i.test(s)) return 'Start with https:// or http://.';
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return 'This is not a valid URL.';
  }
  if (url.username || url.password) return 'Leave out the user name and password.';
  if (url.hash || s.includes('#')) return 'Leave out the #fragment.';
  return null;
};

/** An allowed origin: scheme and host (and port), nothing else. */
export const origin: Validator = (v) => {
  const s = v.trim();
  if (s === '') return null;
  if (!/^https?:\/\//.test(s)) return 'Start with https:// or http://.';
  if (!/^https?:\/\/[^/\s?#]+$/.test(s))
    return 'Only scheme and host, e.g. https://shop.example (no path or trailing slash).';
  return null;
};

export const TAG_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const tag: Validator = (v) => {
  if (v === '') return null;
  if (v.length > 40) return 'A tag has at most 40 characters.';
  return TAG_PATTERN.test(v)
    ? null
    : 'Lowercase letters, digits, - and _ only, starting with a letter or digit.';
};

export const currency: Validator = (v) =>
  v === '' || /^[A-Z]{3}$/.test(v) ? null : 'Three capital letters, e.g. EUR.';

/** A price typed in major units ("19.90") → minor units (1990), or null if invalid. */
export function parsePrice(v: string): number | null {
  const s = v.trim().replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null;
  const [whole = '0', frac = ''] = s.split('.');
  const minor = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return Number.isSafeInteger(minor) && minor <= 100_000_000 ? minor : null;
}

export const price: Validator = (v) => {
  if (v.trim() === '') return null;
  return parsePrice(v) === null ? 'A price like 19.90 (up to 1,000,000.00).' : null;
};

export const integerBetween =
  (min: number, max: number): Validator =>
  (v) => {
    if (v.trim() === '') return null;
    const n = Number(v);
    return Number.isInteger(n) && n >= min && n <= max
      ? null
      : `A whole number from ${min} to ${max}.`;
  };

/** "09:00-17:30, 18:00-20:00" → list of ranges, or an error message. */
export function parseHourRanges(v: string): { ranges: string[] } | { error: string } {
  const parts = v
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const ranges: string[] = [];
  for (const p of parts) {
    const m = /^(\d{1,2}):(\d\d)\s*-\s*(\d{1,2}):(\d\d)$/.exec(p);
    if (!m) return { error: `“${p}” is not a range like 09:00-17:00.` };
    const [h1, m1, h2, m2] = [m[1], m[2], m[3], m[4]].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    if (h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59 || (h2 === 24 && m2 !== 0))
      return { error: `“${p}” has an impossible time.` };
    if (h2 * 60 + m2 <= h1 * 60 + m1) return { error: `“${p}” ends before it starts.` };
    const pad = (n: number) => String(n).padStart(2, '0');
    ranges.push(`${pad(h1)}:${pad(m1)}-${pad(h2)}:${pad(m2)}`);
  }
  return { ranges };
}

/** Runs validators in order and returns the first message. */
export function check(value: string, ...validators: Validator[]): string | null {
  for (const v of validators) {
    const msg = v(value);
    if (msg) return msg;
  }
  return null;
}

/** Validates a record of fields; returns only the failing ones. */
export function checkAll<K extends string>(
  values: Record<K, string>,
  rules: Partial<Record<K, Validator[]>>,
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of Object.keys(rules) as K[]) {
    const msg = check(values[key], ...(rules[key] ?? []));
    if (msg) out[key] = msg;
  }
  return out;
}

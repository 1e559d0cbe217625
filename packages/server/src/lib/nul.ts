/**
 * Text from clients may not hold U+0000 (NUL). PostgreSQL's text type cannot store it (the
 * write fails with "invalid byte sequence"), while SQLite stores it; so that a request gets
 * the same answer on either database, and a bad field a clear error instead of a failed write,
 * the edge refuses it in every string and key of a request or a socket message.
 *
 * JSON can carry NUL only as the escape `\u0000`, and JSON Schema has no rule against it, so
 * the schemas let it through; this is the check that does not.
 */

/** The message every refusal gives for the field. */
export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/** Longest field path a refusal names (a deeply nested body would otherwise echo itself). */
const MAX_PATH = 200;

/**
 * The dotted path (`user.name`, `productIds.2`) of the first string or key in `value` that holds
 * U+0000, `''` when it is `value` itself, or `null` when there is none; a path over 200
 * characters is cut, ending in `…`. Walks without recursion, so a deeply nested body cannot
 * overflow the stack.
 */
export function findNul(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [v, path] = next;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return capped(path);
      continue;
    }
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], join(path, String(i))]);
      continue;
    }
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i] as [string, unknown];
      const at = join(path, key);
      if (key.includes('\u0000')) return capped(at);
      stack.push([item, at]);
    }
  }
  return null;
}

function capped(path: string): string {
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** A copy of `obj` without `key` (e.g. to clear one field's server error). */
export function without<T extends Record<string, unknown>>(obj: T, key: string): T {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key)) as T;
}

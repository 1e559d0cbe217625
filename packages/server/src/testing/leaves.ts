/** Hostile-input tests: the strings of a sample request or message, and copies with one changed. */

/** The path of every string in `value` (`['user', 'name']`), as the server names fields. */
export function stringLeaves(value: unknown, path: string[] = []): string[][] {
  if (typeof value === 'string') return [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
}

/** A copy of `value` with the string at `path` replaced by `leaf`. */
export function withLeaf(value: unknown, path: string[], leaf: string): Record<string, unknown> {
  const copy = structuredClone(value) as Record<string, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path[path.length - 1] as string] = leaf;
  return copy;
}

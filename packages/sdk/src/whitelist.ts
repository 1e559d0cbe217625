/**
 * Whitelist semantics (docs/integration.md › whitelist):
 * - no whitelist → every page; an empty array → no page.
 * - RegExp → tested against the full `location.href` (scheme, host, path, query, hash), as
 *   in the spec's example `/\/product\/123$/m`. `lastIndex` is reset, so `g`/`y` flags are safe.
 * - string → a glob where `*` matches any run of characters (including `/`); it must match
 *   the whole path (`location.pathname`), or, when it contains `://`, the whole URL without
 *   the hash. `/product/*` matches `/product/123` and `/product/a/b`, not `/products`.
 */
export type WhitelistEntry = RegExp | string;

/** The entry of `list` that matches `href`, `true` when there is no list, or undefined. */
export function whitelistMatch(
  list: readonly WhitelistEntry[] | undefined,
  href: string,
): WhitelistEntry | true | undefined {
  if (!list) return true;
  return list.find((entry) => {
    if (typeof entry !== 'string') {
      entry.lastIndex = 0;
      return entry.test(href);
    }
    // Escape everything but `*`, which becomes `.*`.
    const glob = entry.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
    return RegExp(`^${glob}$`).test(
      entry.includes('://') ? href.replace(/#.*/, '') : new URL(href).pathname,
    );
  });
}

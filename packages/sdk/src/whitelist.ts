/**
 * Whitelist semantics (docs/integration.md › Whitelist):
 * - no whitelist → every page; an empty array → no page.
 * - RegExp → tested against the full `location.href` (scheme, host, path, query, hash), as
 *   in the spec's example `/\/product\/123$/m`. `lastIndex` is reset so `g`/`y` flags are safe.
 * - string → a glob where `*` matches any run of characters (including `/`); it must match
 *   the whole path (`location.pathname`), or, when it contains `://`, the whole URL without
 *   the hash. `/product/*` matches `/product/123` and `/product/a/b`, not `/products`.
 */
export type WhitelistEntry = RegExp | string;

const globCache = new Map<string, RegExp>();
function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob);
  if (!re) {
    const body = glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`);
    globCache.set(glob, re);
  }
  return re;
}

/** The entry of `list` that matches `href`, `true` when there is no list, or null. */
export function whitelistMatch(
  list: readonly WhitelistEntry[] | undefined,
  href: string,
): WhitelistEntry | true | null {
  if (!list) return true;
  let url: URL | null = null;
  try {
    url = new URL(href);
  } catch {
    /* keep null: only RegExps can match */
  }
  for (const entry of list) {
    if (entry instanceof RegExp) {
      entry.lastIndex = 0;
      if (entry.test(href)) return entry;
    } else if (url) {
      const subject = entry.includes('://') ? url.href.replace(/#.*$/, '') : url.pathname;
      if (globToRegExp(entry).test(subject)) return entry;
    }
  }
  return null;
}

/**
 * Validation of `FluxPlayer.init(options)`. Hand-written and table-driven on purpose: the
 * loader must stay under 5 KB gzipped, so it cannot carry TypeBox. Each problem becomes one
 * Issue (a message key of messages.ts plus arguments) that names the option and what was
 * expected; the option is then ignored. Only a missing or wrong `apiKey` / `channelId` is
 * fatal. The page's object is never mutated.
 */
import type { MessageKey } from './messages.ts';
import type { FluxPlayerOptions } from './types.ts';

export interface Issue {
  /** Dotted path, e.g. `widgets.calls.renderTo`. */
  path: string;
  key: MessageKey;
  args: unknown[];
  /** True when init cannot go on. */
  fatal: boolean;
}

/**
 * Expected kind per option path: s string, b boolean, f function, o object (its children
 * are listed with the path as prefix), a array; upper case = required.
 */
const SPEC: Record<string, string> = {
  apiKey: 'S',
  channelId: 'S',
  customDomain: 's',
  language: 's',
  spa: 'b',
  user: 'o',
  'user.name': 's',
  'user.email': 's',
  'user.externalId': 's',
  onEvent: 'f',
  onCheckout: 'f',
  widgets: 'o',
  'widgets.calls': 'o',
  'widgets.calls.renderTo': 'S',
  'widgets.calls.strings': 'o',
  'widgets.calls.strings.title': 's',
  'widgets.calls.strings.text': 's',
  'widgets.calls.whitelist': 'a',
  'widgets.calls.onBeforeRender': 'f',
};

/** The kind letter of a value ('' for null, RegExp, symbol, …). */
const kindOf = (v: unknown): string =>
  Array.isArray(v) ? 'a' : v instanceof RegExp || v === null ? '' : ((typeof v)[0] ?? '');

/** How a value is named in messages. */
export const describe = (v: unknown): string =>
  v === null ? 'null' : v instanceof RegExp ? 'a RegExp' : Array.isArray(v) ? 'an array' : typeof v;

export interface ValidationResult {
  options: FluxPlayerOptions | null;
  issues: Issue[];
}

/** Validates and normalises init options; `options` is null when an issue is fatal. */
export function validateOptions(input: unknown): ValidationResult {
  const issues: Issue[] = [];
  const add = (path: string, key: MessageKey, args: unknown[], fatal = false): void => {
    issues.push({ path, key, args, fatal });
  };
  const walk = (obj: Record<string, unknown>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const children = Object.keys(SPEC).filter(
      (p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('.'),
    );
    for (const key in obj) {
      const path = prefix + key;
      const want = SPEC[path];
      const value = obj[key];
      // An upper-case kind is required: a wrong or empty value is fatal.
      const required = want === 'S';
      if (!want || !children.includes(path)) {
        add(path, 'opt.unknown', [path, children.map((p) => p.slice(prefix.length)).join(', ')]);
      } else if (value === undefined) {
        /* absent */
      } else if (kindOf(value) !== want.toLowerCase()) {
        add(path, 'opt.type', [path, want.toLowerCase(), describe(value)], required);
      } else if (required && !(value as string).trim()) {
        add(path, 'opt.empty', [path], true);
      } else {
        out[key] = want === 'o' ? walk(value as Record<string, unknown>, path + '.') : value;
      }
    }
    for (const path of children) {
      if (SPEC[path] === 'S' && obj[path.slice(prefix.length)] === undefined) {
        add(path, 'opt.required', [path], true);
      }
    }
    return out;
  };

  if (kindOf(input) !== 'o') {
    add('options', 'opt.object', [describe(input)], true);
    return { options: null, issues };
  }
  let raw = input as { widgets?: { calls?: { whitelist?: unknown } } };
  const wl = raw.widgets?.calls?.whitelist;
  if (wl instanceof RegExp || typeof wl === 'string') {
    // A lone entry is surely meant as a one-entry list.
    raw = {
      ...raw,
      widgets: { ...raw.widgets, calls: { ...raw.widgets?.calls, whitelist: [wl] } },
    };
    add('widgets.calls.whitelist', 'opt.whitelistSingle', [String(wl)]);
  }
  const o = walk(raw, '') as unknown as FluxPlayerOptions;
  if (o.customDomain && !/^https?:\/\/[^/]/.test(o.customDomain)) {
    add('customDomain', 'opt.domain', [o.customDomain]);
    delete o.customDomain;
  }
  o.customDomain &&= o.customDomain.replace(/\/+$/, '');
  const calls = o.widgets?.calls;
  if (calls?.whitelist) {
    calls.whitelist = calls.whitelist.filter((entry, i) => {
      const ok = entry instanceof RegExp || typeof entry === 'string';
      if (!ok) add(`widgets.calls.whitelist[${i}]`, 'opt.whitelistEntry', [i, describe(entry)]);
      return ok;
    });
  }
  if (calls && !calls.renderTo) {
    // Without a placeholder selector the widget cannot render; init itself goes on.
    for (const i of issues) {
      if (i.path === 'widgets.calls.renderTo') i.fatal = false;
    }
    add('widgets.calls.renderTo', 'opt.noRenderTo', []);
    delete o.widgets?.calls;
  }
  return { options: issues.some((i) => i.fatal) ? null : o, issues };
}

/**
 * Structural equality for init's idempotency: functions compare by source text and
 * RegExps by their literal, so re-running the same inline `init({...})` is a no-op.
 * Returns the first differing path, or null when equal.
 */
export function firstDifference(a: unknown, b: unknown, path = 'options'): string | null {
  if (
    typeof a !== 'object' ||
    !a ||
    typeof b !== 'object' ||
    !b ||
    a instanceof RegExp ||
    b instanceof RegExp
  ) {
    return a === b || (typeof a === typeof b && kindOf(a) !== 'o' && String(a) === String(b))
      ? null
      : path;
  }
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
    );
    if (d) return d;
  }
  return Array.isArray(a) === Array.isArray(b) ? null : path;
}

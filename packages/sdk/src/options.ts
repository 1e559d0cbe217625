/**
 * Validation of `FluxPlayer.init(options)` with explanations, in the lazy `extras` chunk: the
 * loader runs the quick check of spec.ts and comes here only when it fails. Hand-written and
 * table-driven (spec.ts) on purpose: TypeBox would not fit the budgets. Each problem becomes one
 * Issue (a message key of messages.ts plus arguments) naming the option and what was
 * expected; the option is then ignored. Only a missing or wrong `apiKey` / `channelId` is
 * fatal. The page's object is never mutated.
 */
import { builtinLanguage, LANGUAGES } from './i18n.ts';
import { Msg } from './keys.ts';
import { DOMAIN, kindOf, SPEC, type Spec } from './spec.ts';
import type { FluxPlayerOptions } from './types.ts';

export interface Issue {
  /** Dotted path, e.g. `widgets.calls.renderTo`. */
  path: string;
  key: Msg;
  args: unknown[];
  /** True when init cannot go on. */
  fatal: boolean;
}

/** How a value is named in messages. */
export const describe = (v: unknown): string =>
  v === null ? 'null' : v instanceof RegExp ? 'a RegExp' : Array.isArray(v) ? 'an array' : typeof v;

export interface ValidationResult {
  options: FluxPlayerOptions | null;
  issues: Issue[];
  /** The error message when `options` is null (names the fatal options). */
  message: string;
}

/** Validates and normalises init options; `options` is null when an issue is fatal. */
export function validateOptions(input: unknown): ValidationResult {
  const issues: Issue[] = [];
  const add = (path: string, key: Msg, args: unknown[], fatal = false): void => {
    issues.push({ path, key, args, fatal });
  };
  const walk = (
    obj: Record<string, unknown>,
    spec: Spec,
    prefix: string,
  ): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, sub] of Object.entries(spec)) {
      const path = prefix + key;
      const want = typeof sub == 'string' ? sub : 'o';
      const value = obj[key];
      const required = want === 'S';
      if (value === undefined) {
        if (required) add(path, Msg.OptRequired, [path], true);
      } else if (kindOf(value) !== want.toLowerCase()) {
        add(path, Msg.OptType, [path, want.toLowerCase(), describe(value)], required);
      } else if (required && !(value as string).trim()) {
        add(path, Msg.OptEmpty, [path], true);
      } else {
        out[key] =
          typeof sub == 'string' ? value : walk(value as Record<string, unknown>, sub, path + '.');
      }
    }
    for (const key in obj) {
      if (!Object.hasOwn(spec, key)) {
        const known = Object.keys(spec).map((k) => prefix + k);
        add(prefix + key, Msg.OptUnknown, [prefix + key, known.join(', ')]);
      }
    }
    return out;
  };

  if (kindOf(input) !== 'o') {
    add('options', Msg.OptObject, [describe(input)], true);
    return { options: null, issues, message: 'Invalid options: options' };
  }
  const o = walk(input as Record<string, unknown>, SPEC, '') as unknown as FluxPlayerOptions;
  if (o.customDomain !== undefined && !DOMAIN.test(o.customDomain)) {
    add('customDomain', Msg.OptDomain, [o.customDomain]);
    delete o.customDomain;
  }
  o.customDomain &&= o.customDomain.replace(/\/+$/, '');
  if (o.language !== undefined && !builtinLanguage(o.language)) {
    add('language', Msg.OptLanguage, [o.language, LANGUAGES.join(', ')]);
  }
  const calls = o.widgets?.calls;
  if (calls) {
    const wl = (input as { widgets: { calls: { whitelist?: unknown } } }).widgets.calls.whitelist;
    if (wl !== undefined && !calls.whitelist) {
      // An unusable whitelist must not widen to "every page": it matches no page instead.
      calls.whitelist = [];
      add('widgets.calls.whitelist', Msg.OptWhitelistNone, []);
    }
    calls.whitelist = calls.whitelist?.filter((entry, i) => {
      const ok = entry instanceof RegExp || typeof entry === 'string';
      if (!ok) add(`widgets.calls.whitelist[${i}]`, Msg.OptWhitelistEntry, [i, describe(entry)]);
      return ok;
    });
    if (!calls.renderTo) {
      // Without a placeholder selector the widget cannot render; init itself goes on.
      for (const i of issues) i.fatal &&= !i.path.startsWith('widgets.calls.renderTo');
      add('widgets.calls.renderTo', Msg.OptNoRenderTo, []);
      delete o.widgets?.calls;
    }
  }
  const fatal = issues.filter((i) => i.fatal).map((i) => i.path);
  return {
    options: fatal.length ? null : o,
    issues,
    message: fatal.length ? `Invalid options: ${fatal.join(', ')}` : '',
  };
}

/**
 * The option table, shared by the loader's quick check (`optionsOk`, every page) and the
 * full validation with its explanations (options.ts, in the lazy `extras` chunk, only run
 * when the quick check finds something to say).
 */
import { builtinLanguage } from './i18n.ts';
import type { FluxPlayerOptions } from './types.ts';

/** An option table: each key's kind, or the table of a nested object's own options. */
export interface Spec {
  [key: string]: string | Spec;
}

/**
 * Every option and its kind: s string, S required non-empty string, b boolean, f function,
 * a array (of RegExps and strings); a nested table is an object (kind o) with those options.
 * It ships on every page.
 */
export const SPEC: Spec = {
  apiKey: 'S',
  channelId: 'S',
  customDomain: 's',
  language: 's',
  spa: 'b',
  user: { name: 's', email: 's', externalId: 's' },
  onEvent: 'f',
  onCheckout: 'f',
  widgets: {
    calls: {
      renderTo: 'S',
      strings: { title: 's', text: 's' },
      whitelist: 'a',
      onBeforeRender: 'f',
    },
  },
};

/** The kind letter of a value ('' for null, RegExp, …). */
export const kindOf = (v: unknown): string =>
  Array.isArray(v) ? 'a' : v instanceof RegExp || v === null ? '' : ((typeof v)[0] ?? '');

export const DOMAIN = /^https?:\/\/[^/]/;

/**
 * True when `input` is usable exactly as given: validateOptions (options.ts) would report no
 * issue (a unit test keeps the two in agreement). Otherwise init loads the full validation.
 */
export function optionsOk(input: unknown): input is FluxPlayerOptions {
  // `want`: a kind letter, a nested table, or for an unknown key undefined or an inherited
  // member. Both the table's keys and the object's are checked (a missing S fails).
  const ok = (v: unknown, want: unknown): boolean =>
    typeof want == 'string'
      ? v === undefined
        ? want != 'S'
        : kindOf(v) === want.toLowerCase() &&
          (want != 'S' || !!(v as string).trim()) &&
          (want != 'a' ||
            (v as unknown[]).every((e) => e instanceof RegExp || typeof e == 'string'))
      : typeof want == 'object' &&
        (v === undefined ||
          (kindOf(v) === 'o' &&
            Object.keys({ ...want, ...v }).every((k) =>
              ok((v as Record<string, unknown>)[k], (want as Spec)[k]),
            )));
  const o = input as FluxPlayerOptions;
  return (
    kindOf(input) === 'o' &&
    ok(o, SPEC) &&
    (o.customDomain === undefined || DOMAIN.test(o.customDomain)) &&
    (o.language === undefined || !!builtinLanguage(o.language))
  );
}

/**
 * The option table, shared by the loader's quick check (`optionsOk`, every page) and the
 * full validation with its explanations (options.ts, in the lazy `extras` chunk, only run
 * when the quick check finds something to say).
 */
import { builtinLanguage } from './i18n.ts';
import type { FluxPlayerOptions } from './types.ts';

/**
 * Every option path and its kind: s string, b boolean, f function, o object (its children
 * follow with the path as prefix), a array (of RegExps and strings); S = required non-empty
 * string. One string: it ships on every page.
 */
export const SPEC: Record<string, string> = Object.fromEntries(
  'apiKey:S channelId:S customDomain:s language:s spa:b user:o user.name:s user.email:s user.externalId:s onEvent:f onCheckout:f widgets:o widgets.calls:o widgets.calls.renderTo:S widgets.calls.strings:o widgets.calls.strings.title:s widgets.calls.strings.text:s widgets.calls.whitelist:a widgets.calls.onBeforeRender:f'
    .split(' ')
    .map((e) => e.split(':') as [string, string]),
);

/** The kind letter of a value ('' for null, RegExp, …). */
export const kindOf = (v: unknown): string =>
  Array.isArray(v) ? 'a' : v instanceof RegExp || v === null ? '' : ((typeof v)[0] ?? '');

export const DOMAIN = /^https?:\/\/[^/]/;

/**
 * True when `input` is usable exactly as given: validateOptions (options.ts) would report no
 * issue (a unit test keeps the two in agreement). Otherwise init loads the full validation.
 */
export function optionsOk(input: unknown): input is FluxPlayerOptions {
  const ok = (obj: object, prefix: string): boolean =>
    Object.entries(obj).every(([key, v]) => {
      const path = prefix + key;
      const want = SPEC[path];
      return (
        !!want &&
        (v === undefined ||
          (kindOf(v) === want.toLowerCase() &&
            (want !== 'S' || !!(v as string).trim()) &&
            (want !== 'o' || ok(v as object, path + '.')) &&
            (want !== 'a' ||
              (v as unknown[]).every((e) => e instanceof RegExp || typeof e == 'string'))))
      );
    });
  const o = input as FluxPlayerOptions;
  return (
    kindOf(input) === 'o' &&
    ok(o, '') &&
    !!o.apiKey &&
    !!o.channelId &&
    (!o.widgets?.calls || !!o.widgets.calls.renderTo) &&
    (o.customDomain === undefined || DOMAIN.test(o.customDomain)) &&
    (o.language === undefined || !!builtinLanguage(o.language))
  );
}

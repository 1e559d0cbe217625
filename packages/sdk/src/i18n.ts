/**
 * Built-in strings of the widget card. English is part of the loader; the other languages
 * are tiny chunks (`lang-xx-[hash].js`) fetched in parallel with the first agents request,
 * so a page pays only for its own language. `{{name}}` is the chosen agent's name.
 * The call UI chunk carries its own, larger table.
 */
import type { FluxLanguage } from './types.ts';

export interface WidgetStrings {
  title: string;
  text: string;
  /** Label of the call button. */
  call: string;
}

export const LANGUAGES: readonly FluxLanguage[] = [
  'en',
  'de',
  'fr',
  'es',
  'it',
  'nl',
  'pl',
  'pt',
  'sv',
  'ar',
];

export const EN: WidgetStrings = {
  title: 'Talk to us live',
  text: '{{name}} is online and happy to help by video call.',
  call: 'Start video call',
};

export const isRtl = (lang: string): boolean => lang === 'ar';

/** The built-in language for a BCP 47 tag (`pt-BR` → `pt`), or null. */
export function builtinLanguage(tag: string | null | undefined): FluxLanguage | null {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0] as FluxLanguage;
  return LANGUAGES.includes(base) ? base : null;
}

/** The language to use: the option (null if it has no strings), else `<html lang>`, the browser's, English. */
export function resolveLanguage(option: string | undefined): FluxLanguage | null {
  return option !== undefined
    ? builtinLanguage(option)
    : (builtinLanguage(document.documentElement.lang) ??
        builtinLanguage(navigator.language) ??
        'en');
}

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

export const LANGUAGES = 'en de fr es it nl pl pt sv ar'.split(' ') as FluxLanguage[];

export const EN: WidgetStrings = {
  title: 'Talk to us live',
  text: '{{name}} is online and happy to help by video call.',
  call: 'Start video call',
};

/** The built-in language for a BCP 47 tag (`pt-BR` → `pt`), or undefined. */
export const builtinLanguage = (tag: string | null | undefined): FluxLanguage | undefined =>
  LANGUAGES.find((l) => l === tag?.split(/[-_]/)[0]?.toLowerCase());

/** The option's language (undefined if it has none built in), else `<html lang>`, the browser's, English. */
export const resolveLanguage = (option: string | undefined): FluxLanguage | undefined =>
  option !== undefined
    ? builtinLanguage(option)
    : (builtinLanguage(document.documentElement.lang) ??
      builtinLanguage(navigator.language) ??
      'en');

export const isRtl = (lang: string): boolean => lang === 'ar';

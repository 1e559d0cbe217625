/**
 * Script-tag build: the lazy parts are ESM files next to flux-player.js (hashed names,
 * long-cached), fetched with import() relative to the loader's own URL. On intent
 * (hover/focus) a <link rel=modulepreload> fetches the call UI before the click.
 */
import type { CallUiModule } from './call-ui/contract.ts';
import type { WidgetStrings } from './i18n.ts';
import type * as Messages from './messages.ts';

/** File names by chunk (`callUi`, `messages`, `lang-de`, …), set by build.mjs. */
declare const __CHUNKS__: Record<string, string>;

const base = (document.currentScript as HTMLScriptElement | null)?.src ?? location.href;
const url = (name: string): string => new URL(__CHUNKS__[name] ?? '', base).href;

export const loadCallUi = (): Promise<CallUiModule> =>
  import(url('callUi')) as Promise<CallUiModule>;
export const loadMessages = (): Promise<typeof Messages> =>
  import(url('messages')) as Promise<typeof Messages>;
export const loadStrings = async (lang: string): Promise<WidgetStrings> =>
  ((await import(url('lang-' + lang))) as { strings: WidgetStrings }).strings;

let hinted = false;
export const prefetchCallUi = (): void => {
  if (hinted) return;
  hinted = true;
  const link = document.createElement('link');
  link.rel = 'modulepreload';
  link.href = url('callUi');
  link.crossOrigin = 'anonymous';
  document.head.append(link);
};

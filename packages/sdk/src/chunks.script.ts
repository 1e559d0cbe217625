/**
 * Script-tag build: the lazy parts are ESM files next to flux-player.js, fetched with
 * import() relative to the loader's own URL. The call UI has a content-hashed name; the
 * extras (diagnostics wording, option validation) and the language files share one build id
 * (`<name>-<id>.js`). Both are long-cached. On intent (hover/focus) a
 * <link rel=modulepreload> fetches the call UI before the click.
 */
import type { CallUiModule } from './call-ui/contract.ts';
import type * as Extras from './extras.ts';
import type { WidgetStrings } from './i18n.ts';

/** `{ id, callUi }`, set by build.mjs. */
declare const __CHUNKS__: { id: string; callUi: string };

const base = (document.currentScript as HTMLScriptElement | null)?.src ?? location.href;
const url = (file: string): string => new URL(file, base).href;
const lazy = (name: string): Promise<unknown> => import(url(`${name}-${__CHUNKS__.id}.js`));
const callUi = url(__CHUNKS__.callUi);

/** The FluxPlayer server: where this script came from. */
export const scriptOrigin = (): string => new URL(base).origin;
export const loadCallUi = (): Promise<CallUiModule> => import(callUi) as Promise<CallUiModule>;
export const loadExtras = (): Promise<typeof Extras> => lazy('extras') as Promise<typeof Extras>;
export const loadStrings = async (lang: string): Promise<WidgetStrings> =>
  ((await lazy('lang-' + lang)) as { strings: WidgetStrings }).strings;

let hinted = false;
/**
 * Without a crossorigin attribute a modulepreload fetches in cors mode with same-origin
 * credentials, as import() does, so the click's import() finds the module in the module map.
 */
export const prefetchCallUi = (): void => {
  if (!hinted) {
    hinted = true;
    document.head.append(
      Object.assign(document.createElement('link'), { rel: 'modulepreload', href: callUi }),
    );
  }
};

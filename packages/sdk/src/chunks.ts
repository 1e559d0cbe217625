/**
 * Lazy parts of the SDK. npm (ESM) build: plain dynamic imports, split by the consumer's
 * bundler. The script-tag build swaps this module for chunks.script.ts (see build.mjs).
 */
import type { CallUiModule } from './call-ui/contract.ts';
import type { WidgetStrings } from './i18n.ts';
import type * as Extras from './extras.ts';

/** The FluxPlayer server's default: the page's own origin (pass `customDomain` with npm). */
export const scriptOrigin = (): string => location.origin;
export const loadCallUi = (): Promise<CallUiModule> => import('./call-ui/index.ts');
export const loadExtras = (): Promise<typeof Extras> => import('./extras.ts');
export const loadStrings = async (lang: string): Promise<WidgetStrings> =>
  ((await import(`./i18n/${lang}.ts`)) as { strings: WidgetStrings }).strings;
/** Hints the browser to fetch the call UI early; a bundler owns that here. */
export const prefetchCallUi = (): void => undefined;

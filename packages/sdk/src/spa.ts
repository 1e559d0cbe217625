/**
 * Route-change detection for single-page apps (`spa: true`): wraps history.pushState and
 * replaceState once and listens to popstate/hashchange. Listeners run after the URL changed.
 */
type Listener = (href: string) => void;
const listeners = new Set<Listener>();
let patched = false;
let last = '';

function notify(): void {
  if (location.href === last) return;
  last = location.href;
  for (const fn of [...listeners]) fn(last);
}

function patch(): void {
  if (patched) return;
  patched = true;
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method].bind(history);
    history[method] = (...args: Parameters<History['pushState']>) => {
      original(...args);
      notify();
    };
  }
  addEventListener('popstate', notify);
  addEventListener('hashchange', notify);
}

/** Calls `fn` after every client-side route change; returns the unsubscribe function. */
export function onRouteChange(fn: Listener): () => void {
  patch();
  last = location.href;
  listeners.add(fn);
  return () => listeners.delete(fn);
}

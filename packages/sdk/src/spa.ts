/**
 * Route-change detection for single-page apps (`spa: true`): wraps history.pushState and
 * replaceState once and listens to popstate. Listeners run after the URL changed.
 */
const listeners = new Set<() => void>();
let last = '';

function notify(): void {
  if (location.href === last) return;
  last = location.href;
  listeners.forEach((fn) => fn());
}

/** Calls `fn` after every client-side route change; returns the unsubscribe function. */
export function onRouteChange(fn: () => void): () => void {
  if (!last) {
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method].bind(history);
      history[method] = (...args: Parameters<History['pushState']>) => {
        original(...args);
        notify();
      };
    }
    addEventListener('popstate', notify);
  }
  last = location.href;
  listeners.add(fn);
  return () => listeners.delete(fn);
}

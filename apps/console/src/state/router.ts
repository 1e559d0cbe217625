/**
 * Hash routing (`#/history`): works under any base path with no server-side fallback.
 */
import { signal } from '@preact/signals';

export type Route =
  | 'home'
  | 'call'
  | 'history'
  | 'callbacks'
  | 'settings'
  | 'admin/agents'
  | 'admin/products'
  | 'admin/keys'
  | 'admin/channel'
  | 'admin/embed'
  | 'admin/analytics'
  | 'admin/calls'
  | 'admin/webhooks';

/** Every screen's route (the accessibility test walks them all). */
export const ROUTES: readonly Route[] = [
  'home',
  'call',
  'history',
  'callbacks',
  'settings',
  'admin/agents',
  'admin/products',
  'admin/keys',
  'admin/channel',
  'admin/embed',
  'admin/analytics',
  'admin/calls',
  'admin/webhooks',
];

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  return (ROUTES as readonly string[]).includes(path) ? (path as Route) : 'home';
}

export const route = signal<Route>(
  parseRoute(typeof location === 'undefined' ? '' : location.hash),
);

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    route.value = parseRoute(location.hash);
  });
}

export function navigate(to: Route): void {
  if (location.hash !== `#/${to}`) location.hash = `#/${to}`;
  route.value = to;
}

export const href = (to: Route) => `#/${to}`;

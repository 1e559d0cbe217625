/** Minimal DOM helpers for the widget card (no framework in the loader). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const k in attrs) el.setAttribute(k, attrs[k] ?? '');
  el.append(...children);
  return el;
}

/** An inline 24×24 icon from one path, hidden from assistive tech. */
export function icon(d: string): SVGSVGElement {
  // No innerHTML: pages with Trusted Types (require-trusted-types-for) would reject it.
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  const path = document.createElementNS(ns, 'path');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  path.setAttribute('d', d);
  svg.append(path);
  return svg;
}

export const VIDEO_ICON =
  'M4 6h10a2 2 0 0 1 2 2v1.5l4-2.5v10l-4-2.5V16a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z';

/** Initials of a name for the photo fallback, e.g. "Mia Alvarez" → "MA". */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/);
  return (
    (parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')
  ).toUpperCase();
}

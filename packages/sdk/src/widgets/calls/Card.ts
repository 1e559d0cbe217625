/**
 * One widget card in one placeholder: a host element appended to the placeholder with an
 * open shadow root. Text is set with textContent only (never parsed as HTML) and nothing
 * uses inline style attributes (strict CSP). The host carries `data-flux-state`.
 *
 *   <div data-flux-widget="calls" data-flux-state="ready">  #shadow-root
 *     <div part="card"> <img> <span><b>title</b><p>text</p></span> <button>…</button> <i aria-live> </div>
 */
import type { CallAgent } from '@flux/protocol';
import type { WidgetStrings } from '../../i18n.ts';
import { fillTemplate } from '../../template.ts';
import type { WidgetState } from '../../types.ts';
import { adoptStyles, CARD_CSS } from './styles.ts';

export interface CardView {
  state: WidgetState;
  agent: CallAgent | null;
  strings: WidgetStrings;
  lang: string;
  /** What the live region announces (the call's phase, worded by the call UI). */
  announce: string;
}

export interface Card {
  host: HTMLElement;
  update(view: CardView): void;
  destroy(): void;
}

const el = (tag: string, parent: Node): HTMLElement =>
  parent.appendChild(document.createElement(tag));

/** Renders a card into `placeholder`; `intent` fires when pointer or focus reaches the button. */
export function createCard(placeholder: Element, intent: () => void, click: () => void): Card {
  const host = el('div', placeholder);
  host.setAttribute('data-flux-widget', 'calls');
  const shadow = host.attachShadow({ mode: 'open' });
  adoptStyles(shadow, CARD_CSS);
  const root = el('div', shadow);
  root.setAttribute('part', 'card');
  const img = el('img', root) as HTMLImageElement;
  img.alt = '';
  const words = el('span', root);
  const title = el('b', words);
  const text = el('p', words);
  title.id = 't';
  text.id = 'x';
  const button = el('button', root) as HTMLButtonElement;
  button.setAttribute('part', 'button');
  button.setAttribute('aria-describedby', 't x');
  const svg = button.appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'svg'));
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg
    .appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'path'))
    .setAttribute(
      'd',
      'M4 6h10a2 2 0 0 1 2 2v1.5l4-2.5v10l-4-2.5V16a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z',
    );
  const label = el('span', button);
  const live = el('i', root);
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  const ac = new AbortController();
  for (const type of ['pointerenter', 'focus', 'touchstart']) {
    button.addEventListener(type, intent, { signal: ac.signal, passive: true });
  }
  button.addEventListener('click', click, { signal: ac.signal });

  return {
    host,
    update({ state, agent, strings, lang, announce }) {
      host.setAttribute('data-flux-state', state);
      root.lang = lang;
      root.dir = lang === 'ar' ? 'rtl' : 'ltr';
      button.disabled = state === 'calling' || state === 'in-call';
      if (live.textContent !== announce) live.textContent = announce;
      if (!agent) return;
      const name = { name: agent.name };
      title.textContent = fillTemplate(strings.title, name);
      text.textContent = fillTemplate(strings.text, name);
      label.textContent = fillTemplate(strings.call, name);
      // The server sends absolute photo URLs; an empty one leaves the neutral circle.
      if (img.getAttribute('src') !== agent.profile_photo_url) img.src = agent.profile_photo_url;
    },
    destroy() {
      ac.abort();
      host.remove();
    },
  };
}

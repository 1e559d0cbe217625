/**
 * One widget card in one placeholder: a host element appended to the placeholder with an
 * open shadow root. All text is set with textContent (never HTML) and nothing uses inline
 * style attributes (strict CSP). The host carries `data-flux-state` for page CSS and tests.
 */
import type { CallAgent } from '@flux/protocol';
import { h, icon, initials, VIDEO_ICON } from '../../dom/h.ts';
import type { WidgetStrings } from '../../i18n.ts';
import { fillTemplate } from '../../template.ts';
import type { WidgetState } from '../../types.ts';
import { adoptStyles, CARD_CSS } from './styles.ts';

export interface CardView {
  state: WidgetState;
  agent: CallAgent | null;
  strings: WidgetStrings;
  lang: string;
  rtl: boolean;
  /** Base URL that relative photo URLs resolve against. */
  base: string;
  /** What the live region announces (the call's phase, worded by the call UI). */
  announce: string;
}

export interface Card {
  host: HTMLElement;
  update(view: CardView): void;
  destroy(): void;
}

/**
 * Renders a card into `placeholder`. `intent` fires when pointer or focus reaches the
 * button (warm up the call UI), `click` on activation.
 */
export function createCard(placeholder: Element, intent: () => void, click: () => void): Card {
  const host = h('div', { 'data-flux-widget': 'calls', 'data-flux-state': 'loading' });
  const shadow = host.attachShadow({ mode: 'open' });
  adoptStyles(shadow, CARD_CSS);
  const img = h('img', { alt: '', hidden: '' });
  const ini = h('span', { class: 'ini', 'aria-hidden': 'true' });
  const title = h('strong', { id: 't' });
  const text = h('p', { id: 'x' });
  const label = h('span');
  const button = h(
    'button',
    { type: 'button', 'aria-describedby': 't x', part: 'button' },
    icon(VIDEO_ICON),
    label,
  );
  const live = h('span', { class: 'sr', role: 'status', 'aria-live': 'polite' });
  const root = h(
    'div',
    { class: 'card', part: 'card' },
    h('div', { class: 'ph' }, img, ini, h('i')),
    h('div', {}, title, text),
    button,
    live,
  );
  shadow.append(root);
  const ac = new AbortController();
  const signal = ac.signal;
  img.addEventListener('error', () => ((img.hidden = true), (ini.hidden = false)), { signal });
  for (const type of ['pointerenter', 'focus', 'touchstart'])
    button.addEventListener(type, intent, { signal, passive: true });
  button.addEventListener('click', click, { signal });
  placeholder.append(host);
  let photo = '';

  return {
    host,
    update(view) {
      const { state, agent, strings } = view;
      for (const el of [host, root]) el.setAttribute('data-flux-state', state);
      root.dir = view.rtl ? 'rtl' : 'ltr';
      root.lang = view.lang;
      button.disabled = state === 'calling' || state === 'in-call';
      if (live.textContent !== view.announce) live.textContent = view.announce;
      if (!agent) return;
      const name = { name: agent.name };
      title.textContent = fillTemplate(strings.title, name);
      text.textContent = fillTemplate(strings.text, name);
      label.textContent = fillTemplate(strings.call, name);
      ini.textContent = initials(agent.name);
      let next = '';
      try {
        if (agent.profile_photo_url) next = new URL(agent.profile_photo_url, view.base + '/').href;
      } catch {
        /* unusable URL: initials */
      }
      if (next !== photo) {
        photo = next;
        img.hidden = !next;
        ini.hidden = !!next;
        if (next) img.src = next;
      }
    },
    destroy() {
      ac.abort();
      host.remove();
    },
  };
}

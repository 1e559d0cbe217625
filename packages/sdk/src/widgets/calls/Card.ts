/**
 * One widget card in one placeholder: a host element appended to the placeholder with an
 * open shadow root. Text is set with textContent only (never parsed as HTML) and nothing
 * uses inline style attributes (strict CSP). The host carries `data-flux-state` and is
 * `hidden` unless the card has something to show.
 *
 *   <div data-flux-widget="calls" data-flux-state="ready">  #shadow-root
 *     <div part="card"> <img> <span><b>title</b><p>text</p></span> <button><span>label</span></button> <i role=status> </div>
 */
import type { CallAgent } from '@flux/protocol';
import type { WidgetStrings } from '../../i18n.ts';
import { fillName } from '../../template.ts';
import type { WidgetState } from '../../types.ts';
import { adoptStyles } from './styles.ts';

/** The `_` names are internal: the loader's build shortens them (build.mjs). */
export interface Card {
  /** The element in the placeholder; removing it removes the card and its listeners. */
  _host: HTMLElement;
  /** `announce`: what the live region says (the call's phase, worded by the call UI). */
  _update(state: WidgetState, agent: CallAgent | undefined, announce: string): void;
}

/** Appends an element with attributes. */
function el(tag: string, parent: Node, attrs: Record<string, string> = {}): HTMLElement {
  const e = parent.appendChild(document.createElement(tag));
  for (const k in attrs) e.setAttribute(k, attrs[k] ?? '');
  return e;
}

/**
 * Renders a card into `placeholder` in language `lang`; `intent` fires when pointer or
 * focus reaches the button, `click` when it is pressed.
 */
export function createCard(
  placeholder: Element,
  strings: WidgetStrings,
  lang: string,
  intent: () => void,
  click: () => void,
): Card {
  const host = el('div', placeholder, { 'data-flux-widget': 'calls' });
  adoptStyles(host.attachShadow({ mode: 'open' }));
  const root = el('div', host.shadowRoot as ShadowRoot, {
    part: 'card',
    lang,
    dir: lang === 'ar' ? 'rtl' : 'ltr',
  });
  const img = el('img', root, { alt: '' }) as HTMLImageElement;
  const words = el('span', root);
  const title = el('b', words, { id: 't' });
  const text = el('p', words, { id: 'x' });
  const button = el('button', root, {
    part: 'button',
    'aria-describedby': 't x',
  }) as HTMLButtonElement;
  // The camera icon is the button's ::before (styles.ts).
  const label = el('span', button);
  const live = el('i', root, { role: 'status' }); // a polite live region
  // The listeners go with the element when the card is destroyed. A touch fires
  // pointerenter before pointerdown, so touch screens get the prefetch too.
  // (Handler properties: the button is the card's own, and they are shorter in the loader.)
  button.onpointerenter = button.onfocus = intent;
  button.onclick = click;

  return {
    _host: host,
    _update(state, agent, announce) {
      host.setAttribute('data-flux-state', state);
      host.hidden = !/^(ready|calling|in-call)$/.test(state);
      button.disabled = state !== 'ready';
      if (live.textContent !== announce) live.textContent = announce;
      if (agent) {
        const fill = (template: string): string => fillName(template, agent.name);
        title.textContent = fill(strings.title);
        text.textContent = fill(strings.text);
        label.textContent = fill(strings.call);
        // The server sends absolute photo URLs; an empty one leaves the neutral circle.
        if (img.getAttribute('src') !== agent.profile_photo_url) img.src = agent.profile_photo_url;
      }
    },
  };
}

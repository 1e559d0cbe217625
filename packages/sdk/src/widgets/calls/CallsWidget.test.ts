// @vitest-environment happy-dom
import type { CallAgent } from '@flux/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { EN } from '../../i18n.ts';
import { setLogLevel } from '../../logger.ts';
import type { CallsWidgetOptions, FluxEventMap } from '../../types.ts';
import { createCallsWidget, type CallsWidget } from './CallsWidget.ts';

setLogLevel('silent');
const mia: CallAgent = {
  id: 'm1',
  name: 'Mia Alvarez',
  status: 'online',
  tags: ['fashion-support'],
  profile_photo_url: '',
};
const jonas: CallAgent = {
  id: 'j1',
  name: 'Jonas Berg',
  status: 'online',
  tags: ['hats'],
  profile_photo_url: '/a/j.svg',
};

let widget: CallsWidget | null = null;
afterEach(() => {
  widget?.destroy();
  document.body.innerHTML = '';
  history.replaceState(null, '', '/');
});

function setup(opts: Partial<CallsWidgetOptions> = {}, spa = false) {
  document.body.innerHTML = '<div class="w"></div><div class="w"></div>';
  const events: { type: string; detail: unknown }[] = [];
  widget = createCallsWidget(
    { renderTo: '.w', ...opts },
    {
      base: 'https://calls.test',
      channelId: 'groovy-hats',
      apiKey: 'pk_x',
      lang: 'en',
      strings: { ...EN, ...opts.strings },
      spa,
      user: undefined,
      getToken: () => Promise.resolve('t'),
      emit: <K extends keyof FluxEventMap>(type: K, detail: FluxEventMap[K]) =>
        events.push({ type, detail }),
      onCheckout: undefined,
    },
  );
  widget.start();
  return events;
}
const hosts = () => [...document.querySelectorAll('[data-flux-widget]')];
const states = () => hosts().map((h) => h.getAttribute('data-flux-state'));
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('calls widget', () => {
  it('renders the first available agent in every placeholder, as text', async () => {
    const events = setup({ strings: { text: 'Today: {{name}}' } });
    expect(states()).toEqual(['loading', 'loading']);
    widget?.setRoster([{ ...mia, name: '<b>Mia</b>' }, jonas], true);
    await settle();
    expect(states()).toEqual(['ready', 'ready']);
    const shadow = hosts()[0]?.shadowRoot;
    expect(shadow?.querySelector('p')?.textContent).toBe('Today: <b>Mia</b>');
    expect(shadow?.querySelectorAll('b')).toHaveLength(1); // the title only: the name made no element
    expect(events.map((e) => e.type)).toEqual(['rendered']);
  });

  it('uses onBeforeRender’s choice and hides with an error when it names an unknown agent', async () => {
    const events = setup({
      onBeforeRender: (agents) => ({
        callAgentId: agents.find((a) => a.tags.includes('hats'))?.id ?? 'x',
      }),
    });
    widget?.setRoster([mia, jonas], true);
    await settle();
    expect(hosts()[0]?.shadowRoot?.querySelector('b')?.textContent).toBe(EN.title);
    expect(hosts()[0]?.shadowRoot?.querySelector('p')?.textContent).toContain('Jonas Berg');
    widget?.setRoster([mia], true);
    await settle();
    expect(states()).toEqual(['hidden', 'hidden']);
    expect(events.map((e) => e.type)).toEqual(['rendered', 'roster-changed', 'error', 'hidden']);
  });

  it('calls onBeforeRender with [] when nobody is online and hides', async () => {
    const seen: CallAgent[][] = [];
    const events = setup({ onBeforeRender: (agents) => (seen.push(agents), null) });
    widget?.setRoster([], true);
    await settle();
    expect(seen).toEqual([[]]);
    expect(states()).toEqual(['hidden', 'hidden']);
    expect(events).toEqual([{ type: 'hidden', detail: { reason: 'nobody-online' } }]);
  });

  it('does not render when onBeforeRender throws or rejects', async () => {
    setup({ onBeforeRender: () => Promise.reject(new Error('nope')) });
    widget?.setRoster([mia], true);
    await settle();
    expect(states()).toEqual(['hidden', 'hidden']);
  });

  it('renders into placeholders added later', async () => {
    setup();
    widget?.setRoster([mia], true);
    await settle();
    document.body.append(Object.assign(document.createElement('div'), { className: 'w' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(states()).toEqual(['ready', 'ready', 'ready']);
  });

  it('follows SPA navigation in and out of the whitelist', async () => {
    history.replaceState(null, '', '/product/1');
    const events = setup({ whitelist: ['/product/*'] }, true);
    widget?.setRoster([mia], true);
    await settle();
    expect(states()).toEqual(['ready', 'ready']);
    history.pushState(null, '', '/cart');
    await settle();
    expect(hosts()).toEqual([]);
    await expect(widget?.startCall()).rejects.toMatchObject({
      code: 'FLX_ERR_SDK_NOT_WHITELISTED',
    });
    history.pushState(null, '', '/product/2');
    await settle();
    expect(states()).toEqual(['ready', 'ready']);
    expect(events.filter((e) => e.type !== 'error').map((e) => e.type)).toEqual([
      'rendered',
      'hidden',
      'rendered',
    ]);
  });

  it('startCall rejects with FLX_ERR_SDK_NO_AGENT when nobody is available', async () => {
    setup();
    widget?.setRoster([], true);
    await settle();
    await expect(widget?.startCall()).rejects.toMatchObject({ code: 'FLX_ERR_SDK_NO_AGENT' });
  });
});

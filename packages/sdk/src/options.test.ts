import { describe, expect, it } from 'vitest';
import { Msg } from './keys.ts';
import { firstDifference, format } from './messages.ts';
import { validateOptions } from './options.ts';
import { optionsOk } from './spec.ts';

const base = { apiKey: 'pk_demo_groovy_hats_2026', channelId: 'groovy-hats' };
const messages = (input: unknown) =>
  validateOptions(input).issues.map((i) => format(i.key, i.args));

describe('validateOptions', () => {
  it('accepts the spec example with apiKey and channelId', () => {
    const onBeforeRender = () => ({ callAgentId: 'a' });
    const { options, issues } = validateOptions({
      ...base,
      widgets: {
        calls: {
          renderTo: '.my-cool-call-widget',
          strings: { title: 'Call us now', text: 'Your call agent for today is {{name}}' },
          whitelist: [/\/product\/123$/m],
          onBeforeRender,
        },
      },
    });
    expect(issues).toEqual([]);
    expect(options?.widgets?.calls?.onBeforeRender).toBe(onBeforeRender);
  });

  it('fails on a missing apiKey and names it', () => {
    const r = validateOptions({ channelId: 'x' });
    expect(r.options).toBeNull();
    expect(messages({ channelId: 'x' })).toEqual([
      "init: option 'apiKey' is required (a non-empty string); FluxPlayer is not initialised",
    ]);
  });

  it('warns about unknown options and wrong types, naming the option and what was expected', () => {
    const input = { ...base, langauge: 'de', spa: 'yes', widgets: { calls: { renderTo: 5 } } };
    expect(messages(input)).toEqual([
      "init: option 'spa' must be true or false, got string; it is ignored",
      "init: option 'widgets.calls.renderTo' must be a string, got number; it is ignored",
      "init: unknown option 'langauge' is ignored (known options here: apiKey, channelId, customDomain, language, spa, user, onEvent, onCheckout, widgets)",
      'init: widgets.calls needs renderTo (a CSS selector); the calls widget is disabled',
    ]);
    const r = validateOptions(input);
    expect(r.options).not.toBeNull();
    expect(r.options?.widgets?.calls).toBeUndefined();
  });

  it('checks nested options and whitelist entries without mutating the input', () => {
    const input = {
      ...base,
      user: { name: 'Ada', phone: '1' },
      widgets: { calls: { renderTo: '.w', whitelist: /x/ } },
    };
    const r = validateOptions(input);
    expect(r.issues.map((i) => i.path)).toEqual([
      'user.phone',
      'widgets.calls.whitelist',
      'widgets.calls.whitelist',
    ]);
    // A whitelist that is not an array must not widen to every page: it matches none.
    expect(r.options?.widgets?.calls?.whitelist).toEqual([]);
    expect(input.widgets.calls.whitelist).toEqual(/x/);
    expect(
      messages({ ...base, widgets: { calls: { renderTo: '.w', whitelist: [/a/, 3] } } }),
    ).toEqual([
      'init: widgets.calls.whitelist[1] must be a RegExp or a string, got number; the entry is ignored',
    ]);
  });

  it('rejects a non-http customDomain and strips trailing slashes', () => {
    expect(
      validateOptions({ ...base, customDomain: 'https://calls.example.com/' }).options
        ?.customDomain,
    ).toBe('https://calls.example.com');
    expect(
      validateOptions({ ...base, customDomain: 'javascript:alert(1)' }).options?.customDomain,
    ).toBeUndefined();
  });

  it('rejects a non-object', () => {
    expect(messages('x')).toEqual(['init(options) expects an object, got string']);
  });
});

describe('firstDifference (init idempotency)', () => {
  it('treats re-created inline functions and RegExps as equal', () => {
    const make = () => ({
      ...base,
      widgets: {
        calls: { renderTo: '.w', whitelist: [/a$/m], onBeforeRender: (a: unknown[]) => a[0] },
      },
    });
    expect(firstDifference(make(), make())).toBeNull();
  });
  it('names the first differing path', () => {
    expect(firstDifference({ ...base, spa: true }, { ...base, spa: false })).toBe('options.spa');
    expect(firstDifference({ w: [/a/] }, { w: [/b/] })).toBe('options.w.0');
  });
});

describe('optionsOk (the loader’s quick check)', () => {
  const calls = { renderTo: '.w' };
  const cases: unknown[] = [
    base,
    { ...base, customDomain: 'https://calls.example.com/', language: 'pt-BR', spa: true },
    { ...base, user: { name: 'Ada', email: 'a@b.c', externalId: '7' }, onEvent: () => 0 },
    {
      ...base,
      widgets: { calls: { ...calls, whitelist: [/a/, '/b/*'], strings: { title: 't' } } },
    },
    { ...base, widgets: {} },
    { ...base, apiKey: undefined },
    { ...base, apiKey: ' ' },
    { ...base, channelId: 3 },
    { ...base, customDomain: '' },
    { ...base, customDomain: 'calls.example.com' },
    { ...base, language: 'tlh' },
    { ...base, langauge: 'de' },
    { ...base, spa: 'yes' },
    { ...base, user: null },
    { ...base, user: { phone: '1' } },
    { ...base, widgets: { calls: {} } },
    { ...base, widgets: { calls: { renderTo: '' } } },
    { ...base, widgets: { calls: { ...calls, whitelist: /x/ } } },
    { ...base, widgets: { calls: { ...calls, whitelist: [/a/, 3] } } },
    { ...base, widgets: { calls: { ...calls, strings: { title: 1 } } } },
    { ...base, widgets: { calls: { ...calls, onBeforeRender: 'x' } } },
    { ...base, widgets: { chat: {} } },
    null,
    'x',
    [],
  ];
  it('passes exactly the options that the full validation has nothing to say about', () => {
    for (const input of cases) {
      expect(optionsOk(input), JSON.stringify(input)).toBe(
        validateOptions(input).issues.length === 0,
      );
    }
    expect(cases.filter((c) => optionsOk(c))).toHaveLength(5);
  });
});

describe('the diagnostics’ wording (extras chunk)', () => {
  it('words the onBeforeRender limit’s rejection, which carries nothing, as no answer in 10 s', () => {
    expect(format(Msg.ObrThrew, [undefined])).toContain('did not answer within 10 s');
    expect(format(Msg.ObrThrew, [new Error('routing table missing')])).toContain(
      'threw or rejected (Error: routing table missing)',
    );
  });

  it('says the widget keeps trying only after a failure that can pass', () => {
    const failed = (code: string) =>
      format(Msg.InitFailed, [{ code, message: 'm' }, 'groovy-hats', 'https://calls.test']);
    expect(failed('FLX_ERR_SDK_NETWORK')).toContain('keeps trying in the background');
    expect(failed('FLX_ERR_UNAVAILABLE')).toContain('keeps trying in the background');
    expect(failed('FLX_ERR_API_KEY_REVOKED')).not.toContain('keeps trying');
  });
});

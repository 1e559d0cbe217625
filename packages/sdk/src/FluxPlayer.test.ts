// @vitest-environment happy-dom
/**
 * The calls widget through the SDK's own API (createFluxPlayer → init), with the network
 * replaced at its edges: `fetch` answers the public agents request and `WebSocket` is a fake
 * presence socket the test pushes rosters through.
 */
import type { CallAgent } from '@flux/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFluxPlayer } from './FluxPlayer.ts';
import { EN } from './i18n.ts';
import { setLogLevel } from './logger.ts';
import type { CallsWidgetOptions, FluxPlayerApi } from './types.ts';

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

/** The presence socket: records what the SDK sends; `push` delivers a server message. */
class FakeSocket {
  static last: FakeSocket | undefined;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  sent: { type: string; token?: string }[] = [];
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.last = this;
    FakeSocket.made++;
    queueMicrotask(() => this.onopen?.());
  }
  static made = 0;
  send(data: string) {
    this.sent.push(JSON.parse(data) as { type: string });
  }
  close() {
    this.closed = true;
  }
  /** What it sent, by type. */
  types() {
    return this.sent.map((m) => m.type);
  }
  push(msg: object) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

/** Agents requests made (the stub below counts them). */
let fetches = 0;
/** Answers the agents request with `agents` once `answer()` is called. */
function agentsApi() {
  fetches = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let agents: CallAgent[] = [];
  vi.stubGlobal('fetch', async () => {
    fetches++;
    await gate;
    return new Response(
      JSON.stringify({
        agents,
        open: true,
        visitorToken: 'vt',
        tokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      }),
      { headers: { 'content-type': 'application/json' } },
    );
  });
  return (list: CallAgent[]) => {
    agents = list;
    release();
  };
}

let player: FluxPlayerApi | null = null;
beforeEach(() => {
  vi.stubGlobal('WebSocket', FakeSocket);
  FakeSocket.last = undefined;
  FakeSocket.made = 0;
});
afterEach(() => {
  vi.useRealTimers();
  player?.destroy();
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
  history.replaceState(null, '', '/');
});

/** init with `widgets.calls` (`.w` placeholders, two of them); returns the events seen. */
function setup(opts: Partial<CallsWidgetOptions> = {}, spa = false) {
  document.body.innerHTML = '<div class="w"></div><div class="w"></div>';
  const events: { type: string; detail: unknown }[] = [];
  const answer = agentsApi();
  player = createFluxPlayer(() => 'https://calls.test');
  const ready = player.init({
    apiKey: 'pk_x',
    channelId: 'groovy-hats',
    language: 'en',
    spa,
    onEvent: (e) => events.push(e),
    widgets: { calls: { renderTo: '.w', ...opts } },
  });
  return { events, answer, ready };
}
/** Starts with `list` as the first answer and waits until init has resolved. */
async function started(list: CallAgent[], opts: Partial<CallsWidgetOptions> = {}, spa = false) {
  const s = setup(opts, spa);
  s.answer(list);
  expect((await s.ready).error).toBeNull();
  await settle();
  return s.events;
}
/** A roster change pushed by the server. */
const roster = (agents: CallAgent[]) => {
  FakeSocket.last?.push({ type: 'presence.roster', agents, open: true });
};
const hosts = () => [...document.querySelectorAll('[data-flux-widget]')];
const states = () => hosts().map((h) => h.getAttribute('data-flux-state'));
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('calls widget', () => {
  it('renders the first available agent in every placeholder, as text', async () => {
    const { events, answer, ready } = setup({ strings: { text: 'Today: {{name}}' } });
    await vi.waitFor(() => {
      expect(states()).toEqual(['loading', 'loading']);
    });
    answer([{ ...mia, name: '<b>Mia</b>' }, jonas]);
    await ready;
    await settle();
    expect(states()).toEqual(['ready', 'ready']);
    const shadow = hosts()[0]?.shadowRoot;
    expect(shadow?.querySelector('p')?.textContent).toBe('Today: <b>Mia</b>');
    expect(shadow?.querySelectorAll('b')).toHaveLength(1); // the title only: the name made no element
    expect(events.map((e) => e.type)).toEqual(['rendered']);
  });

  it('follows the roster over the presence socket', async () => {
    const events = await started([mia]);
    const sock = FakeSocket.last;
    expect(sock?.url).toBe('wss://calls.test/api/v1/ws');
    expect(sock?.sent[0]).toMatchObject({ type: 'session.hello', role: 'visitor', token: 'vt' });
    roster([]);
    await settle();
    expect(states()).toEqual(['hidden', 'hidden']);
    roster([jonas]);
    await settle();
    expect(states()).toEqual(['ready', 'ready']);
    expect(hosts()[0]?.shadowRoot?.querySelector('p')?.textContent).toContain('Jonas Berg');
    expect(events.map((e) => e.type)).toEqual([
      'rendered',
      'roster-changed',
      'hidden',
      'roster-changed',
      'rendered',
    ]);
  });

  it('uses onBeforeRender’s choice and hides with an error when it names an unknown agent', async () => {
    const events = await started([mia, jonas], {
      onBeforeRender: (agents) => ({
        callAgentId: agents.find((a) => a.tags.includes('hats'))?.id ?? 'x',
      }),
    });
    expect(hosts()[0]?.shadowRoot?.querySelector('b')?.textContent).toBe(EN.title);
    expect(hosts()[0]?.shadowRoot?.querySelector('p')?.textContent).toContain('Jonas Berg');
    roster([mia]);
    await settle();
    expect(states()).toEqual(['hidden', 'hidden']);
    // the error's text is the extras chunk's, so it comes just after the hiding
    await vi.waitFor(() => {
      expect(events.map((e) => e.type)).toEqual(['rendered', 'roster-changed', 'hidden', 'error']);
    });
    expect(events.at(-1)?.detail).toEqual({
      code: 'FLX_ERR_SDK_ON_BEFORE_RENDER',
      message: 'onBeforeRender chose no available agent',
    });
  });

  it('calls onBeforeRender with [] when nobody is online and hides', async () => {
    const seen: CallAgent[][] = [];
    const events = await started([], { onBeforeRender: (agents) => (seen.push(agents), null) });
    expect(seen).toEqual([[]]);
    expect(states()).toEqual(['hidden', 'hidden']);
    expect(events).toEqual([{ type: 'hidden', detail: { reason: 'nobody-online' } }]);
  });

  it('does not render when onBeforeRender throws or rejects', async () => {
    await started([mia], { onBeforeRender: () => Promise.reject(new Error('nope')) });
    expect(states()).toEqual(['hidden', 'hidden']);
  });

  it('renders into placeholders added later', async () => {
    await started([mia]);
    document.body.append(Object.assign(document.createElement('div'), { className: 'w' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(states()).toEqual(['ready', 'ready', 'ready']);
  });

  it('follows SPA navigation in and out of the whitelist', async () => {
    history.replaceState(null, '', '/product/1');
    const events = await started([mia], { whitelist: ['/product/*'] }, true);
    expect(states()).toEqual(['ready', 'ready']);
    history.pushState(null, '', '/cart');
    await settle();
    expect(hosts()).toEqual([]);
    await expect(player?.Widgets.Calls.startCall()).rejects.toMatchObject({
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
    await started([]);
    await expect(player?.Widgets.Calls.startCall()).rejects.toMatchObject({
      code: 'FLX_ERR_SDK_NO_AGENT',
    });
  });

  it('destroy removes the cards and stops following the roster', async () => {
    const events = await started([mia]);
    player?.destroy();
    expect(hosts()).toEqual([]);
    roster([]);
    await settle();
    expect(events.map((e) => e.type)).toEqual(['rendered']);
    await expect(player?.Widgets.Calls.startCall()).rejects.toMatchObject({
      code: 'FLX_ERR_SDK_NOT_INITIALIZED',
    });
  });
});

describe('the agents request at init', () => {
  const answer = (): Response =>
    Response.json({
      agents: [mia],
      open: true,
      visitorToken: 'vt',
      tokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
  /** init with `widgets.calls`, its agents requests answered by `answers` in turn. */
  function initWith(...answers: (() => Promise<Response>)[]) {
    document.body.innerHTML = '<div class="w"></div>';
    const seen: RequestInit[] = [];
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
      seen.push(init);
      const next = answers[Math.min(seen.length, answers.length) - 1];
      if (!next) throw new Error('no answer given');
      return next();
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    player = createFluxPlayer(() => 'https://calls.test');
    const ready = player.init({
      apiKey: 'pk_x',
      channelId: 'groovy-hats',
      language: 'en',
      widgets: { calls: { renderTo: '.w' } },
    });
    return { ready, seen };
  }
  const offline = () => Promise.reject(new TypeError('Failed to fetch'));
  /** The server's error answer: its status, and its `{ error: { code, message } }`. */
  const refusal = (status: number, error: { code: string; message: string }) => () =>
    Promise.resolve(Response.json({ error }, { status }));

  it('tries again after a network failure, and the widget shows once the server answers', async () => {
    const { ready, seen } = initWith(offline, offline, () => Promise.resolve(answer()));
    expect((await ready).error?.code).toBe('FLX_ERR_SDK_NETWORK');
    expect(states()).toEqual(['error']);
    await vi.advanceTimersByTimeAsync(1_000); // the first retry waits 0.5–1 s
    expect(seen).toHaveLength(2);
    expect(states()).toEqual(['error']);
    await vi.advanceTimersByTimeAsync(2_000); // the second 1–2 s
    expect(seen).toHaveLength(3);
    await vi.waitFor(() => {
      expect(states()).toEqual(['ready']);
    });
    await vi.waitFor(() => {
      expect(FakeSocket.made).toBe(1); // and it follows the roster
    });
  });

  it('gives each request a time limit, and a request that ran out of it is tried again', async () => {
    const timedOut = () => Promise.reject(new DOMException('signal timed out', 'TimeoutError'));
    const { ready, seen } = initWith(timedOut, () => Promise.resolve(answer()));
    expect((await ready).error?.code).toBe('FLX_ERR_SDK_NETWORK');
    expect(seen[0]?.signal).toBeInstanceOf(AbortSignal);
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => {
      expect(states()).toEqual(['ready']);
    });
  });

  it('takes a page that is not the answer (a captive portal’s) for an unavailable server, and tries again', async () => {
    const portal = () =>
      Promise.resolve(new Response('<html>Sign in to the Wi-Fi</html>', { status: 200 }));
    const { ready, seen } = initWith(portal, () => Promise.resolve(answer()));
    const { error } = await ready;
    expect(error).toMatchObject({ code: 'FLX_ERR_UNAVAILABLE', message: 'HTTP 200' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toHaveLength(2);
    await vi.waitFor(() => {
      expect(states()).toEqual(['ready']);
    });
  });

  it('tries again on a server that is not ready (a deploy), with its code and message', async () => {
    const error = { code: 'FLX_ERR_UNAVAILABLE', message: 'The service is not ready.' };
    const { ready, seen } = initWith(refusal(503, error), () => Promise.resolve(answer()));
    expect((await ready).error).toMatchObject(error);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toHaveLength(2);
  });

  it('does not try again when the key is refused', async () => {
    const error = { code: 'FLX_ERR_API_KEY_INVALID', message: 'The API key is not valid.' };
    const { ready, seen } = initWith(refusal(401, error), () => Promise.resolve(answer()));
    expect((await ready).error).toMatchObject(error);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(seen).toHaveLength(1);
    expect(states()).toEqual(['error']);
  });

  it('stops trying when destroyed', async () => {
    const { ready, seen } = initWith(offline);
    await ready;
    player?.destroy();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(seen).toHaveLength(1);
  });
});

describe('the presence socket', () => {
  /** The widget started with Mia, its socket welcomed (heartbeat `hb`), timers now fake. */
  async function welcomed(hb = 25_000) {
    await started([mia]);
    const sock = FakeSocket.last as FakeSocket;
    expect(sock.types()).toEqual(['session.hello']);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    sock.push({ type: 'session.welcome', heartbeatMs: hb });
    expect(sock.types()).toEqual(['session.hello', 'presence.subscribe']);
    return sock;
  }

  it('reconnects after a close with the token it holds, and follows the roster again', async () => {
    const first = await welcomed();
    first.onclose?.({ code: 1006, reason: '' });
    expect(FakeSocket.made).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000); // the first retry waits 0.5–1 s
    const second = FakeSocket.last as FakeSocket;
    expect(second).not.toBe(first);
    await Promise.resolve(); // its open
    expect(second.sent[0]).toMatchObject({ type: 'session.hello', token: 'vt' });
    // no agents request: the subscribe's ack brings the roster
    expect(fetches).toBe(1);
    second.push({ type: 'session.welcome', heartbeatMs: 25_000 });
    second.push({ type: 'ack', reqId: 'p', data: { agents: [], open: true } });
    await vi.advanceTimersByTimeAsync(0);
    expect(states()).toEqual(['hidden', 'hidden']);
  });

  it('fetches a new token when the server refused the one it held (4001)', async () => {
    const first = await welcomed();
    first.onclose?.({ code: 4001, reason: 'FLX_ERR_AUTH_TOKEN_INVALID' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetches).toBe(2);
    expect(FakeSocket.made).toBe(2);
  });

  it('stops for good on a final close code', async () => {
    const first = await welcomed();
    first.onclose?.({ code: 4003, reason: 'forbidden' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeSocket.made).toBe(1);
  });

  it('keeps a socket that answers its pings', async () => {
    const sock = await welcomed(1_000);
    for (let i = 1; i <= 5; i++) {
      await vi.advanceTimersByTimeAsync(1_000);
      expect(sock.types().filter((t) => t === 'session.ping')).toHaveLength(i);
      sock.push({ type: 'session.pong' });
    }
    expect(sock.closed).toBe(false);
    expect(FakeSocket.made).toBe(1);
  });

  it('replaces a socket that went silent (a network change) without waiting for its close', async () => {
    const first = await welcomed(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(first.types()).toContain('session.ping');
    expect(first.closed).toBe(false);
    // no pong, nothing at all, for a whole interval
    await vi.advanceTimersByTimeAsync(1_000);
    expect(first.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000); // the retry's backoff
    expect(FakeSocket.made).toBe(2);
    const second = FakeSocket.last as FakeSocket;
    await Promise.resolve();
    second.push({ type: 'session.welcome', heartbeatMs: 60_000 });
    // the old socket's close, when the browser gets to it at last, starts nothing more
    first.onclose?.({ code: 1006, reason: '' });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(FakeSocket.made).toBe(2);
    expect(first.types().filter((t) => t === 'session.ping')).toHaveLength(1);
  });
});

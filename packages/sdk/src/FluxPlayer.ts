/**
 * The SDK core behind the `FluxPlayer` global and the npm module, one closure per init(): the
 * options, the visitor token and the presence channel, the events, and the calls widget (which
 * pages: whitelist and SPA routes; which placeholders: renderTo and a MutationObserver; which
 * agent: onBeforeRender on every roster change; the call button and startCall()). init is
 * idempotent and never throws into the page. One instance per page. The cards'
 * `data-flux-state`:
 *
 *   loading ──▶ ready ◀──▶ hidden          ready ──▶ calling ──▶ in-call
 *      │          ▲           ▲                         │           │
 *      └──────────┴── error ──┘                   call UI closed ◀──┘  (re-derived)
 */
import { PROTOCOL_VERSION, WS_PATH } from '@flux/protocol';
import type { CallAgent, PublicAgentsResponse } from '@flux/protocol';
import { fetchAgents } from './api.ts';
import type { CallUiHandle } from './call-ui/contract.ts';
import { loadCallUi, loadExtras, loadStrings, prefetchCallUi } from './chunks.ts';
import { diag, lazyError } from './diag.ts';
import { createHub, safeCall } from './emitter.ts';
import { sdkError, toSdkError, transient } from './errors.ts';
import { EN, isRtl, resolveLanguage } from './i18n.ts';
import { Level, Msg } from './keys.ts';
import { FINAL_CODES, type PresenceMessage } from './presence.ts';
import { optionsOk } from './spec.ts';
import type {
  CallRouting,
  CallsWidgetOptions,
  FluxAnyEvent,
  FluxEventMap,
  FluxEventName,
  FluxPlayerApi,
  FluxPlayerHandle,
  FluxPlayerOptions,
  FluxSdkError,
  HiddenReason,
  WidgetState,
} from './types.ts';
import { SDK_VERSION } from './version.ts';
import { whitelistMatch } from './whitelist.ts';
import { createCard, type Card } from './widgets/calls/Card.ts';

/** One init(). The `_` names are internal: the loader's build shortens them (build.mjs). */
interface Session {
  _raw: unknown;
  _promise: Promise<FluxPlayerHandle>;
  /** Set by destroy(): late callbacks of this session do nothing. */
  _dead?: boolean;
  /** Stops what the session started: presence, the call UI, the cards. */
  _stop?: () => void;
  /** The widget's startCall, once the widget runs. */
  _call?: () => Promise<void>;
}

interface Choice {
  agent: CallAgent;
  productIds: string[];
}
/** Why nothing renders, and what to print. */
type NoChoice = [reason: HiddenReason, level: Level, key: Msg, ...args: unknown[]];
/** What the presence socket's close tells (its close event's fields). */
type Closed = Pick<CloseEvent, 'code' | 'reason'>;

const TIMEOUT_MS = 10_000;

export function createFluxPlayer(defaultBase: () => string): FluxPlayerApi {
  const { on, off, emit: hubEmit } = createHub();
  let session: Session | undefined;

  const destroy = (): void => {
    if (session) {
      session._dead = true;
      session._stop?.();
      session = undefined;
    }
  };
  const handle = (error: FluxSdkError | null = null): FluxPlayerHandle => ({
    error,
    destroy,
    on,
    off,
  });

  async function start(s: Session, raw: unknown): Promise<FluxPlayerHandle> {
    let o = raw as FluxPlayerOptions;
    if (!optionsOk(raw)) {
      // Something to say or correct: the full validation and its wording are lazy.
      const { options, issues, message } = (await loadExtras()).validateOptions(raw);
      for (const i of issues) diag(i.fatal ? Level.error : Level.warn, i.key, ...i.args);
      if (!options) {
        if (session === s) session = undefined;
        return handle(sdkError('FLX_ERR_SDK_INVALID_OPTION', message));
      }
      o = options;
    }
    const calls = o.widgets?.calls;
    const {
      renderTo = '',
      whitelist,
      onBeforeRender,
    } = calls ?? ({} as Partial<CallsWidgetOptions>);
    const base = (o.customDomain ?? defaultBase()).replace(/\/+$/, '');
    // The API target (the options' channelId and apiKey), also the call UI's (it ignores the
    // other options).
    const target = { ...o, base };
    const lang = resolveLanguage(o.language) ?? 'en';
    const cards = new Map<Element, Card>();
    let strings = EN;
    let token = '';
    let expires = 0;
    let ws: WebSocket | undefined;
    let retries = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    // The widget (with `calls` only).
    let state: WidgetState = 'loading';
    let hidden: HiddenReason | undefined;
    let agents: CallAgent[] | undefined;
    let open = true;
    let choice: Choice | undefined;
    let shown = '';
    let seq = 0;
    let allowed = false;
    let last = '';
    let observer: MutationObserver | undefined;
    let call: CallUiHandle | undefined;
    let busy = false;
    let phase: 'calling' | 'in-call' | undefined;
    let announce = '';
    let settled: Promise<void> = Promise.resolve();

    const emit = <K extends FluxEventName>(type: K, detail: FluxEventMap[K]): void => {
      if (s._dead) return;
      diag(Level.debug, Msg.Event, type, detail);
      hubEmit(type, detail);
      safeCall('onEvent', () => o.onEvent?.({ type, detail } as FluxAnyEvent));
      for (const el of cards.keys()) {
        el.dispatchEvent(
          new CustomEvent('flux:' + type, { detail, bubbles: true, composed: true }),
        );
      }
    };

    /** The `error` event (its detail is a plain object, not the Error). */
    const report = ({ code, message }: FluxEventMap['error']): void => {
      emit('error', { code, message });
    };

    const render = (): void => {
      cards.forEach((card) => {
        card._update(phase ?? state, choice?.agent, announce);
      });
    };

    /** Sets the state; `rendered` when an agent (newly) shows, `hidden` when the reason changes. */
    const set = (next: WidgetState, why?: HiddenReason): void => {
      const c = why ? undefined : choice;
      const key = c ? JSON.stringify(c.agent) : ''; // a new agent or new details of it
      state = next;
      if (c && key !== shown) emit('rendered', { ...c });
      if (why && why !== hidden) emit('hidden', { reason: why });
      shown = key;
      hidden = why;
      render();
    };

    const mount = (): void => {
      let found: NodeListOf<Element>;
      try {
        found = document.querySelectorAll(renderTo);
      } catch {
        diag(Level.error, Msg.Selector, renderTo);
        return;
      }
      cards.forEach((card, el) => {
        if (!card._host.isConnected) cards.delete(el);
      });
      for (const el of found) {
        if (!cards.has(el) && !el.closest('[data-flux-widget]')) {
          // startCall reports its failures itself (event + console).
          cards.set(
            el,
            createCard(el, strings, lang, prefetchCallUi, () => void startCall().catch(() => 0)),
          );
        }
      }
      render();
    };

    const unmount = (): void => {
      observer?.disconnect();
      observer = undefined;
      cards.forEach((card) => {
        card._host.remove();
      });
      cards.clear();
    };

    /** Applies onBeforeRender (or the default: the first agent) to `list`. */
    const pick = async (list: CallAgent[]): Promise<Choice | NoChoice> => {
      const why = open ? 'nobody-online' : 'closed';
      const quiet: NoChoice = [why, Level.debug, Msg.Hidden, why];
      if (!onBeforeRender) return list[0] ? { agent: list[0], productIds: [] } : quiet;
      let result: CallRouting | null | undefined;
      try {
        // The page gets copies: its mutations must not change our roster. (The timer may
        // reject the race after it settled: that does nothing.)
        // (Its rejection carries nothing: the extras chunk words it as no answer in 10 s.)
        result = await Promise.race([
          onBeforeRender(structuredClone(list)),
          new Promise<never>((_, reject) => setTimeout(reject, TIMEOUT_MS)),
        ]);
      } catch (e) {
        return list.length
          ? ['on-before-render', Level.error, Msg.ObrThrew, e]
          : [quiet[0], Level.warn, Msg.ObrThrewEmpty, e];
      }
      if (result == null && !list.length) return quiet;
      const agent = list.find((a) => a.id === result?.callAgentId);
      // Not one of the agents (or not even an object): the extras chunk words which.
      if (!agent) return ['on-before-render', Level.error, Msg.ObrBad, result, list];
      const ids: unknown = result?.productIds;
      const ok = Array.isArray(ids) && ids.every((p) => typeof p === 'string');
      if (!ok && ids !== undefined) diag(Level.warn, Msg.ObrProducts);
      return { agent, productIds: ok ? ids : [] };
    };

    /** Runs pick() for the current roster; results of superseded runs are dropped. */
    const choose = (): void => {
      const mine = ++seq;
      settled = pick(agents ?? []).then((picked) => {
        if (mine !== seq || !allowed) return;
        if (Array.isArray(picked)) {
          const [reason, level, key, ...args] = picked;
          diag(level, key, ...args);
          if (level === Level.error) void lazyError('FLX_ERR_SDK_ON_BEFORE_RENDER').then(report);
          choice = undefined;
          // Mid-call the card keeps its call state; the roster is re-evaluated after the call.
          if (!phase) set('hidden', reason);
        } else {
          choice = picked;
          if (!phase) set('ready');
        }
      });
    };

    /** Mounts or unmounts for the current URL (on start and, with `spa`, on every route change). */
    const route = (): void => {
      const href = location.href;
      if (s._dead || href === last) return;
      last = href;
      const match = whitelistMatch(whitelist, href);
      if (!match) {
        diag(Level.debug, Msg.WlNone, href, whitelist);
        unmount();
        allowed = false;
        choice = undefined;
        set('hidden', 'not-whitelisted');
        return;
      }
      diag(Level.debug, Msg.WlMatch, href, match);
      mount();
      if (!observer) {
        let scan = 0;
        // Placeholders added later; bursts of mutations make one scan per frame.
        (observer = new MutationObserver(() => {
          scan ||= requestAnimationFrame(() => {
            scan = 0;
            if (allowed) mount();
          });
        })).observe(document, { childList: true, subtree: true });
      }
      if (!allowed && agents) choose();
      allowed = true;
    };

    const setRoster = (list: CallAgent[], isOpen: boolean): void => {
      if (agents) emit('roster-changed', { agents: list, open: isOpen });
      agents = list;
      open = isOpen;
      if (allowed) choose();
    };
    const apply = (res: PublicAgentsResponse): string => {
      token = res.visitorToken;
      expires = Date.parse(res.tokenExpiresAt) - 30_000;
      setRoster(res.agents, res.open);
      return token;
    };
    const refresh = async (): Promise<string> => apply(await fetchAgents(target));
    const getToken = (): Promise<string> =>
      Date.now() < expires ? Promise.resolve(token) : refresh();

    /** Opens the presence socket with visitor token `t` (the protocol: presence.ts). */
    const connect = (t: string): void => {
      if (s._dead) return;
      let ping: ReturnType<typeof setInterval> | undefined;
      let heard = 1;
      const sock = (ws = new WebSocket(base.replace(/^http/, 'ws') + WS_PATH));
      // Only called while the socket is open (a send on a closing socket is dropped, not thrown).
      const send = (msg: object): void => {
        sock.send(JSON.stringify(msg));
      };
      /**
       * Ends this socket and retries: on its close event, and at once for a socket that went
       * silent (a phone that changed network keeps it open for minutes, and the browser's
       * close of such a socket waits as long).
       */
      const bye = (e?: Closed): void => {
        sock.onclose = null;
        clearInterval(ping);
        sock.close();
        if (!s._dead) closed(e);
      };
      sock.onopen = () => {
        send({
          type: 'session.hello',
          protocolVersion: PROTOCOL_VERSION,
          role: 'visitor',
          token: t,
        });
      };
      sock.onmessage = ({ data }) => {
        heard = 1;
        const m = JSON.parse(data as string) as PresenceMessage;
        if (m.heartbeatMs) {
          retries = 0;
          // Each ping gets a pong: nothing at all for a whole interval means the socket is gone.
          ping = setInterval(() => {
            if (heard--) send({ type: 'session.ping' });
            else bye();
          }, m.heartbeatMs);
          send({ type: 'presence.subscribe', reqId: 'p' }); // its ack is the one with `data`
        }
        const r = m.data ?? m;
        if (r.agents) setRoster(r.agents, r.open);
      };
      sock.onclose = bye;
    };
    /** After a close (none: a silent socket): final codes stop here; others retry with backoff. */
    const closed = (e?: Closed): void => {
      const code = e?.code;
      if (FINAL_CODES.includes(code as number)) {
        diag(Level.warn, Msg.PresenceFinal, code, e?.reason);
        return;
      }
      const delay = (Math.min(15_000, 500 * 2 ** retries++) * (1 + Math.random())) | 0;
      diag(Level.debug, Msg.PresenceRetry, code, delay);
      // The subscribe's ack brings the roster: the token is all it needs, and a new one only
      // when the server refused it (4001) or it is about to expire. (A page's pooled HTTP
      // connections may be as dead as its socket after a network change: a fetch on one waits.)
      if (code === 4001) expires = 0;
      retry = setTimeout(() => {
        getToken().then(connect, () => {
          closed(e);
        });
      }, delay);
    };

    const startCall = async (): Promise<void> => {
      try {
        if (!allowed) throw await lazyError('FLX_ERR_SDK_NOT_WHITELISTED', location.href);
        await settled;
        const chosen = choice;
        if (!chosen) throw await lazyError('FLX_ERR_SDK_NO_AGENT', hidden ?? state);
        if (busy) throw await lazyError('FLX_ERR_SDK_CALL_IN_PROGRESS');
        busy = true; // a second click while the chunk loads is refused
        const mod = await loadCallUi().catch(async (e: unknown) => {
          busy = false;
          throw await lazyError('FLX_ERR_SDK_NETWORK', '', e);
        });
        const ui: CallUiHandle = (call = mod.openCall({
          ...target,
          ...chosen,
          lang,
          strings,
          user: o.user,
          getToken,
          emit,
          onCheckout: o.onCheckout,
          rtl: isRtl(lang),
          onPhase(next, text = '') {
            announce = text;
            phase = next === 'closed' ? undefined : next;
            if (!phase) {
              if (call === ui) busy = false;
              // Re-derive from the latest roster (our agent was busy during the call).
              if (allowed) choose();
            }
            render();
          },
        }));
        await ui.requested;
      } catch (e) {
        const err = toSdkError(e);
        diag(Level.warn, Msg.CallFailed, err);
        report(err);
        throw err;
      }
    };

    // The agents request and the language's strings travel in parallel.
    const first = fetchAgents(target);
    first.catch(() => 0);
    strings = {
      ...(lang === 'en' ? EN : await loadStrings(lang).catch(() => EN)),
      ...calls?.strings,
    };
    // Mounting while the parser is still running measured 2–3 ms more main-thread time
    // (docs/sdk.md), so the widget starts at DOMContentLoaded (which fires once).
    if (document.readyState == 'loading') {
      await new Promise((r) => document.addEventListener('DOMContentLoaded', r));
    }
    if (calls && !s._dead) {
      s._call = startCall;
      s._stop = () => {
        seq++;
        clearTimeout(retry);
        ws?.close(1000); // its close event clears the heartbeat
        removeEventListener('popstate', route);
        call?.close();
        unmount();
      };
      route();
      if (o.spa) {
        // Client-side navigation: history.pushState/replaceState (wrapped) and popstate.
        for (const method of ['pushState', 'replaceState'] as const) {
          const original = history[method].bind(history);
          history[method] = (...args: Parameters<History['pushState']>) => {
            original(...args);
            route();
          };
        }
        addEventListener('popstate', route);
      }
    }
    try {
      apply(await first);
    } catch (e) {
      const err = e as FluxSdkError; // fetchAgents rejects with FluxSdkErrors only
      diag(Level.error, Msg.InitFailed, err, o.channelId, base);
      if (calls) {
        agents = [];
        set('error', 'error');
        // The network or the server (a deploy, say): try again with the presence socket's
        // backoff, and show the widget once the server answers.
        if (transient(err.code)) closed();
      }
      report(err);
      return handle(err);
    }
    // destroy() may have run during the awaits.
    if (calls) connect(token);
    diag(Level.info, Msg.InitOk, o.channelId, lang);
    return handle();
  }

  const init = (raw: FluxPlayerOptions): Promise<FluxPlayerHandle> => {
    if (session) {
      diag(Level.warn, Msg.InitAgain, session._raw, raw);
      return session._promise;
    }
    const s = { _raw: raw } as Session;
    session = s;
    // Never throw into the page: every failure resolves with handle.error.
    return (s._promise = start(s, raw).catch((e: unknown) => {
      diag(Level.error, Msg.InitThrew, e);
      return handle(toSdkError(e));
    }));
  };

  return {
    version: SDK_VERSION,
    init,
    destroy,
    on,
    off,
    Widgets: {
      Calls: {
        async startCall() {
          const s = session;
          const run = s && (await s._promise, session === s && s._call);
          if (!run) {
            const err = await lazyError(
              session ? 'FLX_ERR_SDK_NOT_WHITELISTED' : 'FLX_ERR_SDK_NOT_INITIALIZED',
            );
            diag(Level.warn, Msg.CallFailed, err);
            throw err;
          }
          return run();
        },
        on,
        off,
      },
    },
  };
}

/**
 * The SDK core behind the `FluxPlayer` global and the npm module: init (idempotent, never
 * throws into the page), the event hub, the visitor token and the presence channel, and
 * the calls widget. One instance per page.
 */
import type { PublicAgentsResponse } from '@flux/protocol';
import { fetchAgents } from './api.ts';
import { loadExtras, loadStrings } from './chunks.ts';
import { diag, lazyError } from './diag.ts';
import { createHub, safeCall } from './emitter.ts';
import { sdkError, toSdkError } from './errors.ts';
import { EN, resolveLanguage } from './i18n.ts';
import { followPresence } from './presence.ts';
import { Level, Msg } from './keys.ts';
import { optionsOk } from './spec.ts';
import type {
  FluxAnyEvent,
  FluxEventMap,
  FluxEventName,
  FluxPlayerApi,
  FluxPlayerHandle,
  FluxPlayerOptions,
  FluxSdkError,
} from './types.ts';
import { SDK_VERSION } from './version.ts';
import { createCallsWidget, type CallsWidget } from './widgets/calls/CallsWidget.ts';

interface Session {
  raw: unknown;
  promise: Promise<FluxPlayerHandle>;
  widget?: CallsWidget;
  stop?: () => void;
  dead?: boolean;
}

export function createFluxPlayer(defaultBase: () => string): FluxPlayerApi {
  const { on, off, emit: hubEmit } = createHub();
  let session: Session | undefined;

  const destroy = (): void => {
    if (session) {
      session.dead = true;
      session.stop?.();
      session.widget?.destroy();
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
    const base = (o.customDomain ?? defaultBase()).replace(/\/+$/, '');
    const target = { base, channelId: o.channelId, apiKey: o.apiKey };
    const lang = resolveLanguage(o.language) ?? 'en';
    let token = '';
    let expires = 0;
    const emit = <K extends FluxEventName>(type: K, detail: FluxEventMap[K]): void => {
      if (s.dead) return;
      diag(Level.debug, Msg.Event, type, detail);
      hubEmit(type, detail);
      const fn = o.onEvent;
      if (fn) safeCall('onEvent', () => fn({ type, detail } as FluxAnyEvent));
      s.widget?.dispatch(type, detail);
    };
    const apply = (res: PublicAgentsResponse): string => {
      token = res.visitorToken;
      expires = Date.parse(res.tokenExpiresAt) - 30_000;
      s.widget?.setRoster(res.agents, res.open);
      return token;
    };
    const refresh = async (): Promise<string> => apply(await fetchAgents(target));

    // The agents request and the language's strings travel in parallel.
    const first = fetchAgents(target);
    first.catch(() => 0);
    const calls = o.widgets?.calls;
    const strings = {
      ...(lang === 'en' ? EN : await loadStrings(lang).catch(() => EN)),
      ...calls?.strings,
    };
    if (document.readyState === 'loading') {
      await new Promise((r) => document.addEventListener('DOMContentLoaded', r, { once: true }));
    }
    if (calls && !s.dead) {
      s.widget = createCallsWidget(calls, {
        ...target,
        lang,
        strings,
        spa: !!o.spa,
        user: o.user,
        getToken: () => (Date.now() < expires ? Promise.resolve(token) : refresh()),
        emit,
        onCheckout: o.onCheckout,
      });
      s.widget.start();
    }
    try {
      apply(await first);
    } catch (e) {
      const err = e as FluxSdkError; // fetchAgents rejects with FluxSdkErrors only
      diag(Level.error, Msg.InitFailed, err.code, err.message, target.channelId, base);
      s.widget?.fail();
      emit('error', { code: err.code, message: err.message });
      return handle(err);
    }
    // destroy() may have run during the awaits.
    if (calls && !s.dead)
      s.stop = followPresence(base, token, refresh, (a, isOpen) => s.widget?.setRoster(a, isOpen));
    diag(Level.info, Msg.InitOk, target.channelId, lang, SDK_VERSION);
    return handle();
  }

  const init = (raw: FluxPlayerOptions): Promise<FluxPlayerHandle> => {
    if (session) {
      diag(Level.warn, Msg.InitAgain, session.raw, raw);
      return session.promise;
    }
    const s: Session = { raw, promise: Promise.resolve(handle()) };
    session = s;
    // Never throw into the page: every failure resolves with handle.error.
    return (s.promise = start(s, raw).catch((e: unknown) => {
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
          const w = s && (await s.promise, session === s && s.widget);
          if (!w) {
            const err = await lazyError(
              session ? 'FLX_ERR_SDK_NOT_WHITELISTED' : 'FLX_ERR_SDK_NOT_INITIALIZED',
            );
            diag(Level.warn, Msg.CallFailed, err.code, err.message);
            throw err;
          }
          return w.startCall();
        },
        on,
        off,
      },
    },
  };
}

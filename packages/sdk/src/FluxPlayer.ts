/**
 * The SDK core behind the `FluxPlayer` global and the npm module: init (idempotent, never
 * throws into the page), the event hub, the visitor token and the presence channel, and
 * the calls widget. One instance per page.
 */
import type { PublicAgentsResponse } from '@flux/protocol';
import { fetchAgents } from './api.ts';
import { loadStrings } from './chunks.ts';
import { diag } from './diag.ts';
import { createHub, safeCall } from './emitter.ts';
import { sdkError, toSdkError } from './errors.ts';
import { EN, LANGUAGES, resolveLanguage } from './i18n.ts';
import { firstDifference, validateOptions } from './options.ts';
import { followPresence } from './presence.ts';
import type {
  CallsNamespace,
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

/** Renew the visitor token this long before it expires. */
const TOKEN_MARGIN_MS = 30_000;

interface Session {
  raw: unknown;
  promise: Promise<FluxPlayerHandle>;
  widget?: CallsWidget;
  stop?: () => void;
  dead?: boolean;
}

export function createFluxPlayer(defaultBase: () => string): FluxPlayerApi {
  const hub = createHub();
  let session: Session | null = null;
  const { on, off } = hub;

  const destroy = (): void => {
    if (!session) return;
    session.dead = true;
    session.stop?.();
    session.widget?.destroy();
    session = null;
  };
  const handle = (error: FluxSdkError | null): FluxPlayerHandle => ({ error, destroy, on, off });

  async function start(s: Session, o: FluxPlayerOptions): Promise<FluxPlayerHandle> {
    const base = o.customDomain ?? defaultBase();
    const target = { base, channelId: o.channelId, apiKey: o.apiKey };
    let lang = resolveLanguage(o.language);
    if (!lang) {
      diag('warn', 'opt.language', o.language, LANGUAGES.join(', '));
      lang = 'en';
    }
    let token = '';
    let expires = 0;
    const emit = <K extends FluxEventName>(type: K, detail: FluxEventMap[K]): void => {
      if (s.dead) return;
      diag('debug', 'event', type, detail);
      hub.emit(type, detail);
      const fn = o.onEvent;
      if (fn) safeCall('onEvent', () => fn({ type, detail } as FluxAnyEvent));
      s.widget?.dispatch(type, detail);
    };
    const apply = (res: PublicAgentsResponse): string => {
      token = res.visitorToken;
      expires = Date.parse(res.tokenExpiresAt) || Date.now() + 60_000;
      s.widget?.setRoster(res.agents, res.open);
      return token;
    };
    const refresh = async (): Promise<string> => apply(await fetchAgents(target));

    // The agents request and the language's strings travel in parallel.
    const first = fetchAgents(target);
    first.catch(() => undefined);
    const calls = o.widgets?.calls;
    const strings = calls && {
      ...(lang === 'en' ? EN : await loadStrings(lang).catch(() => EN)),
      ...calls.strings,
    };
    if (document.readyState === 'loading') {
      await new Promise((r) => document.addEventListener('DOMContentLoaded', r, { once: true }));
    }
    if (s.dead) return handle(null);
    if (calls && strings) {
      s.widget = createCallsWidget(calls, {
        ...target,
        lang,
        strings,
        spa: !!o.spa,
        user: o.user,
        getToken: () =>
          token && Date.now() < expires - TOKEN_MARGIN_MS ? Promise.resolve(token) : refresh(),
        emit,
        onCheckout: o.onCheckout,
      });
      s.widget.start();
    }
    try {
      apply(await first);
    } catch (e) {
      const err = toSdkError(e, 'FLX_ERR_SDK_NETWORK');
      diag('error', 'init.failed', err.code, err.message, target.channelId, base);
      s.widget?.fail();
      emit('error', { code: err.code, message: err.message });
      return handle(err);
    }
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- destroy() may run during the awaits
    if (!s.dead && calls)
      s.stop = followPresence(
        base,
        token,
        refresh,
        (a, open) => s.widget?.setRoster(a, open),
        SDK_VERSION,
      );
    diag('info', 'init.ok', target.channelId, lang, SDK_VERSION);
    return handle(null);
  }

  const init = (raw: FluxPlayerOptions): Promise<FluxPlayerHandle> => {
    try {
      if (session) {
        const diff = firstDifference(session.raw, raw);
        diag(diff ? 'warn' : 'debug', diff ? 'init.again' : 'init.same', diff);
        return session.promise;
      }
      const { options, issues } = validateOptions(raw);
      for (const i of issues) diag(i.fatal ? 'error' : 'warn', i.key, ...i.args);
      if (!options) {
        const bad = issues.filter((i) => i.fatal).map((i) => i.path);
        return Promise.resolve(
          handle(sdkError('FLX_ERR_SDK_INVALID_OPTION', `Invalid options: ${bad.join(', ')}`)),
        );
      }
      const s: Session = { raw, promise: Promise.resolve(handle(null)) };
      session = s;
      return (s.promise = start(s, options).catch((e: unknown) => {
        diag('error', 'init.threw', e);
        return handle(toSdkError(e));
      }));
    } catch (e) {
      // Never throw into the page.
      diag('error', 'init.threw', e);
      return Promise.resolve(handle(toSdkError(e)));
    }
  };

  const Calls: CallsNamespace = {
    async startCall() {
      if (!session) {
        const err = sdkError(
          'FLX_ERR_SDK_NOT_INITIALIZED',
          'Call FluxPlayer.init() before FluxPlayer.Widgets.Calls.startCall()',
        );
        diag('warn', 'call.failed', err.code, err.message);
        throw err;
      }
      await session.promise;
      if (!session.widget) {
        throw sdkError(
          'FLX_ERR_SDK_NOT_WHITELISTED',
          'The calls widget is not configured (widgets.calls)',
        );
      }
      return session.widget.startCall();
    },
    on,
    off,
  };

  return { version: SDK_VERSION, init, destroy, on, off, Widgets: { Calls } };
}

/**
 * The `calls` widget controller: which pages (whitelist), which placeholders (renderTo +
 * MutationObserver), which agent (onBeforeRender on every roster change) and the call
 * button / startCall() flow. The cards' `data-flux-state` is derived from it:
 *
 *   loading ──▶ ready ◀──▶ hidden          ready ──▶ calling ──▶ in-call
 *      │          ▲           ▲                         │           │
 *      └──────────┴── error ──┘                   call UI closed ◀──┘  (re-derived)
 */
import type { CallAgent } from '@flux/protocol';
import type { CallUiContext, CallUiHandle } from '../../call-ui/contract.ts';
import { loadCallUi, prefetchCallUi } from '../../chunks.ts';
import { diag, lazyError } from '../../diag.ts';
import { toSdkError } from '../../errors.ts';
import { isRtl } from '../../i18n.ts';
import { Level, Msg } from '../../keys.ts';
import type { CallRouting, CallsWidgetOptions, HiddenReason, WidgetState } from '../../types.ts';
import { whitelistMatch } from '../../whitelist.ts';
import { createCard, type Card } from './Card.ts';

/** What the widget needs from the core; most of it is handed on to the call UI. */
export type CallsWidgetContext = Omit<CallUiContext, 'agent' | 'productIds' | 'rtl' | 'onPhase'> & {
  spa: boolean;
};

export interface CallsWidget {
  start(): void;
  setRoster(agents: CallAgent[], open: boolean): void;
  fail(): void;
  dispatch(type: string, detail: unknown): void;
  startCall(): Promise<void>;
  destroy(): void;
}

interface Choice {
  agent: CallAgent;
  productIds: string[];
}
/** Why nothing renders, and what to print. */
type NoChoice = [reason: HiddenReason, level: Level, key: Msg, ...args: unknown[]];

const TIMEOUT_MS = 10_000;

export function createCallsWidget(opts: CallsWidgetOptions, ctx: CallsWidgetContext): CallsWidget {
  const cards = new Map<Element, Card>();
  let state: WidgetState = 'loading';
  let hidden: HiddenReason | undefined;
  let agents: CallAgent[] | undefined;
  let open = true;
  let choice: Choice | undefined;
  let shown = '';
  let seq = 0;
  let allowed = false;
  let last = '';
  let gone = false;
  let observer: MutationObserver | undefined;
  let call: CallUiHandle | undefined;
  let busy = false;
  let phase: 'calling' | 'in-call' | undefined;
  let announce = '';
  let settled: Promise<void> = Promise.resolve();

  const render = (): void => {
    cards.forEach((card) => {
      card.update(phase ?? state, choice?.agent, announce);
    });
  };

  /** Sets the state; `rendered` when an agent (newly) shows, `hidden` when the reason changes. */
  const set = (next: WidgetState, why?: HiddenReason): void => {
    const a = choice?.agent;
    const key = a && !why ? a.id + a.name + a.profile_photo_url : '';
    state = next;
    if (a && key && key !== shown)
      ctx.emit('rendered', { agent: a, productIds: choice?.productIds ?? [] });
    if (why && why !== hidden) ctx.emit('hidden', { reason: why });
    shown = key;
    hidden = why;
    render();
  };

  const mount = (): void => {
    let found: NodeListOf<Element>;
    try {
      found = document.querySelectorAll(opts.renderTo);
    } catch {
      diag(Level.error, Msg.Selector, opts.renderTo);
      return;
    }
    cards.forEach((card, el) => {
      if (!card.host.isConnected) cards.delete(el);
    });
    for (const el of found) {
      if (!cards.has(el) && !el.closest('[data-flux-widget]')) {
        // startCall reports its failures itself (event + console).
        cards.set(
          el,
          createCard(
            el,
            ctx.strings,
            ctx.lang,
            prefetchCallUi,
            () => void api.startCall().catch(() => 0),
          ),
        );
      }
    }
    render();
  };

  const unmount = (): void => {
    observer?.disconnect();
    observer = undefined;
    cards.forEach((card) => {
      card.destroy();
    });
    cards.clear();
  };

  /** Applies onBeforeRender (or the default: the first agent) to `list`. */
  const pick = async (list: CallAgent[]): Promise<Choice | NoChoice> => {
    const fn = opts.onBeforeRender;
    const quiet: NoChoice = open
      ? ['nobody-online', Level.debug, Msg.HiddenNobody]
      : ['closed', Level.debug, Msg.HiddenClosed];
    if (!fn) return list[0] ? { agent: list[0], productIds: [] } : quiet;
    let result: CallRouting | null | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // The page gets copies: its mutations must not change our roster.
      result = await Promise.race([
        fn(structuredClone(list)),
        new Promise<never>(
          (_, reject) => (timer = setTimeout(reject, TIMEOUT_MS, Error('no answer in 10 s'))),
        ),
      ]);
    } catch (e) {
      return list.length
        ? ['on-before-render', Level.error, Msg.ObrThrew, e]
        : [quiet[0], Level.warn, Msg.ObrThrewEmpty, e];
    } finally {
      clearTimeout(timer);
    }
    if (result == null && !list.length) return quiet;
    const agent = list.find((a) => a.id === result?.callAgentId);
    // Not one of the agents (or not even an object): the extras chunk words which.
    if (!agent)
      return [
        'on-before-render',
        Level.error,
        Msg.ObrBad,
        result,
        list.map((a) => a.id).join(', '),
      ];
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
        if (level === Level.error) {
          ctx.emit('error', {
            code: 'FLX_ERR_SDK_ON_BEFORE_RENDER',
            message: 'onBeforeRender chose no available agent',
          });
        }
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
    if (gone || href === last) return;
    last = href;
    const match = whitelistMatch(opts.whitelist, href);
    if (!match) {
      diag(Level.debug, Msg.WlNone, href, opts.whitelist);
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
      })).observe(document.documentElement, { childList: true, subtree: true });
    }
    if (!allowed && agents) choose();
    allowed = true;
  };

  const api: CallsWidget = {
    start() {
      route();
      if (ctx.spa) {
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
    },
    setRoster(list, isOpen) {
      if (agents) ctx.emit('roster-changed', { agents: list, open: isOpen });
      agents = list;
      open = isOpen;
      if (allowed) choose();
    },
    fail() {
      agents = [];
      set('error', 'error');
    },
    dispatch(type, detail) {
      for (const el of cards.keys()) {
        el.dispatchEvent(
          new CustomEvent('flux:' + type, { detail, bubbles: true, composed: true }),
        );
      }
    },
    async startCall() {
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
        const handle: CallUiHandle = (call = mod.openCall({
          ...ctx,
          ...chosen,
          rtl: isRtl(ctx.lang),
          onPhase(next, text = '') {
            announce = text;
            phase = next === 'closed' ? undefined : next;
            if (!phase) {
              if (call === handle) busy = false;
              // Re-derive from the latest roster (our agent was busy during the call).
              if (allowed) choose();
            }
            render();
          },
        }));
        await handle.requested;
      } catch (e) {
        const err = toSdkError(e);
        diag(Level.warn, Msg.CallFailed, err.code, err.message);
        ctx.emit('error', { code: err.code, message: err.message });
        throw err;
      }
    },
    destroy() {
      gone = true;
      seq++;
      removeEventListener('popstate', route);
      call?.close();
      unmount();
    },
  };
  return api;
}

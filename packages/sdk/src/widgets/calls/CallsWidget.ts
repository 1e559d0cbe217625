/**
 * The `calls` widget controller: which pages (whitelist), which placeholders (renderTo +
 * MutationObserver), which agent (onBeforeRender on every roster change) and the call
 * button / startCall() flow. The cards' state is derived from it:
 *
 *   loading ──▶ ready ◀──▶ hidden          ready ──▶ calling ──▶ in-call
 *      │          ▲           ▲                         │           │
 *      └──────────┴── error ──┘                   call UI closed ◀──┘  (re-derived)
 */
import type { CallAgent } from '@flux/protocol';
import type { CallUiContext, CallUiHandle } from '../../call-ui/contract.ts';
import { loadCallUi, prefetchCallUi } from '../../chunks.ts';
import { diag, type DiagLevel } from '../../diag.ts';
import { sdkError, toSdkError } from '../../errors.ts';
import { isRtl, type WidgetStrings } from '../../i18n.ts';
import type { MessageKey } from '../../messages.ts';
import { onRouteChange } from '../../spa.ts';
import type { CallsWidgetOptions, HiddenReason, WidgetState } from '../../types.ts';
import { whitelistMatch } from '../../whitelist.ts';
import { createCard, type Card } from './Card.ts';

/** What the widget needs from the core; the rest of the call UI's context comes from here too. */
export type CallsWidgetContext = Omit<CallUiContext, 'agent' | 'productIds' | 'rtl' | 'onPhase'> & {
  spa: boolean;
};

export interface CallsWidget {
  readonly state: WidgetState;
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
type NoChoice = [reason: HiddenReason, level: DiagLevel, key: MessageKey, ...args: unknown[]];

const TIMEOUT_MS = 10_000;

export function createCallsWidget(opts: CallsWidgetOptions, ctx: CallsWidgetContext): CallsWidget {
  const cards = new Map<Element, Card>();
  const strings: WidgetStrings = ctx.strings;
  let state: WidgetState = 'loading';
  let hidden: HiddenReason | null = null;
  let agents: CallAgent[] | null = null;
  let open = true;
  let choice: Choice | null = null;
  let shown = '';
  let seq = 0;
  let allowed = false;
  let observer: MutationObserver | null = null;
  let unroute: (() => void) | undefined;
  let call: CallUiHandle | null = null;
  let phase: 'calling' | 'in-call' | null = null;
  let announce = '';
  let settled: Promise<void> = Promise.resolve();
  let scan = 0;

  const paint = (card: Card): void => {
    card.update({
      state: phase ?? state,
      agent: choice?.agent ?? null,
      strings,
      lang: ctx.lang,
      rtl: isRtl(ctx.lang),
      base: ctx.base,
      announce,
    });
  };
  const render = (): void => {
    cards.forEach(paint);
  };

  const set = (next: WidgetState, why: HiddenReason | null): void => {
    const prev = hidden;
    state = next;
    hidden = why;
    render();
    const a = choice?.agent;
    const key = a && !why ? a.id + a.name + a.profile_photo_url : '';
    if (key && choice && key !== shown) {
      ctx.emit('rendered', { agent: choice.agent, productIds: choice.productIds });
    } else if (why && (shown || prev !== why)) {
      ctx.emit('hidden', { reason: why });
    }
    shown = key;
  };

  const mount = (): void => {
    let found: NodeListOf<Element>;
    try {
      found = document.querySelectorAll(opts.renderTo);
    } catch {
      diag('error', 'selector', opts.renderTo);
      return;
    }
    for (const [el, card] of cards) {
      if (!card.host.isConnected) {
        card.destroy();
        cards.delete(el);
      }
    }
    for (const el of found) {
      if (cards.has(el) || el.closest('[data-flux-widget]')) continue;
      // startCall reports its failures itself (event + console).
      const card = createCard(
        el,
        prefetchCallUi,
        () => void api.startCall().catch(() => undefined),
      );
      cards.set(el, card);
      paint(card);
    }
  };

  const unmount = (): void => {
    observer?.disconnect();
    observer = null;
    cards.forEach((card) => card.destroy());
    cards.clear();
  };

  /** Applies onBeforeRender (or the default: the first agent) to `list`. */
  const pick = async (list: CallAgent[]): Promise<Choice | NoChoice> => {
    const fn = opts.onBeforeRender;
    const empty: HiddenReason = open ? 'nobody-online' : 'closed';
    const quiet: NoChoice = [empty, 'debug', open ? 'hidden.nobody' : 'hidden.closed'];
    if (!fn) return list[0] ? { agent: list[0], productIds: [] } : quiet;
    let result: unknown;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // The page gets copies: its mutations must not change our roster.
      result = await Promise.race([
        fn(list.map((a) => ({ ...a, tags: [...a.tags] }))),
        new Promise(
          (_, reject) =>
            (timer = setTimeout(reject, TIMEOUT_MS, Error(`no answer within ${TIMEOUT_MS} ms`))),
        ),
      ]);
    } catch (e) {
      return list.length
        ? ['on-before-render', 'error', 'obr.threw', e]
        : [empty, 'warn', 'obr.threwEmpty', e];
    } finally {
      clearTimeout(timer);
    }
    const ids = list.map((a) => a.id).join(', ');
    if (result == null && !list.length) return quiet;
    const r = (result ?? {}) as { callAgentId?: unknown; productIds?: unknown };
    if (typeof r.callAgentId !== 'string') {
      return [
        'on-before-render',
        'error',
        'obr.returned',
        result === undefined ? 'undefined' : JSON.stringify(result),
        ids,
      ];
    }
    const agent = list.find((a) => a.id === r.callAgentId);
    if (!agent) return ['on-before-render', 'error', 'obr.unknown', r.callAgentId, ids];
    const raw = Array.isArray(r.productIds) ? (r.productIds as unknown[]) : [];
    const productIds = raw.filter((p): p is string => typeof p === 'string' && !!p);
    if (
      productIds.length !== raw.length ||
      (r.productIds !== undefined && !Array.isArray(r.productIds))
    ) {
      diag('warn', 'obr.products');
    }
    return { agent, productIds };
  };

  /** Runs pick() for the current roster; results of superseded runs are dropped. */
  const choose = async (): Promise<void> => {
    const mine = ++seq;
    const picked = await pick(agents ?? []);
    if (mine !== seq || !allowed) return;
    if (Array.isArray(picked)) {
      const [reason, level, key, ...args] = picked;
      diag(level, key, ...args);
      if (level === 'error') {
        ctx.emit('error', {
          code: 'FLX_ERR_SDK_ON_BEFORE_RENDER',
          message: 'onBeforeRender did not choose an available agent',
        });
      }
      choice = null;
      // Mid-call the card keeps its call state; the roster is re-evaluated after the call.
      if (!phase) set('hidden', reason);
    } else {
      choice = picked;
      if (!phase) set('ready', null);
    }
  };

  const route = (): void => {
    const href = location.href;
    const match = whitelistMatch(opts.whitelist, href);
    const was = allowed;
    allowed = !!match;
    if (!match) {
      diag('debug', 'wl.none', href, opts.whitelist?.map(String).join(', '));
      unmount();
      choice = null;
      set('hidden', 'not-whitelisted');
      return;
    }
    diag('debug', 'wl.match', href, match === true ? 'no whitelist' : String(match));
    mount();
    observer ??= new MutationObserver(() => {
      // Coalesce bursts of mutations into one scan per frame.
      scan ||= requestAnimationFrame(() => {
        scan = 0;
        if (allowed) mount();
      });
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
    if (!was && agents) settled = choose();
  };

  const api: CallsWidget = {
    get state() {
      return phase ?? state;
    },
    start() {
      route();
      if (ctx.spa) unroute = onRouteChange(route);
      addEventListener('popstate', route);
    },
    setRoster(list, isOpen) {
      const first = !agents;
      agents = list;
      open = isOpen;
      if (!first) ctx.emit('roster-changed', { agents: list, open: isOpen });
      if (allowed) settled = choose();
    },
    fail() {
      agents = [];
      choice = null;
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
        if (!allowed)
          throw sdkError(
            'FLX_ERR_SDK_NOT_WHITELISTED',
            `The calls widget is not enabled on ${location.href}: no whitelist entry matches`,
          );
        if (call) throw sdkError('FLX_ERR_SDK_CALL_IN_PROGRESS', 'A call is already in progress');
        await settled;
        const chosen = choice;
        if (!chosen)
          throw sdkError(
            'FLX_ERR_SDK_NO_AGENT',
            `No call agent is available (${hidden ?? 'unknown'})`,
          );
        const mod = await loadCallUi().catch((e: unknown) => {
          throw sdkError('FLX_ERR_SDK_NETWORK', 'The call UI could not be loaded', e);
        });
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- another call may have started during the await
        if (call) throw sdkError('FLX_ERR_SDK_CALL_IN_PROGRESS', 'A call is already in progress');
        const handle: CallUiHandle = mod.openCall({
          ...ctx,
          ...chosen,
          rtl: isRtl(ctx.lang),
          onPhase(next, text = '') {
            announce = text;
            if (next !== 'closed') {
              phase = next;
            } else {
              if (call === handle) call = null;
              phase = null;
              // Re-derive from the latest roster (our agent was busy during the call).
              if (allowed) settled = choose();
            }
            render();
          },
        });
        call = handle;
        await handle.requested;
      } catch (e) {
        const err = toSdkError(e);
        diag('warn', 'call.failed', err.code, err.message);
        ctx.emit('error', { code: err.code, message: err.message });
        throw err;
      }
    },
    destroy() {
      seq++;
      unroute?.();
      removeEventListener('popstate', route);
      call?.close();
      call = null;
      unmount();
    },
  };
  return api;
}

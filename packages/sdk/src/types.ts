/**
 * Public types of the FluxPlayer SDK: every option, callback, event and error a host page
 * sees. Domain shapes (CallAgent, Product, …) come from @flux/protocol and are re-exported.
 */
import type { CallAgent, EndReason, ErrorCode, Product, VisitorUser } from '@flux/protocol';

export type { CallAgent, EndReason, ErrorCode, Product, VisitorUser };

/** Built-in languages of the widget and the call UI. `ar` renders right-to-left. @public */
export type FluxLanguage = 'en' | 'de' | 'fr' | 'es' | 'it' | 'nl' | 'pl' | 'pt' | 'sv' | 'ar';

/** Overrides of the widget card's texts (the spec's LocalizationObject). @public */
export interface CallsWidgetStrings {
  /** Title of the card. */
  title?: string;
  /** Text of the card; `{{name}}` is replaced by the chosen agent's name (as text, never HTML). */
  text?: string;
}

/** What `onBeforeRender` returns: who is called and which products join the call. @public */
export interface CallRouting {
  /** ID of one of the agents `onBeforeRender` received. */
  callAgentId: string;
  /** SKUs or external IDs added to the call when it starts. */
  productIds?: string[];
}

/**
 * Picks the agent (and products) from the agents who can take a call now. Called with `[]`
 * when nobody can; return `null`/`undefined` then to hide the widget quietly. May be async.
 * @public
 */
export type OnBeforeRender = (
  callAgents: CallAgent[],
) => CallRouting | null | undefined | Promise<CallRouting | null | undefined>;

/** `widgets.calls`: the one-on-one calls widget. @public */
export interface CallsWidgetOptions {
  /** CSS selector of the placeholder(s); every match, now or added later, gets a widget. */
  renderTo: string;
  strings?: CallsWidgetStrings;
  /**
   * Pages the widget appears on. RegExp entries are tested against `location.href`; string
   * entries are globs on the path (`*` = any characters, e.g. `/product/*`), or on the whole
   * URL when they contain `://`. No whitelist: every page.
   */
  whitelist?: (RegExp | string)[];
  onBeforeRender?: OnBeforeRender;
}

/** Product handed to `onCheckout` when the visitor adds it to the cart from a call. @public */
export interface CheckoutItem {
  product: Product;
  callId: string;
}

/** Every event of the SDK and what its `detail` holds. @public */
export interface FluxEventMap {
  /** A widget became visible (or its agent changed). */
  rendered: { agent: CallAgent; productIds: string[] };
  /** The widget is not shown; `reason` says why (the console says more at debug level). */
  hidden: { reason: HiddenReason };
  /** The list of agents who can take a call changed. */
  'roster-changed': { agents: CallAgent[]; open: boolean };
  /** The visitor asked for a call and the request was sent. */
  'call-requested': { callId: string; agent: CallAgent; productIds: string[] };
  /** The agent's console is ringing. */
  ringing: { callId: string };
  /** The agent accepted; media is flowing. */
  connected: { callId: string };
  /** The call ended. */
  ended: { callId: string | null; reason: EndReason; durationSeconds: number | null };
  /** The visitor opened a product from the call. */
  'product-clicked': { callId: string; product: Product };
  /** The visitor pressed "add to cart" on a product in the call. */
  'add-to-cart': { callId: string; product: Product };
  /** Something failed; also logged to the console. */
  error: { code: ErrorCode; message: string };
}

/** Names of the SDK's events. @public */
export type FluxEventName = keyof FluxEventMap;

/** Why a widget is hidden. @public */
export type HiddenReason =
  'not-whitelisted' | 'nobody-online' | 'closed' | 'on-before-render' | 'error' | 'destroyed';

/** A listener of `on(event, fn)`. @public */
export type FluxListener<K extends FluxEventName> = (detail: FluxEventMap[K]) => void;

/** What `onEvent` receives for every event. @public */
export type FluxAnyEvent = {
  [K in FluxEventName]: { type: K; detail: FluxEventMap[K] };
}[FluxEventName];

/** Options of `FluxPlayer.init()`. @public */
export interface FluxPlayerOptions {
  /** Publishable API key of the channel (`pk_…`). */
  apiKey: string;
  /** The channel's public ID (its slug), e.g. `groovy-hats`. */
  channelId: string;
  /** Base URL of the FluxPlayer server. Default: the origin the script was loaded from. */
  customDomain?: string;
  /** Language of the built-in strings. Default: `<html lang>`, then the browser's, then `en`. */
  language?: FluxLanguage | (string & {});
  /** Follow client-side navigation (pushState/replaceState/popstate) and re-check the whitelist. */
  spa?: boolean;
  /** Who the visitor is; shown to the agent. */
  user?: VisitorUser;
  /** Receives every event. */
  onEvent?: (event: FluxAnyEvent) => void;
  /** Called when the visitor adds a product to the cart from a call. */
  onCheckout?: (item: CheckoutItem) => void | Promise<void>;
  widgets?: { calls?: CallsWidgetOptions };
}

/** The error every rejected SDK promise carries. @public */
export interface FluxSdkError extends Error {
  code: ErrorCode;
}

/** State of a widget, also exposed as `data-flux-state` on its root. @public */
export type WidgetState = 'loading' | 'ready' | 'hidden' | 'calling' | 'in-call' | 'error';

/** Handle `init()` resolves with. @public */
export interface FluxPlayerHandle {
  /** Set when init failed (invalid options, wrong key, server unreachable). */
  error: FluxSdkError | null;
  destroy(): void;
  on<K extends FluxEventName>(event: K, fn: FluxListener<K>): void;
  off<K extends FluxEventName>(event: K, fn: FluxListener<K>): void;
}

/** `FluxPlayer.Widgets.Calls`. @public */
export interface CallsNamespace {
  /**
   * Starts the same flow as the widget's button. Resolves once the call UI is open and the
   * call request is sent; rejects with a FluxSdkError (`FLX_ERR_SDK_NOT_INITIALIZED`,
   * `FLX_ERR_SDK_NOT_WHITELISTED`, `FLX_ERR_SDK_NO_AGENT`, `FLX_ERR_MEDIA_PERMISSION_DENIED`, …).
   */
  startCall(): Promise<void>;
  on<K extends FluxEventName>(event: K, fn: FluxListener<K>): void;
  off<K extends FluxEventName>(event: K, fn: FluxListener<K>): void;
}

/** The `FluxPlayer` global and the npm module's default export. @public */
export interface FluxPlayerApi {
  readonly version: string;
  init(options: FluxPlayerOptions): Promise<FluxPlayerHandle>;
  destroy(): void;
  on<K extends FluxEventName>(event: K, fn: FluxListener<K>): void;
  off<K extends FluxEventName>(event: K, fn: FluxListener<K>): void;
  readonly Widgets: { readonly Calls: CallsNamespace };
}

/** Typed `flux:*` CustomEvents dispatched on every placeholder element. @public */
export type FluxDomEventMap = {
  [K in FluxEventName as `flux:${K}`]: CustomEvent<FluxEventMap[K]>;
};

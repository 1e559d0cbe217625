/**
 * The contract between the loader and the call UI chunk. The loader imports only types
 * from here; the chunk implements `openCall`. Keeping it a plain object interface lets the
 * two be built (and cached) separately.
 */
import type { CallAgent, VisitorUser } from '@flux/protocol';
import type { WidgetStrings } from '../i18n.ts';
import type { CheckoutItem, FluxEventMap, FluxEventName, FluxLanguage } from '../types.ts';

export interface CallUiContext {
  base: string;
  channelId: string;
  apiKey: string;
  /** A valid visitor token for the WebSocket (refetched when it is about to expire). */
  getToken(): Promise<string>;
  agent: CallAgent;
  productIds: string[];
  user: VisitorUser | undefined;
  lang: FluxLanguage;
  rtl: boolean;
  /** The card strings, so the call UI titles match the widget (`{{name}}` included). */
  strings: WidgetStrings;
  emit<K extends FluxEventName>(type: K, detail: FluxEventMap[K]): void;
  onCheckout: ((item: CheckoutItem) => void | Promise<void>) | undefined;
  /**
   * The call's phase, mirrored on the widget card (`calling`, `in-call`) and cleared on
   * close; `announce` is what the card's live region says (localized by the call UI).
   */
  onPhase(phase: 'calling' | 'in-call' | 'closed', announce?: string): void;
}

export interface CallUiHandle {
  /** Resolves once the call UI is open and the call request is sent; rejects with a FluxSdkError. */
  readonly requested: Promise<void>;
  /** Closes the UI (hanging up if needed). */
  close(): void;
}

export interface CallUiModule {
  openCall(ctx: CallUiContext): CallUiHandle;
}

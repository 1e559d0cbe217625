/**
 * @flux/sdk: the FluxPlayer web SDK as an ES module. Same API as the `FluxPlayer` global
 * of the script-tag build.
 *
 * @example
 * import FluxPlayer from '@flux/sdk';
 * await FluxPlayer.init({
 *   apiKey: 'pk_…', channelId: 'groovy-hats', customDomain: 'https://calls.example.com',
 *   widgets: { calls: { renderTo: '.call-widget' } },
 * });
 * @public
 */
import { scriptOrigin } from './chunks.ts';
import { createFluxPlayer } from './FluxPlayer.ts';
import type { FluxPlayerApi } from './types.ts';

/** The SDK instance. With npm, pass `customDomain` (default: the page's own origin). @public */
export const FluxPlayer: FluxPlayerApi = createFluxPlayer(scriptOrigin);
export default FluxPlayer;

export { isSdkError } from './errors.ts';
export { setLogLevel } from './logger.ts';
export type { LogLevel } from './logger.ts';
export type {
  CallAgent,
  CallRouting,
  CallsNamespace,
  CallsWidgetOptions,
  CallsWidgetStrings,
  CheckoutItem,
  EndReason,
  ErrorCode,
  FluxAnyEvent,
  FluxDomEventMap,
  FluxEventMap,
  FluxEventName,
  FluxLanguage,
  FluxListener,
  FluxPlayerApi,
  FluxPlayerHandle,
  FluxPlayerOptions,
  FluxSdkError,
  HiddenReason,
  OnBeforeRender,
  Product,
  VisitorUser,
  WidgetState,
} from './types.ts';

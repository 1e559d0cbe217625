import type { CallAgent, ErrorCode } from '@flux/protocol';
import { transient } from './errors.ts';
import { Msg } from './keys.ts';
import type { FluxSdkError, HiddenReason } from './types.ts';
import { SDK_VERSION } from './version.ts';

/**
 * Structural equality for init's idempotency: functions compare by source text and
 * RegExps by their literal, so re-running the same inline `init({...})` is a no-op.
 * Returns the first differing path, or null when equal.
 */
export function firstDifference(a: unknown, b: unknown, path = 'options'): string | null {
  if (a === b) return null;
  if (
    typeof a !== 'object' ||
    !a ||
    typeof b !== 'object' ||
    !b ||
    a instanceof RegExp ||
    b instanceof RegExp
  ) {
    // Functions compare by source text, RegExps by their literal, primitives by value.
    const text = (v: unknown): string =>
      typeof v === 'function' || v instanceof RegExp ? v.toString() : typeof v + JSON.stringify(v);
    return text(a) === text(b) ? null : path;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}.${k}`,
    );
    if (d) return d;
  }
  return null;
}

/**
 * The wording of every diagnostic the loader prints (see diag.ts), by id (keys.ts): part of
 * the lazy extras chunk, loaded only when something is printed.
 */
const str = (v: unknown): string => (v instanceof Error ? `${v.name}: ${v.message}` : String(v));
/** The loader's 10 s limit on onBeforeRender rejects with nothing. */
const obrFailed = (e: unknown): string =>
  e === undefined
    ? 'did not answer within 10 s (or rejected with nothing)'
    : `threw or rejected (${str(e)})`;
const KINDS: Record<string, string> = {
  s: 'a string',
  b: 'true or false',
  f: 'a function',
  o: 'an object',
  a: 'an array',
};

const M = {
  [Msg.OptObject]: (got: string) => `init(options) expects an object, got ${got}`,
  [Msg.OptUnknown]: (path: string, known: string) =>
    `init: unknown option '${path}' is ignored (known options here: ${known})`,
  [Msg.OptType]: (path: string, kind: string, got: string) =>
    `init: option '${path}' must be ${KINDS[kind] ?? kind}, got ${got}; it is ignored`,
  [Msg.OptRequired]: (path: string) =>
    `init: option '${path}' is required (a non-empty string); FluxPlayer is not initialised`,
  [Msg.OptEmpty]: (path: string) =>
    `init: option '${path}' must not be empty; FluxPlayer is not initialised`,
  [Msg.OptWhitelistNone]: () =>
    `init: option 'widgets.calls.whitelist' must be an array of RegExps or strings; the widget is shown on no page until it is fixed`,
  [Msg.OptWhitelistEntry]: (i: number, got: string) =>
    `init: widgets.calls.whitelist[${i}] must be a RegExp or a string, got ${got}; the entry is ignored`,
  [Msg.OptNoRenderTo]: () =>
    `init: widgets.calls needs renderTo (a CSS selector); the calls widget is disabled`,
  [Msg.OptDomain]: (v: string) =>
    `init: option 'customDomain' must be an http(s) URL such as https://calls.example.com, got '${v}'; using the script's origin`,
  [Msg.OptLanguage]: (v: string, all: string) =>
    `init: option 'language' has no built-in strings for '${v}' (built in: ${all}); using English`,
  [Msg.InitAgain]: (before: unknown, after: unknown) => {
    const path = firstDifference(before, after);
    return path
      ? `init() was already called with different options (first difference at '${path}'); the new options are ignored. Call FluxPlayer.destroy() first to re-initialise.`
      : ''; // the same options: a no-op, nothing to say
  },
  [Msg.InitFailed]: (e: FluxSdkError, channel: string, base: string) =>
    `init failed: ${e.code}: ${e.message} (channel '${channel}' at ${base})${transient(e.code) ? '; the calls widget (when configured) keeps trying in the background and shows once the server answers' : ''}`,
  [Msg.InitOk]: (channel: string, lang: string) =>
    `initialised: channel '${channel}', language ${lang}, SDK ${SDK_VERSION}`,
  [Msg.InitThrew]: (e: unknown) => `init failed unexpectedly: ${str(e)}`,
  [Msg.WlNone]: (href: string, list: unknown[]) =>
    `calls widget not rendered: ${href} matches no whitelist entry (whitelist: ${list.map(String).join(', ') || 'empty'}; RegExps are tested against location.href, strings are globs on the path)`,
  [Msg.WlMatch]: (href: string, match: unknown) =>
    `calls widget enabled on ${href} (whitelist match: ${String(match)})`,
  [Msg.Selector]: (sel: string) =>
    `widgets.calls.renderTo '${sel}' is not a valid CSS selector; nothing is rendered`,
  [Msg.Hidden]: (why: HiddenReason) =>
    why === 'closed'
      ? `calls widget hidden: the channel is outside its opening hours`
      : `calls widget hidden: nobody can take a call right now (no agent is online and free)`,
  [Msg.ObrThrew]: (e: unknown) =>
    `widgets.calls.onBeforeRender ${obrFailed(e)}; the widget is not rendered`,
  [Msg.ObrThrewEmpty]: (e: unknown) =>
    `widgets.calls.onBeforeRender ${obrFailed(e)} when called with [] because nobody can take a call now; the widget is hidden. Return null for an empty list to hide it quietly.`,
  [Msg.ObrBad]: (result: unknown, agents: CallAgent[]) => {
    const ids = agents.map((a) => a.id).join(', ');
    const id = (result as { callAgentId?: unknown } | null | undefined)?.callAgentId;
    return typeof id === 'string'
      ? `widgets.calls.onBeforeRender returned callAgentId '${id}', which is not one of the available agents (${ids || 'none'}); the widget is not rendered`
      : `widgets.calls.onBeforeRender returned ${result === undefined ? 'undefined' : JSON.stringify(result)}; expected { callAgentId, productIds? } where callAgentId is one of the available agents (${ids}); the widget is not rendered`;
  },
  [Msg.ObrProducts]: () =>
    `widgets.calls.onBeforeRender: productIds must be an array of non-empty strings; the other entries are ignored`,
  [Msg.CallFailed]: (e: FluxSdkError) => `startCall() failed: ${e.code}: ${e.message}`,
  [Msg.PresenceFinal]: (code: number, reason: string) =>
    `presence channel closed for good (${code} ${reason}); the widget will not update live`,
  [Msg.PresenceRetry]: (code: number | undefined, ms: number) =>
    `presence: ${code === undefined ? 'no answer (to the agents request, or to a ping for a whole heartbeat)' : `connection closed (${String(code)})`}, reconnecting in ${String(ms)} ms`,
  [Msg.Listener]: (what: string, e: unknown) =>
    `${what === 'onEvent' ? what : `a '${what}' listener`} threw: ${str(e)}`,
  [Msg.LoadedTwice]: () =>
    `flux-player.js was loaded more than once; the first copy stays in charge`,
  [Msg.Event]: (type: string, detail: unknown) => `event ${type} ${JSON.stringify(detail)}`,
} satisfies Record<Msg, (...args: never[]) => string>;

/** The `message` of the errors the loader rejects with (diag.ts#lazyError), by code. */
const ERROR_TEXT: Partial<Record<ErrorCode, (arg?: string) => string>> = {
  FLX_ERR_SDK_NOT_INITIALIZED: () => 'Call FluxPlayer.init() before startCall()',
  FLX_ERR_SDK_NOT_WHITELISTED: (href) =>
    href ? `No whitelist entry matches ${href}` : 'widgets.calls is not configured',
  FLX_ERR_SDK_NO_AGENT: (why) => `No call agent is available (${why})`,
  FLX_ERR_SDK_CALL_IN_PROGRESS: () => 'A call is already in progress',
  FLX_ERR_SDK_ON_BEFORE_RENDER: () => 'onBeforeRender chose no available agent',
  FLX_ERR_SDK_NETWORK: (base) =>
    base ? `${base} cannot be reached` : 'The call UI could not be loaded',
};

/** The message for an error `code` the loader raises; `arg` is the case's detail. */
export const errorText = (code: ErrorCode, arg?: string): string => ERROR_TEXT[code]?.(arg) ?? code;

/** The sentence for `key` with `args`. */
export function format(key: Msg, args: unknown[]): string {
  return (M[key] as (...a: unknown[]) => string)(...args);
}

/**
 * Ids of the SDK's console diagnostics and their levels. The wording of each lives in the lazy
 * extras chunk (messages.ts); these are const enums, which the bundler inlines, so the loader
 * carries small numbers instead of key strings.
 */

/** Console levels, in order of severity (logger.ts's threshold compares them). */
export const enum Level {
  debug,
  info,
  warn,
  error,
}

/** One id per diagnostic sentence of messages.ts. */
export const enum Msg {
  // Printed by the loader.
  Listener,
  Event,
  InitAgain,
  InitFailed,
  InitOk,
  InitThrew,
  CallFailed,
  LoadedTwice,
  Selector,
  WlNone,
  WlMatch,
  Hidden,
  ObrThrew,
  ObrThrewEmpty,
  ObrBad,
  ObrProducts,
  PresenceFinal,
  PresenceRetry,
  // Found by the full option validation (options.ts).
  OptObject,
  OptUnknown,
  OptType,
  OptRequired,
  OptEmpty,
  OptWhitelistNone,
  OptWhitelistEntry,
  OptNoRenderTo,
  OptDomain,
  OptLanguage,
}

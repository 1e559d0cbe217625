/**
 * Logging for the engine. Silent by default (we run on other people's pages); pass
 * `consoleLogger('warn')` or your own object with the four methods.
 * @public
 */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** @public */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

const noop = (): void => undefined;

/** A logger that drops everything. @public */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * A logger writing to the browser console at `level` and above, prefixed with `name`.
 * @example
 * const signaling = new SignalingClient({ url, role: 'agent', logger: consoleLogger('info') });
 * @public
 */
export function consoleLogger(level: LogLevel = 'warn', name = 'flux'): Logger {
  const min = LEVELS[level];
  const at =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (message: string, context?: Record<string, unknown>): void => {
      if (LEVELS[lvl] < min) return;
      // eslint-disable-next-line no-console -- this is the one place the engine writes to the console
      console[lvl](`[${name}] ${message}`, ...(context ? [context] : []));
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

import type { ReconnectContext, ReconnectPolicy } from './types.ts';

/** Options of the default reconnect policy. @public */
export interface DefaultReconnectPolicyOptions {
  /** First delay (ms). Default 300. */
  initialMs?: number;
  /** Largest delay (ms). Default 10000. */
  maxMs?: number;
  /** Give up once the connection has been lost this long (ms). Default 120000. */
  giveUpAfterMs?: number;
  /** Random source in [0, 1) for jitter (inject in tests). */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter on the upper half: delay = d/2 + random·d/2 with
 * d = min(maxMs, initialMs·2^retryCount); the first retry is immediate-ish (≤ initialMs).
 * @example
 * new SignalingClient({ url, role: 'agent', reconnectPolicy: new DefaultReconnectPolicy({ maxMs: 5000 }) });
 * @public
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #giveUpAfterMs: number;
  readonly #random: () => number;

  constructor(options: DefaultReconnectPolicyOptions = {}) {
    this.#initialMs = options.initialMs ?? 300;
    this.#maxMs = options.maxMs ?? 10_000;
    this.#giveUpAfterMs = options.giveUpAfterMs ?? 120_000;
    this.#random = options.random ?? Math.random;
  }

  nextRetryDelayInMs(context: ReconnectContext): number | null {
    if (context.elapsedMs >= this.#giveUpAfterMs) return null;
    const d = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(context.retryCount, 20));
    return Math.round(d / 2 + (this.#random() * d) / 2);
  }
}

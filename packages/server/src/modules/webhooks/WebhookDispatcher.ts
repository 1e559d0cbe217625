/**
 * Delivers webhook events. An event is first written to the `webhook_deliveries` table (one
 * row per webhook of the channel), then attempted at once; failures (a non-2xx answer, a
 * network error, no answer within the timeout) are retried with exponential backoff. The
 * process polls the table for due deliveries, so a retry survives a restart and several
 * processes on one database share the work (each claims a delivery with a conditional write
 * and a lease; one that dies mid-attempt leaves it to be retried when the lease ends).
 * Every attempt checks the address it sends to (deliver.ts): unless private targets are
 * allowed, a host that is or resolves to a private, loopback or link-local address fails.
 *
 * Most channels have no webhook, and a call's end is the hottest path that emits: a channel
 * found without webhooks is remembered for `noWebhooksTtlMs`, so its events cost no query.
 * Adding a webhook forgets it at once in the process that added it (`webhook.created`) and,
 * through the bus, in the others that follow the channel (`forget`, wired in app.ts); the TTL
 * bounds how long a process that missed that message skips the new webhook.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Call, CallbackRequest, WebhookEvent, WebhookEventType } from '@flux/protocol';
import type { ClaimedDelivery, Storage } from '../../storage/Storage.ts';
import type { AppEvents } from './events.ts';
import { BlockedAddressError, type Lookup } from '../../net/addressGuard.ts';
import { postWebhook } from './deliver.ts';
import { signatureHeader } from './signature.ts';

export interface WebhookOptions {
  /**
   * Delays before the 2nd, 3rd, … attempt; its length + 1 is the number of attempts. Default
   * 10 s, 30 s, 1 min, 2 min: 5 attempts over about 3.5 minutes.
   */
  backoffMs: number[];
  /** How long one attempt waits for the answer. */
  timeoutMs: number;
  /** How often the table is polled for due deliveries (retries, other processes' events). */
  pollIntervalMs: number;
  /** Deliveries attempted in parallel per poll. */
  batchSize: number;
  /**
   * Send to private, loopback and link-local addresses too (`WEBHOOK_ALLOW_PRIVATE`); else
   * an attempt whose host is or resolves to one fails without a request.
   */
  allowPrivate: boolean;
  /** How host names are resolved (the system resolver; tests may pass their own). */
  lookup?: Lookup;
  /** How long a channel found without webhooks is taken to have none (ms). */
  noWebhooksTtlMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  backoffMs: [10_000, 30_000, 60_000, 120_000],
  timeoutMs: 10_000,
  pollIntervalMs: 2_000,
  batchSize: 20,
  allowPrivate: false,
  noWebhooksTtlMs: 10_000,
};

export const USER_AGENT = 'FluxPlayer-Webhooks/1';

export class WebhookDispatcher {
  readonly #storage: Storage;
  readonly #log: FastifyBaseLogger;
  readonly #now: () => Date;
  readonly #opts: WebhookOptions;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #closed = false;
  readonly #pending = new Set<Promise<unknown>>();
  /** Channels found without webhooks, with when that stops being trusted (ms). */
  readonly #noWebhooks = new Map<string, number>();
  /** Bumped by every `forget`: a look-up that a webhook's creation overtook is not cached. */
  #forgets = 0;

  constructor(
    storage: Storage,
    log: FastifyBaseLogger,
    now: () => Date,
    options: Partial<WebhookOptions> = {},
  ) {
    this.#storage = storage;
    this.#log = log;
    this.#now = now;
    this.#opts = { ...DEFAULT_WEBHOOK_OPTIONS, ...options };
  }

  /** Subscribes to the app's events and starts polling. */
  start(events: AppEvents): void {
    events.on('call.ended', (call: Call) => {
      this.#track(this.emit(call.channelId, 'call.ended', { call }));
    });
    events.on('callback.requested', (callback: CallbackRequest) => {
      this.#track(this.emit(callback.channelId, 'callback.requested', { callback }));
    });
    events.on('webhook.created', (channelId: string) => {
      this.forget(channelId);
    });
    this.#schedule(0);
  }

  /** The channel may have webhooks now (one was added, here or in another process). */
  forget(channelId: string): void {
    this.#forgets++;
    this.#noWebhooks.delete(channelId);
  }

  /** Queues the event for every webhook of the channel and attempts it at once. */
  async emit(
    channelId: string,
    type: WebhookEventType,
    data: { call: Call } | { callback: CallbackRequest },
  ): Promise<void> {
    const none = this.#noWebhooks.get(channelId);
    if (none !== undefined) {
      if (Date.now() < none) return;
      this.#noWebhooks.delete(channelId);
    }
    const at = this.#now();
    const forgets = this.#forgets;
    const event = {
      id: `evt_${randomBytes(12).toString('base64url')}`,
      type,
      createdAt: at.toISOString(),
      channelId,
      data,
    } as WebhookEvent;
    try {
      const queued = await this.#storage.enqueueWebhookEvent({
        channelId,
        eventId: event.id,
        event: type,
        payload: JSON.stringify(event),
        at,
      });
      if (queued > 0) this.kick();
      else if (this.#opts.noWebhooksTtlMs > 0 && forgets === this.#forgets) {
        if (this.#noWebhooks.size >= 10_000) this.#noWebhooks.clear();
        this.#noWebhooks.set(channelId, Date.now() + this.#opts.noWebhooksTtlMs);
      }
    } catch (err) {
      this.#log.error({ err, type, channelId }, 'webhook event not queued');
    }
  }

  /** Runs a poll now (or right after the running one). */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
    await Promise.allSettled([...this.#pending]);
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.#poll().finally(() => {
        this.#running = null;
        const again = this.#again;
        this.#again = false;
        this.#schedule(again ? 0 : this.#opts.pollIntervalMs);
      });
    }, ms);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    try {
      for (;;) {
        const now = this.#now();
        const lease = new Date(now.getTime() + this.#opts.timeoutMs + 5_000);
        const batch = await this.#storage.claimWebhookDeliveries(now, lease, this.#opts.batchSize);
        if (batch.length === 0) return;
        await Promise.all(batch.map((d) => this.#attempt(d)));
        if (this.#closed || batch.length < this.#opts.batchSize) return;
      }
    } catch (err) {
      this.#log.warn({ err }, 'webhook poll failed');
    }
  }

  async #attempt(d: ClaimedDelivery): Promise<void> {
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await postWebhook(d.url, {
        timeoutMs: this.#opts.timeoutMs,
        allowPrivate: this.#opts.allowPrivate,
        ...(this.#opts.lookup ? { lookup: this.#opts.lookup } : {}),
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'x-flux-event': d.event,
          'x-flux-event-id': d.eventId,
          'x-flux-delivery': d.id,
          'x-flux-signature': signatureHeader(
            d.secret,
            d.payload,
            Math.floor(this.#now().getTime() / 1000),
          ),
        },
        body: d.payload,
      });
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${String(statusCode)}`;
    } catch (err) {
      error = describe(err);
    }
    const at = this.#now();
    const attemptNo = d.attempts + 1;
    const delay = this.#opts.backoffMs[attemptNo - 1];
    const outcome = error === null ? 'delivered' : delay === undefined ? 'failed' : 'retry';
    if (outcome !== 'delivered') {
      this.#log.info(
        { deliveryId: d.id, eventId: d.eventId, attempt: attemptNo, error, outcome },
        'webhook attempt failed',
      );
    }
    try {
      await this.#storage.recordWebhookAttempt(d.id, {
        at,
        statusCode,
        error,
        outcome,
        ...(outcome === 'retry' && delay !== undefined
          ? { retryAt: new Date(at.getTime() + delay) }
          : {}),
      });
    } catch (err) {
      this.#log.warn({ err, deliveryId: d.id }, 'webhook attempt not recorded');
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof BlockedAddressError) {
    return `Refused: ${err.message} (WEBHOOK_ALLOW_PRIVATE is off)`;
  }
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return 'No answer in time';
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error) return cause.message || cause.name;
    return err.message;
  }
  return String(err);
}

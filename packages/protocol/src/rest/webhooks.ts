/**
 * Webhooks (admin routes under /api/v1/admin/webhooks) and the events the server POSTs to
 * them. Every webhook of a channel receives every event; see docs/api.md for the signature.
 */
import { Type, type Static } from 'typebox';
import { CallbackRequestSchema, CallSchema, IdSchema, IsoDateSchema } from '../models.ts';

/** The events a webhook receives. @public */
export const WEBHOOK_EVENTS = ['call.ended', 'callback.requested'] as const;
/** @public */
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** Delivery states: pending (waiting for an attempt or a retry), delivered, failed (gave up). */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** A webhook as the admin sees it: the signing secret is shown only when it is created. */
export const WebhookSchema = Type.Object({
  id: IdSchema,
  url: Type.String(),
  /** The first characters of the secret, to tell webhooks apart. */
  secretPrefix: Type.String(),
  createdAt: IsoDateSchema,
});
export type Webhook = Static<typeof WebhookSchema>;

/** POST /admin/webhooks { url } → 201 { webhook, secret } */
export const CreateWebhookBodySchema = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://[^/\\s?#]+[^\\s]*$' }),
  },
  { additionalProperties: false },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBodySchema>;
export const CreatedWebhookSchema = Type.Object({ webhook: WebhookSchema, secret: Type.String() });
export type CreatedWebhook = Static<typeof CreatedWebhookSchema>;
export const WebhookListSchema = Type.Object({ items: Type.Array(WebhookSchema) });

/** One event sent to one webhook, with the outcome of its latest attempt. */
export const WebhookDeliverySchema = Type.Object({
  id: IdSchema,
  webhookId: IdSchema,
  /** The event id (`X-Flux-Event-Id`), the same for every webhook and every retry. */
  eventId: Type.String(),
  event: Type.Enum(WEBHOOK_EVENTS),
  status: Type.Enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: Type.Integer({ minimum: 0 }),
  /** HTTP status of the latest attempt, null when it got no answer (or none was made). */
  lastStatusCode: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: IsoDateSchema,
  /** When the next attempt is due (pending only). */
  nextAttemptAt: Type.Union([IsoDateSchema, Type.Null()]),
  deliveredAt: Type.Union([IsoDateSchema, Type.Null()]),
});
export type WebhookDelivery = Static<typeof WebhookDeliverySchema>;

/** The JSON body POSTed to a webhook. @public */
export const WebhookEventSchema = Type.Union([
  Type.Object({
    id: Type.String(),
    type: Type.Literal('call.ended'),
    createdAt: IsoDateSchema,
    channelId: Type.String(),
    data: Type.Object({ call: CallSchema }),
  }),
  Type.Object({
    id: Type.String(),
    type: Type.Literal('callback.requested'),
    createdAt: IsoDateSchema,
    channelId: Type.String(),
    data: Type.Object({ callback: CallbackRequestSchema }),
  }),
]);
export type WebhookEvent = Static<typeof WebhookEventSchema>;

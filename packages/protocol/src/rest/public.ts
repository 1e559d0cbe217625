/**
 * The public API, called by the SDK from a merchant's page. Authenticated by the channel's
 * slug (`channelId`) and a publishable `apiKey` in the query string, and by the request's
 * `Origin`, which must be on the channel's allowed origins. GET requests carry no custom
 * header so that browsers send them without a CORS preflight.
 */
import { Type, type Static } from 'typebox';
import { CallAgentSchema, ProductSchema, VisitorUserSchema } from '../models.ts';

export const PublicChannelParamsSchema = Type.Object(
  { channelId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' }) },
  { additionalProperties: false },
);
export type PublicChannelParams = Static<typeof PublicChannelParamsSchema>;

export const ApiKeyQuerySchema = Type.Object(
  { apiKey: Type.String({ minLength: 8, maxLength: 128 }) },
  { additionalProperties: false },
);

/** GET /api/v1/public/channels/:channelId/agents?apiKey= */
export const PublicAgentsResponseSchema = Type.Object({
  /** Agents who can take a call now (status online, console connected, not in a call). */
  agents: Type.Array(CallAgentSchema),
  /** Whether the channel is within its opening hours. When false, `agents` is empty. */
  open: Type.Boolean(),
  /** Short-lived token for the WebSocket channel, bound to this channel and Origin. */
  visitorToken: Type.String(),
  tokenExpiresAt: Type.String({ format: 'date-time' }),
});
export type PublicAgentsResponse = Static<typeof PublicAgentsResponseSchema>;

/** GET /api/v1/public/channels/:channelId/products?apiKey=&ids=A,B (SKUs or external IDs) */
export const PublicProductsQuerySchema = Type.Object(
  {
    apiKey: Type.String({ minLength: 8, maxLength: 128 }),
    ids: Type.String({ minLength: 1, maxLength: 4000 }),
  },
  { additionalProperties: false },
);
export const PublicProductsResponseSchema = Type.Object({
  products: Type.Array(ProductSchema),
  /** IDs that match no product's SKU or external ID. */
  unknownIds: Type.Array(Type.String()),
});
export type PublicProductsResponse = Static<typeof PublicProductsResponseSchema>;

/** POST /api/v1/public/channels/:channelId/callbacks?apiKey= */
export const PublicCallbackBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    contact: Type.String({ minLength: 3, maxLength: 320 }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
    pageUrl: Type.Optional(Type.String({ maxLength: 2048 })),
    callId: Type.Optional(Type.String({ maxLength: 64 })),
    user: Type.Optional(VisitorUserSchema),
  },
  { additionalProperties: false },
);
export type PublicCallbackBody = Static<typeof PublicCallbackBodySchema>;

/**
 * Shapes of the domain objects as they cross the wire. Schemas are TypeBox (plain JSON
 * Schema); the TypeScript types are derived from them so the two cannot drift.
 */
import { Type, type Static } from 'typebox';
import { AGENT_STATUSES, CALL_STATUSES, END_REASONS, USER_ROLES } from './states.ts';

export const IdSchema = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
export const IsoDateSchema = Type.String({ format: 'date-time' });
export const AgentStatusSchema = Type.Enum(AGENT_STATUSES);
export const CallStatusSchema = Type.Enum(CALL_STATUSES);
export const EndReasonSchema = Type.Enum(END_REASONS);
export const UserRoleSchema = Type.Enum(USER_ROLES);
export const TagSchema = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: '^[a-z0-9][a-z0-9_-]*$',
});
export const TagsSchema = Type.Array(TagSchema, { maxItems: 20, uniqueItems: true });
export const HttpUrlSchema = Type.String({ maxLength: 2048, pattern: '^(https?://|/)' });

/**
 * A call agent exactly as the spec defines it: what `onBeforeRender(callAgents)` receives.
 * @public
 */
export const CallAgentSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    status: AgentStatusSchema,
    tags: Type.Array(Type.String()),
    profile_photo_url: Type.String(),
  },
  { additionalProperties: false },
);
/** @public */
export type CallAgent = Static<typeof CallAgentSchema>;

/** A product of the channel's catalog. `price` is in minor units (cents). @public */
export const ProductSchema = Type.Object({
  id: IdSchema,
  sku: Type.Union([Type.String(), Type.Null()]),
  externalId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  price: Type.Integer({ minimum: 0 }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  pageUrl: Type.Union([Type.String(), Type.Null()]),
});
/** @public */
export type Product = Static<typeof ProductSchema>;

/** What the host page tells us about its visitor (`init({ user })`), shown to the agent. @public */
export const VisitorUserSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    externalId: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
/** @public */
export type VisitorUser = Static<typeof VisitorUserSchema>;

/** One stored transition of a call. @public */
export const CallTransitionSchema = Type.Object({
  status: CallStatusSchema,
  at: IsoDateSchema,
});
/** @public */
export type CallTransition = Static<typeof CallTransitionSchema>;

/** How well a call's media gets through, as one side judges it. @public */
export const LinkQualitySchema = Type.Union([Type.Literal('good'), Type.Literal('poor')]);
/** @public */
export type LinkQuality = Static<typeof LinkQualitySchema>;

/** A call record. @public */
export const CallSchema = Type.Object({
  id: IdSchema,
  channelId: IdSchema,
  agentId: IdSchema,
  agentName: Type.String(),
  status: CallStatusSchema,
  endReason: Type.Union([EndReasonSchema, Type.Null()]),
  endDetail: Type.Union([Type.String(), Type.Null()]),
  pageUrl: Type.Union([Type.String(), Type.Null()]),
  visitor: VisitorUserSchema,
  products: Type.Array(ProductSchema),
  unknownProductIds: Type.Array(Type.String()),
  requestedAt: IsoDateSchema,
  ringingAt: Type.Union([IsoDateSchema, Type.Null()]),
  connectedAt: Type.Union([IsoDateSchema, Type.Null()]),
  endedAt: Type.Union([IsoDateSchema, Type.Null()]),
  /** Seconds between connected and ended; null if never connected. */
  durationSeconds: Type.Union([Type.Integer(), Type.Null()]),
  rating: Type.Union([Type.Integer({ minimum: 1, maximum: 5 }), Type.Null()]),
  notes: Type.String(),
  /**
   * Seconds each side's connection was weak while the call was connected (0 = never): heavy
   * packet loss or a long round trip, as that side's browser measured it. A call still going
   * counts up to the moment it was read.
   */
  weakSeconds: Type.Object({
    visitor: Type.Integer({ minimum: 0 }),
    agent: Type.Integer({ minimum: 0 }),
  }),
});
/** @public */
export type Call = Static<typeof CallSchema>;

/**
 * Whether either side judged the call's connection weak at some time: what the call log marks
 * *Weak link* and analytics counts. @public
 */
export function hadWeakLink(call: Pick<Call, 'weakSeconds'>): boolean {
  return call.weakSeconds.visitor > 0 || call.weakSeconds.agent > 0;
}

/** Opening hours: per weekday (0 = Sunday) a list of "HH:MM-HH:MM" ranges in `timezone`. @public */
export const OpeningHoursSchema = Type.Object(
  {
    timezone: Type.String({ minLength: 1, maxLength: 64 }),
    days: Type.Record(
      Type.String({ pattern: '^[0-6]$' }),
      Type.Array(Type.String({ pattern: '^\\d\\d:\\d\\d-\\d\\d:\\d\\d$' })),
    ),
  },
  { additionalProperties: false },
);
/** @public */
export type OpeningHours = Static<typeof OpeningHoursSchema>;

/** Per-channel settings. @public */
export const ChannelSettingsSchema = Type.Object(
  {
    /** Seconds a call rings before it counts as missed. */
    ringTimeoutSeconds: Type.Integer({ minimum: 5, maximum: 300 }),
    /** Missed calls in a row after which an agent is set offline. */
    missesBeforeOffline: Type.Integer({ minimum: 1, maximum: 100 }),
    /** null = always open. */
    openingHours: Type.Union([OpeningHoursSchema, Type.Null()]),
  },
  { additionalProperties: false },
);
/** @public */
export type ChannelSettings = Static<typeof ChannelSettingsSchema>;
/** @public */
export const DEFAULT_CHANNEL_SETTINGS: ChannelSettings = {
  ringTimeoutSeconds: 30,
  missesBeforeOffline: 3,
  openingHours: null,
};

/** A channel (one shop). The channel's slug is its public `channelId`. @public */
export const ChannelSchema = Type.Object({
  id: IdSchema,
  slug: Type.String(),
  name: Type.String(),
  settings: ChannelSettingsSchema,
});
/** @public */
export type Channel = Static<typeof ChannelSchema>;

/** A user of a channel (agent or admin) as the console sees it. @public */
export const UserSchema = Type.Object({
  id: IdSchema,
  channelId: IdSchema,
  email: Type.String(),
  name: Type.String(),
  role: UserRoleSchema,
  status: AgentStatusSchema,
  tags: Type.Array(Type.String()),
  profilePhotoUrl: Type.String(),
  active: Type.Boolean(),
  createdAt: IsoDateSchema,
});
/** @public */
export type User = Static<typeof UserSchema>;

/** A publishable API key; `key` is only ever present in the response that created it. @public */
export const ApiKeySchema = Type.Object({
  id: IdSchema,
  label: Type.String(),
  prefix: Type.String(),
  createdAt: IsoDateSchema,
  revokedAt: Type.Union([IsoDateSchema, Type.Null()]),
});
/** @public */
export type ApiKey = Static<typeof ApiKeySchema>;

/** An origin allowed to use the channel's public API, e.g. `https://shop.example`. @public */
export const AllowedOriginSchema = Type.Object({
  id: IdSchema,
  origin: Type.String(),
  createdAt: IsoDateSchema,
});
/** @public */
export type AllowedOrigin = Static<typeof AllowedOriginSchema>;

/** A visitor's request to be called back. @public */
export const CallbackRequestSchema = Type.Object({
  id: IdSchema,
  channelId: IdSchema,
  callId: Type.Union([IdSchema, Type.Null()]),
  name: Type.String(),
  contact: Type.String(),
  note: Type.String(),
  pageUrl: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('open'), Type.Literal('taken'), Type.Literal('done')]),
  takenBy: Type.Union([IdSchema, Type.Null()]),
  createdAt: IsoDateSchema,
});
/** @public */
export type CallbackRequest = Static<typeof CallbackRequestSchema>;

/** An ICE server entry handed to browsers (STUN or TURN with time-limited credentials). @public */
export const IceServerSchema = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});
/** @public */
export type IceServer = Static<typeof IceServerSchema>;

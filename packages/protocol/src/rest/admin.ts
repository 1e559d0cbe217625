/** Admin routes under /api/v1/admin (role admin, own channel only). */
import { Type, type Static } from 'typebox';
import {
  AllowedOriginSchema,
  ApiKeySchema,
  CallStatusSchema,
  ChannelSettingsSchema,
  EndReasonSchema,
  HttpUrlSchema,
  OpeningHoursSchema,
  TagsSchema,
  UserRoleSchema,
  UserSchema,
} from '../models.ts';
import { Page } from './common.ts';

const EmailSchema = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' });
const PasswordSchema = Type.String({ minLength: 10, maxLength: 200 });

/** GET /admin/agents?limit&cursor → Page<User> */
export const UserPageSchema = Page(UserSchema);
/** POST /admin/agents → { user } */
export const CreateAgentBodySchema = Type.Object(
  {
    email: EmailSchema,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    password: PasswordSchema,
    role: Type.Optional(UserRoleSchema),
    tags: Type.Optional(TagsSchema),
    profilePhotoUrl: Type.Optional(HttpUrlSchema),
  },
  { additionalProperties: false },
);
export type CreateAgentBody = Static<typeof CreateAgentBodySchema>;
/** PATCH /admin/agents/:id → { user }. `active: false` deactivates (signs out, hides from widgets). */
export const UpdateAgentBodySchema = Type.Object(
  {
    email: Type.Optional(EmailSchema),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    role: Type.Optional(UserRoleSchema),
    tags: Type.Optional(TagsSchema),
    profilePhotoUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Literal('')])),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateAgentBody = Static<typeof UpdateAgentBodySchema>;
export const UserResponseSchema = Type.Object({ user: UserSchema });
/** POST /admin/agents/:id/password → { ok } */
export const ResetPasswordBodySchema = Type.Object(
  { password: PasswordSchema },
  { additionalProperties: false },
);
export type ResetPasswordBody = Static<typeof ResetPasswordBodySchema>;

/** POST /admin/products, PATCH /admin/products/:id (all optional), DELETE /admin/products/:id */
export const ProductInputSchema = Type.Object(
  {
    sku: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
    externalId: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
    ),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    price: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    imageUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Null()])),
    pageUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type ProductInput = Static<typeof ProductInputSchema>;
export const ProductPatchSchema = Type.Partial(ProductInputSchema, {
  additionalProperties: false,
  minProperties: 1,
});
export type ProductPatch = Static<typeof ProductPatchSchema>;

/**
 * POST /admin/products/import: `{ csv }` with a header row naming columns among
 * sku, external_id, name, price (minor units), currency, image_url, page_url.
 * Good rows are imported (upserted by SKU, else by external ID); bad rows are reported.
 */
export const ProductImportBodySchema = Type.Object(
  { csv: Type.String({ minLength: 1, maxLength: 2_000_000 }) },
  { additionalProperties: false },
);
export type ProductImportBody = Static<typeof ProductImportBodySchema>;
export const ProductImportResponseSchema = Type.Object({
  imported: Type.Integer(),
  errors: Type.Array(Type.Object({ row: Type.Integer(), message: Type.String() })),
});
export type ProductImportResponse = Static<typeof ProductImportResponseSchema>;

/** GET /admin/api-keys → { items }; POST → { apiKey, key } (key shown once); DELETE /:id revokes. */
export const ApiKeyListSchema = Type.Object({ items: Type.Array(ApiKeySchema) });
export const CreateApiKeyBodySchema = Type.Object(
  { label: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBodySchema>;
export const CreatedApiKeySchema = Type.Object({ apiKey: ApiKeySchema, key: Type.String() });
export type CreatedApiKey = Static<typeof CreatedApiKeySchema>;

/** GET /admin/origins → { items }; POST { origin } → { origin }; DELETE /:id */
export const OriginListSchema = Type.Object({ items: Type.Array(AllowedOriginSchema) });
export const CreateOriginBodySchema = Type.Object(
  { origin: Type.String({ maxLength: 300, pattern: '^https?://[^/\\s?#]+$' }) },
  { additionalProperties: false },
);
export type CreateOriginBody = Static<typeof CreateOriginBodySchema>;

/** GET /admin/settings → { name, settings }; PATCH with any of them. */
export const SettingsResponseSchema = Type.Object({
  name: Type.String(),
  settings: ChannelSettingsSchema,
});
export const UpdateSettingsBodySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ringTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 300 })),
    missesBeforeOffline: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    openingHours: Type.Optional(Type.Union([OpeningHoursSchema, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateSettingsBody = Static<typeof UpdateSettingsBodySchema>;

/** GET /admin/calls with filters → Page<Call> (newest first). `from`/`to` bound requestedAt. */
export const AdminCallsQuerySchema = Type.Object(
  {
    agentId: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(CallStatusSchema),
    endReason: Type.Optional(EndReasonSchema),
    /** Only calls in which either side's connection was weak at some point (`weakSeconds`). */
    weakLink: Type.Optional(Type.Boolean()),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type AdminCallsQuery = Static<typeof AdminCallsQuerySchema>;

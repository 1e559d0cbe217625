/**
 * Console sessions: an httpOnly, SameSite=Lax cookie (`flux_session`), Secure over https.
 * Every non-GET request with a session cookie must also carry the header
 * `X-Flux-Console: 1` (a custom header cannot be sent cross-site without a CORS preflight,
 * which these routes never grant), else FLX_ERR_AUTH_CSRF.
 */
import { Type, type Static } from 'typebox';
import {
  AgentStatusSchema,
  ChannelSchema,
  HttpUrlSchema,
  TagsSchema,
  UserSchema,
} from '../models.ts';

export const SESSION_COOKIE = 'flux_session';
export const CSRF_HEADER = 'x-flux-console';

/** POST /api/v1/auth/sign-in */
export const SignInBodySchema = Type.Object(
  {
    channel: Type.String({ minLength: 1, maxLength: 64 }),
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type SignInBody = Static<typeof SignInBodySchema>;

/** Response of sign-in and of GET /api/v1/me */
export const MeResponseSchema = Type.Object({ user: UserSchema, channel: ChannelSchema });
export type MeResponse = Static<typeof MeResponseSchema>;

/** PATCH /api/v1/me: the account settings page. */
export const UpdateMeBodySchema = Type.Object(
  {
    status: Type.Optional(AgentStatusSchema),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    tags: Type.Optional(TagsSchema),
    /** A URL, or "" to remove the photo. Uploads go to POST /api/v1/me/photo. */
    profilePhotoUrl: Type.Optional(Type.Union([HttpUrlSchema, Type.Literal('')])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateMeBody = Static<typeof UpdateMeBodySchema>;

/** POST /api/v1/me/photo: raw image body (image/png, image/jpeg, image/webp), ≤ 2 MB. */
export const PHOTO_MAX_BYTES = 2 * 1024 * 1024;
export const PHOTO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** PUT /api/v1/me/password */
export const ChangePasswordBodySchema = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 200 }),
    newPassword: Type.String({ minLength: 10, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type ChangePasswordBody = Static<typeof ChangePasswordBodySchema>;

/**
 * Routes of signed-in users (agents and admins): own call history, notes, callbacks,
 * the catalog search used during a call.
 */
import { Type, type Static } from 'typebox';
import { CallbackRequestSchema, CallSchema, ProductSchema } from '../models.ts';
import { Page } from './common.ts';

/** GET /api/v1/me/calls?limit&cursor → Page<Call> (newest first) */
export const CallPageSchema = Page(CallSchema);

/** PUT /api/v1/calls/:id/notes (the call's agent only) */
export const CallNotesBodySchema = Type.Object(
  { notes: Type.String({ maxLength: 10000 }) },
  { additionalProperties: false },
);
export type CallNotesBody = Static<typeof CallNotesBodySchema>;

/** GET /api/v1/callbacks?status=open&limit&cursor → Page<CallbackRequest> */
export const CallbackListQuerySchema = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('taken'), Type.Literal('done')]),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type CallbackListQuery = Static<typeof CallbackListQuerySchema>;
export const CallbackPageSchema = Page(CallbackRequestSchema);

/** PATCH /api/v1/callbacks/:id: take it (assigns to me) or mark it done. */
export const CallbackUpdateBodySchema = Type.Object(
  { status: Type.Union([Type.Literal('taken'), Type.Literal('done'), Type.Literal('open')]) },
  { additionalProperties: false },
);
export type CallbackUpdateBody = Static<typeof CallbackUpdateBodySchema>;

/** GET /api/v1/products?q&limit&cursor → Page<Product>; q matches name, SKU or external ID. */
export const ProductListQuerySchema = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ProductListQuery = Static<typeof ProductListQuerySchema>;
export const ProductPageSchema = Page(ProductSchema);

import { Type, type Static, type TSchema } from 'typebox';
import { ERRORS } from '../errors.ts';

/** `{ error: { code, message, details? } }`: the body of every REST error. */
export const ApiErrorSchema = Type.Object({
  error: Type.Object({
    code: Type.Enum(Object.keys(ERRORS) as (keyof typeof ERRORS)[]),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});

/** Query of every paginated list: `limit` (1–100, default 25) and the opaque `cursor` of the previous page. */
export const PageQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuerySchema>;

/** A page of `items`; `nextCursor` is null on the last page. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

export const IdParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);
export type IdParams = Static<typeof IdParamsSchema>;

export const OkSchema = Type.Object({ ok: Type.Literal(true) });

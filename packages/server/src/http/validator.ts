/**
 * The routes' schema validator: TypeBox's, as `@fastify/type-provider-typebox` makes it, but
 * stricter with the query string and the path. Their values arrive as text and are converted
 * to the schema's types before the check, and TypeBox's conversion is lenient: `limit=2.5`
 * became 2, `limit=true` 1 and `limit=0x10` 16. Here a number that is not written as a plain
 * decimal is kept as the text it was, so the schema refuses it (`must be integer`).
 */
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

const PLAIN = {
  integer: /^-?[0-9]+$/,
  number: /^-?[0-9]+(\.[0-9]+)?$/,
} as const;

/** The top-level properties of an object schema that hold numbers, with how they must read. */
function numericProperties(schema: TSchema): [string, RegExp][] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (properties === undefined) return [];
  return Object.entries(properties).flatMap(([name, p]) =>
    p.type === 'integer' || p.type === 'number' ? [[name, PLAIN[p.type]] as [string, RegExp]] : [],
  );
}

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  const numeric = httpPart === 'body' ? [] : numericProperties(schema);
  return (value) => {
    let converted: unknown = value;
    if (httpPart !== 'body') {
      // the texts not written as plain numbers, taken before the conversion (which can change
      // `value` in place)
      const kept: [string, string][] = [];
      if (isRecord(value)) {
        for (const [name, plain] of numeric) {
          const raw = value[name];
          if (typeof raw === 'string' && !plain.test(raw)) kept.push([name, raw]);
        }
      }
      converted = Value.Convert(schema, value);
      if (isRecord(converted)) for (const [name, raw] of kept) converted[name] = raw;
    }
    if (check.Check(converted)) return { value: converted };
    const error: FastifySchemaValidationError[] = check.Errors(converted);
    return { error };
  };
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

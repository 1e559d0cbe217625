/**
 * One error handler and one not-found handler: every error leaves as
 * `{ error: { code, message, details? } }` with a code from the protocol's registry.
 * Bad input never yields a 500; unexpected errors are logged and become FLX_ERR_INTERNAL.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, FluxError, type ApiErrorBody, type ErrorCode } from '@flux/protocol';

interface ValidationItem {
  keyword?: string;
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** `{ field, message }` for each schema violation, the field as a dotted path. */
export function validationDetails(
  items: readonly ValidationItem[],
  context: string | undefined,
): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const v of items) {
    if (v.keyword === 'boolean') continue; // duplicate of additionalProperties
    const base = (v.instancePath ?? '').replace(/^\//, '').split('/').filter(Boolean).join('.');
    let field = base;
    let message = v.message ?? 'is invalid';
    const p = v.params ?? {};
    if (v.keyword === 'required' && Array.isArray(p.requiredProperties)) {
      for (const name of p.requiredProperties as string[]) {
        out.push({ field: base ? `${base}.${name}` : name, message: 'is required' });
      }
      continue;
    }
    if (v.keyword === 'additionalProperties' && Array.isArray(p.additionalProperties)) {
      for (const name of p.additionalProperties as string[]) {
        out.push({ field: base ? `${base}.${name}` : name, message: 'is not an allowed field' });
      }
      continue;
    }
    if (v.keyword === 'minProperties') message = 'must name at least one field';
    if (field === '') field = context ?? 'body';
    out.push({ field, message });
  }
  if (out.length === 0) out.push({ field: context ?? 'body', message: 'is invalid' });
  // one entry per field and message
  return out.filter(
    (d, i) => out.findIndex((x) => x.field === d.field && x.message === d.message) === i,
  );
}

/** Fastify's names for the parts of a request, in words, with their verb. */
const PART_NAMES: Record<string, string> = {
  body: 'The request body does',
  querystring: 'The query string does',
  params: 'The path does',
  headers: 'The headers do',
};

function send(reply: FastifyReply, code: ErrorCode, message?: string, details?: unknown): void {
  const body: ApiErrorBody = { error: { code, message: message ?? ERRORS[code].message } };
  if (details !== undefined) body.error.details = details;
  void reply.status(ERRORS[code].status).type('application/json; charset=utf-8').send(body);
}

function fromFastify(err: FastifyError, request: FastifyRequest): [ErrorCode, string?, unknown?] {
  const upload = request.routeOptions.config.upload === true;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return upload ? ['FLX_ERR_UPLOAD_TOO_LARGE'] : ['FLX_ERR_BODY_TOO_LARGE'];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return upload
        ? ['FLX_ERR_UPLOAD_TYPE', 'Upload a PNG, JPEG or WebP image.']
        : ['FLX_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send application/json.'];
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ['FLX_ERR_BAD_REQUEST', 'The JSON body is empty.'];
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ['FLX_ERR_BAD_REQUEST', err.message];
    default:
      break;
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return ['FLX_ERR_BAD_REQUEST', 'The request body is not valid JSON.'];
  }
  if (err.statusCode === 413) return ['FLX_ERR_BODY_TOO_LARGE'];
  if (err.statusCode === 415) return ['FLX_ERR_UNSUPPORTED_MEDIA_TYPE'];
  if (err.statusCode === 429) return ['FLX_ERR_RATE_LIMITED'];
  if (err.statusCode === 404) return ['FLX_ERR_NOT_FOUND'];
  return ['FLX_ERR_INTERNAL'];
}

/**
 * Fastify's `frameworkErrors`: the errors its router raises before any route or hook runs,
 * given our error body instead of Fastify's. The one that reaches it here is a path that is not
 * valid percent-encoding (`/api/v1/admin/calls/%FF`).
 */
export function frameworkError(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  request.log.info({ reason: err.message }, 'request refused');
  // the app's onSend hooks do not run for these: the headers every answer carries, set here
  void reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store');
  send(
    reply,
    'FLX_ERR_BAD_REQUEST',
    err.code === 'FST_ERR_BAD_URL' ? 'The path is not valid percent-encoded UTF-8.' : undefined,
  );
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof FluxError) {
      if (err.status >= 500) request.log.error({ err }, 'request failed');
      send(reply, err.code, err.message, err.details);
      return;
    }
    if (err.validation) {
      const context = err.validationContext;
      send(
        reply,
        'FLX_ERR_VALIDATION',
        `${PART_NAMES[context ?? ''] ?? 'The request does'} not match its schema.`,
        validationDetails(err.validation, context),
      );
      return;
    }
    const [code, message, details] = fromFastify(err, request);
    if (code === 'FLX_ERR_INTERNAL') request.log.error({ err }, 'unexpected error');
    else request.log.info({ code, reason: err.message }, 'request refused');
    send(reply, code, message, details);
  });

  app.setNotFoundHandler((request, reply) => {
    send(
      reply,
      'FLX_ERR_NOT_FOUND',
      `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
    );
  });
}

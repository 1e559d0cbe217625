/**
 * A check every request passes before its schema: no string or key of its path, query string
 * or JSON body may hold U+0000 (lib/nul.ts says why). It runs for every route, so a route
 * added later is covered without saying so.
 */
import type { FastifyInstance } from 'fastify';
import { FluxError } from '@flux/protocol';
import { findNul, NUL_MESSAGE } from '../lib/nul.ts';

/** The request's part, the name its schema errors give it (Fastify's), and its name in words. */
const PARTS = [
  ['params', 'params', 'path'],
  ['query', 'querystring', 'query string'],
  ['body', 'body', 'request body'],
] as const;

export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    for (const [part, context, name] of PARTS) {
      const at = findNul(request[part]);
      if (at === null) continue;
      const field = at === '' ? context : at;
      done(
        new FluxError('FLX_ERR_VALIDATION', `The ${name} holds the NUL character (U+0000).`, {
          details: [
            {
              field,
              message: NUL_MESSAGE,
            },
          ],
        }),
      );
      return;
    }
    done();
  });
}

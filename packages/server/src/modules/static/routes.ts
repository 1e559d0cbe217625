/**
 * Static files: the SDK build at /sdk/v1/, the console at /console/ (SPA fallback to
 * index.html), and in demo mode the demo shop at /. A missing build folder is logged and
 * its routes answer 404 until it exists (the server itself keeps working).
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { FluxError, SDK_PATH } from '@flux/protocol';

export interface StaticRoots {
  sdk: string;
  console: string;
  demoShop: string | null;
}

export function staticRoots(staticRoot: string, demo: boolean): StaticRoots {
  return {
    sdk: join(staticRoot, 'packages/sdk/dist'),
    console: join(staticRoot, 'apps/console/dist'),
    demoShop: demo ? join(staticRoot, 'apps/demo-shop/dist') : null,
  };
}

/** The file under `root` for a URL path, or null (missing, a folder, or escaping root). */
function fileUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = normalize(decoded).replace(/^([/\\])+/, '');
  if (rel.split(sep).includes('..')) return null;
  const full = join(root, rel);
  if (!full.startsWith(root + sep) && full !== root) return null;
  try {
    return statSync(full).isFile() ? rel : null;
  } catch {
    return null;
  }
}

const HASHED_CHUNK = /-[A-Za-z0-9_]{8,}\.(js|mjs|css)$/;

function notFound(): FluxError {
  return new FluxError('FLX_ERR_NOT_FOUND', 'No such file.');
}

export async function registerStatic(app: FastifyInstance, roots: StaticRoots): Promise<void> {
  for (const [name, dir] of [
    ['sdk', roots.sdk],
    ['console', roots.console],
    ['demo shop', roots.demoShop],
  ] as const) {
    if (dir !== null && !existsSync(dir)) {
      app.log.warn({ dir }, `static: ${name} build not found; build it to serve it`);
    }
  }
  // only for reply.sendFile; every route below is ours
  await app.register(fastifyStatic, { root: roots.sdk, serve: false });

  const send = (reply: FastifyReply, root: string, rel: string) =>
    reply.sendFile(rel, root, { cacheControl: false });

  // SDK: the entry file has a short cache, hashed chunks are immutable; readable cross-origin
  app.get(`${SDK_PATH}/*`, { schema: { hide: true } }, async (request, reply) => {
    const rel = fileUnder(roots.sdk, (request.params as { '*': string })['*']);
    if (rel === null) throw notFound();
    reply.header('access-control-allow-origin', '*');
    reply.header(
      'cache-control',
      HASHED_CHUNK.test(rel) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    );
    return send(reply, roots.sdk, rel);
  });

  // Console: a single-page app
  const consoleIndex = async (reply: FastifyReply) => {
    if (fileUnder(roots.console, 'index.html') === null) {
      throw new FluxError('FLX_ERR_NOT_FOUND', 'The console is not built (npm run build).');
    }
    reply.header('cache-control', 'no-cache');
    return send(reply, roots.console, 'index.html');
  };
  app.get('/console', { schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/console/'),
  );
  app.get('/console/*', { schema: { hide: true } }, async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const rel = path === '' ? null : fileUnder(roots.console, path);
    if (rel === null) {
      // an asset that does not exist is a 404, a client-side route gets the app
      if (/\.[a-z0-9]{1,5}$/i.test(path)) throw notFound();
      return consoleIndex(reply);
    }
    reply.header(
      'cache-control',
      rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    return send(reply, roots.console, rel);
  });

  // Demo shop: plain HTML pages
  const shop = roots.demoShop;
  if (shop !== null) {
    app.get('/product/:id', { schema: { hide: true } }, async (request, reply) => {
      const { id } = request.params as { id: string };
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw notFound();
      const rel =
        fileUnder(shop, `product/${id}.html`) ?? fileUnder(shop, `product/${id}/index.html`);
      if (rel === null) throw new FluxError('FLX_ERR_PRODUCT_NOT_FOUND', 'No such product page.');
      reply.header('cache-control', 'no-cache');
      return send(reply, shop, rel);
    });
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = (request.params as { '*': string })['*'];
      if (path.startsWith('api/')) {
        throw new FluxError('FLX_ERR_NOT_FOUND', `No route ${request.method} /${path}.`);
      }
      const candidates =
        path === '' || path.endsWith('/')
          ? [`${path}index.html`]
          : [path, `${path}.html`, `${path}/index.html`];
      for (const c of candidates) {
        const rel = fileUnder(shop, c);
        if (rel !== null) {
          reply.header('cache-control', 'no-cache');
          return send(reply, shop, rel);
        }
      }
      throw notFound();
    });
  }
}

/**
 * docs/api.md names every route the server registers (and no route that does not exist), so
 * the reference cannot silently fall behind the code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

it('docs/api.md lists exactly the registered REST routes', async () => {
  const app = await buildApp(loadConfig({ DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'silent' }), {
    scryptN: 1024,
    logger: false,
  });
  try {
    await app.ready();
    const doc = app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map(
        (m) => `${m.toUpperCase()} ${path.replace(/^\/api\/v1/, '').replace(/\{(\w+)\}/g, ':$1')}`,
      ),
    );
    const md = readFileSync(
      fileURLToPath(new URL('../../../docs/api.md', import.meta.url)),
      'utf8',
    );
    const documented = new Set(
      [...md.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)/g)].map(
        (m) => `${m[1] ?? ''} ${m[2] ?? ''}`,
      ),
    );
    const missing = routes.filter((r) => !documented.has(r));
    expect(missing, 'routes missing from docs/api.md').toEqual([]);
    const stale = [...documented].filter((d) => !routes.includes(d));
    expect(stale, 'docs/api.md names routes that do not exist').toEqual([]);
  } finally {
    await app.close();
  }
});

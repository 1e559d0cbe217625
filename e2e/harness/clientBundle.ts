/**
 * @flux/client bundled with esbuild as an IIFE exposing `window.FluxClient`, for tests that
 * drive the engine directly in a page (built once per test process).
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { REPO_ROOT } from './server.ts';

let bundle: Promise<string> | null = null;

export function clientBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [join(REPO_ROOT, 'packages/client/src/index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'FluxClient',
    platform: 'browser',
    target: 'es2022',
    write: false,
  }).then((r) => r.outputFiles[0]?.text ?? '');
  return bundle;
}

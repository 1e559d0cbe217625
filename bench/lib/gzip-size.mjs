/**
 * gzip -9 sizes of the SDK's built files. The benchmark's own fallback measurement, used only
 * when bench/size.mjs (the size check of `npm test`, written with the SDK) does not provide one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from './proc.mjs';

export const SDK_DIST = join(REPO_ROOT, 'packages/sdk/dist');

export function gzipBytes(file) {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

/** { loader: { file, raw, gzip }, callUi: { file, raw, gzip } | null } */
export function sdkSizes(dist = SDK_DIST) {
  const loaderFile = join(dist, 'flux-player.js');
  const entry = (file) => ({ file, raw: readFileSync(file).length, gzip: gzipBytes(file) });
  const chunks = readdirSync(dist).filter((f) => /^call-ui-.*\.js$/.test(f));
  return {
    loader: entry(loaderFile),
    callUi: chunks.length ? entry(join(dist, chunks.sort()[0])) : null,
  };
}

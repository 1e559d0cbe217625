/**
 * gzip -9 sizes of the SDK's built files. The benchmark's own fallback measurement, used only
 * when bench/size.mjs (the size check of `npm test`, written with the SDK) does not provide one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from './proc.mjs';

export const SDK_DIST = join(REPO_ROOT, 'packages/sdk/dist');

export function gzipBytes(file) {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

/** The file and every file it imports statically (relative `import … from "./x.js"`), not dynamic import(). */
export function staticClosure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    staticClosure(join(dirname(file), m[1]), seen);
  }
  return seen;
}

/** Raw and gzip -9 bytes of a file plus its static imports (each gzipped on its own, as fetched). */
function entry(file) {
  const files = [...staticClosure(file)];
  return {
    file,
    files,
    raw: files.reduce((a, f) => a + readFileSync(f).length, 0),
    gzip: files.reduce((a, f) => a + gzipBytes(f), 0),
  };
}

/** { loader: { file, files, raw, gzip }, callUi: { … } | null } */
export function sdkSizes(dist = SDK_DIST) {
  const chunks = readdirSync(dist).filter((f) => /^call-ui-.*\.js$/.test(f));
  return {
    loader: entry(join(dist, 'flux-player.js')),
    callUi: chunks.length ? entry(join(dist, chunks.sort()[0])) : null,
  };
}

// Bundles the server's entry points for `node`: src/main.ts → dist/main.js, src/cli.ts →
// dist/cli.js, and the SQLite writer thread's entry src/storage/hotpath/sqliteWriter.worker.ts
// → dist/sqlite-writer.js (main.js starts it as `new URL('./sqlite-writer.js',
// import.meta.url)`, so it must sit next to main.js). Platform node, ESM, target node20.
// `node build.mjs --outdir DIR` builds elsewhere (the test of the built writer does so).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const at = process.argv.indexOf('--outdir');
const outdir = at >= 0 && process.argv[at + 1] ? resolve(process.argv[at + 1]) : join(here, 'dist');
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: {
    main: join(here, 'src/main.ts'),
    cli: join(here, 'src/cli.ts'),
    // the name WRITER_WORKER_FILE in src/storage/hotpath/sqliteWriter.ts
    'sqlite-writer': join(here, 'src/storage/hotpath/sqliteWriter.worker.ts'),
  },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // npm packages stay external (the same as packages: 'external'), except the workspace's
  // own @flux/* packages, which are TypeScript source and get bundled
  plugins: [
    {
      name: 'external-npm-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@flux/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`built ${outdir}: main.js, cli.js, sqlite-writer.js`);

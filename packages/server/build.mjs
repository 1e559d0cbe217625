// Bundles the server's entry points for `node`: src/main.ts → dist/main.js, src/cli.ts →
// dist/cli.js (platform node, ESM, target node20).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
rmSync(join(here, 'dist'), { recursive: true, force: true });

await build({
  entryPoints: { main: join(here, 'src/main.ts'), cli: join(here, 'src/cli.ts') },
  outdir: join(here, 'dist'),
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
console.log('built packages/server/dist/main.js and dist/cli.js');

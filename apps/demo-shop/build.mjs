// Builds the demo shop: a few static product pages of "Groovy Hats" that embed the
// FluxPlayer SDK the way a merchant would. /product/123 carries the spec's example.
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { avatarSvg, productSvg } from './src/art.mjs';
import { layout, productPage, catalogPage } from './src/pages.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const { products, agents } = JSON.parse(readFileSync(join(here, 'catalog.json'), 'utf8'));

rmSync(out, { recursive: true, force: true });
for (const dir of ['product', 'demo/img', 'demo/avatars'])
  mkdirSync(join(out, dir), { recursive: true });

copyFileSync(join(here, 'src/shop.css'), join(out, 'demo/shop.css'));
copyFileSync(join(here, 'src/shop.js'), join(out, 'demo/shop.js'));
for (const p of products) writeFileSync(join(out, p.imageUrl), productSvg(p));
for (const a of agents) writeFileSync(join(out, `demo/avatars/${a.slug}.svg`), avatarSvg(a));

writeFileSync(join(out, 'index.html'), layout('Groovy Hats', catalogPage(products)));
for (const p of products) {
  writeFileSync(
    join(out, `product/${p.id}.html`),
    layout(`${p.name} · Groovy Hats`, productPage(p, products)),
  );
}
console.log(`demo shop: ${products.length} product pages → ${out}`);

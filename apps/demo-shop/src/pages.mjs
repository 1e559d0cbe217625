// HTML of the demo shop's pages. Every product page embeds the SDK exactly as the spec's
// example does (plus apiKey and channelId); its whitelist lets the widget render only on
// /product/123.
const esc = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
const price = (p) =>
  new Intl.NumberFormat('en-IE', { style: 'currency', currency: p.currency }).format(p.price / 100);

export const SDK_EMBED = `<script src="/sdk/v1/flux-player.js"></script>
<script>
FluxPlayer.init({
    apiKey: 'pk_demo_groovy_hats_2026',
    channelId: 'groovy-hats',
    widgets: {
        calls: {
            renderTo: '.my-cool-call-widget',
            strings: {
                title: 'Call us now',
                text: 'Your call agent for today is {{name}}'
            },
            whitelist: [
                /\\/product\\/123$/m
            ],
            onBeforeRender: (callAgents) => {
                const callAgent = callAgents.find((callAgent) => callAgent.tags.includes('fashion-support'));

                return {
                    callAgentId: callAgent.id,
                    productIds: ['ITM-BLUE-SHIRT', 'EXT-RED-PANTS']
                }
            }
        }
    }
});
</script>`;

export function layout(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/demo/shop.css">
<link rel="icon" href="/demo/img/olive-wool-fedora.svg">
</head>
<body>
<aside class="demo-banner" id="demo-banner" aria-label="About this demo">
  <strong>Demo shop of FluxPlayer Calls.</strong>
  <span id="demo-status">The call widget appears on <a href="/product/123">the Blue Oxford Shirt</a> when an agent tagged <code>fashion-support</code> is online.</span>
  <span>To be that agent, open the <a href="/console/" target="_blank" rel="noopener">agent console</a>, sign in as <code>mia@groovy-hats.test</code> / <code>flux-demo-2026</code> and set your status to online.</span>
</aside>
<header class="site-header">
  <a class="logo" href="/"><span aria-hidden="true">◠</span> Groovy Hats</a>
  <nav aria-label="Main"><a href="/">Shop all</a><a href="/product/125">Hats</a><a href="/product/123">Shirts</a><a href="/product/129">Accessories</a></nav>
  <a class="cart" href="#">Cart (<span id="cart-count">0</span>)</a>
</header>
<main>
${body}
</main>
<footer class="site-footer">
  <div class="footer-cols">
    <div><h2>Groovy Hats</h2><p>Hats and good things to wear with them, since 2009. Free returns within 30 days.</p></div>
    <div><h2>Help</h2><ul><li><a href="#">Shipping</a></li><li><a href="#">Returns</a></li><li><a href="#">Size guide</a></li></ul></div>
    <div><h2>Talk to us</h2><p>Our stylists take video calls Monday to Saturday, 9:00–18:00.</p><div class="my-cool-call-widget"></div></div>
  </div>
  <p class="fineprint">© Groovy Hats · a demo store, nothing here is for sale.</p>
</footer>
${SDK_EMBED}
<script src="/demo/shop.js"></script>
</body>
</html>
`;
}

const card = (p) => `<li class="card"><a href="/product/${p.id}">
  <img src="${p.imageUrl}" alt="" width="240" height="240" loading="lazy">
  <span class="card-name">${esc(p.name)}</span><span class="card-price">${price(p)}</span></a></li>`;

export function catalogPage(products) {
  return `<section class="hero"><h1>Hats for every head</h1><p>New autumn colours are in. Need help with sizing or styling? Our team is one video call away on selected products.</p></section>
<ul class="grid">${products.map(card).join('\n')}</ul>`;
}

export function productPage(p, products) {
  const related = products.filter((o) => o.id !== p.id).slice(0, 4);
  const code = p.sku ? `SKU ${esc(p.sku)}` : `Ref. ${esc(p.externalId)}`;
  return `<nav class="crumbs" aria-label="Breadcrumb"><a href="/">Shop</a> › <span>${esc(p.name)}</span></nav>
<article class="product">
  <div class="product-media"><img src="${p.imageUrl}" alt="${esc(p.name)}" width="480" height="480"></div>
  <div class="product-info">
    <h1>${esc(p.name)}</h1>
    <p class="price">${price(p)}</p>
    <p class="code">${code}</p>
    <p class="blurb">${esc(p.blurb)}</p>
    <label class="size">Size <select><option>S</option><option selected>M</option><option>L</option><option>XL</option></select></label>
    <button class="add" type="button" data-product="${esc(p.id)}">Add to cart</button>
    <div class="my-cool-call-widget"></div>
    <ul class="perks"><li>Free shipping over €50</li><li>30-day returns</li><li>Ships in 1–2 days</li></ul>
  </div>
</article>
<section class="related"><h2>You may also like</h2><ul class="grid">${related.map(card).join('\n')}</ul></section>`;
}

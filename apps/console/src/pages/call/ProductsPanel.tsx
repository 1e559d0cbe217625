import { useEffect, useState } from 'preact/hooks';
import type { Product } from '@flux/protocol';
import { api } from '../../api/api.ts';
import { errorMessage } from '../../api/http.ts';
import {
  addProduct,
  callProducts,
  current,
  productActivity,
  removeProduct,
} from '../../calls/agentCalls.ts';
import { formatMoney } from '../../lib/format.ts';
import { toast } from '../../state/toast.ts';
import { Button } from '../../ui/Button.tsx';
import { Icon } from '../../ui/Icon.tsx';

export function ProductThumb({ p }: { p: Product }) {
  return p.imageUrl ? (
    <img class="product-thumb" src={p.imageUrl} alt="" loading="lazy" />
  ) : (
    <span class="product-thumb" aria-hidden="true">
      <Icon name="box" size={18} />
    </span>
  );
}

export function CallProductsPanel({ ended }: { ended: boolean }) {
  const products = callProducts.value;
  const unknown = current.value?.call.unknownProductIds ?? [];
  const [q, setQ] = useState('');
  const [results, setResults] = useState<Product[] | null>(null);
  const [searching, setSearching] = useState(false);
  const [pending, setPending] = useState<string | null>(null);
  useEffect(() => {
    if (!q.trim()) {
      setResults(null);
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      setSearching(true);
      api
        .products({ q: q.trim(), limit: 10 }, ctl.signal)
        .then((p) => setResults(p.items))
        .catch((err: unknown) => {
          if (!ctl.signal.aborted) toast(errorMessage(err), 'error');
        })
        .finally(() => setSearching(false));
    }, 250);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [q]);
  const inCall = new Set(products.map((p) => p.id));
  const activity = productActivity.value;
  const run = async (id: string, fn: (id: string) => Promise<void>) => {
    setPending(id);
    try {
      await fn(id);
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setPending(null);
    }
  };
  return (
    <div class="card-body stack-s" data-testid="products-panel">
      <div class="small muted">The visitor sees these products in the call.</div>
      {products.length === 0 ? <p class="muted">No products in this call.</p> : null}
      <div>
        {products.map((p) => {
          const clicks = activity.filter((a) => a.productId === p.id);
          return (
            <div class="product-row" key={p.id} data-testid="call-product">
              <ProductThumb p={p} />
              <div class="product-info">
                <div class="name">{p.name}</div>
                <div class="small muted">
                  {formatMoney(p.price, p.currency)}
                  {p.sku ? ` · ${p.sku}` : ''}
                  {clicks.some((c) => c.kind === 'add_to_cart') ? (
                    <span class="badge badge-ok" style={{ marginLeft: '6px' }}>
                      In cart
                    </span>
                  ) : clicks.length ? (
                    <span class="badge badge-accent" style={{ marginLeft: '6px' }}>
                      Viewed
                    </span>
                  ) : null}
                </div>
              </div>
              {!ended ? (
                <Button
                  size="s"
                  variant="danger-ghost"
                  icon="x"
                  aria-label={`Remove ${p.name} from the call`}
                  busy={pending === p.id}
                  onClick={() => void run(p.id, removeProduct)}
                />
              ) : null}
            </div>
          );
        })}
      </div>
      {unknown.length ? (
        <div class="banner banner-warn small">
          <Icon name="alert" />
          <span>The page asked for products that are not in the catalog: {unknown.join(', ')}</span>
        </div>
      ) : null}
      {!ended ? (
        <div class="stack-s" style={{ marginTop: '8px' }}>
          <label class="field-label" for="catalog-search">
            Add from the catalog
          </label>
          <div class="row">
            <input
              id="catalog-search"
              class="input"
              type="search"
              placeholder="Search by name, SKU or ID"
              value={q}
              onInput={(e) => setQ(e.currentTarget.value)}
            />
          </div>
          {searching ? <div class="small muted">Searching…</div> : null}
          {results ? (
            <div class="search-results" data-testid="catalog-results">
              {results.length === 0 ? <p class="muted small">No product matches “{q}”.</p> : null}
              {results.map((p) => (
                <div class="product-row" key={p.id}>
                  <ProductThumb p={p} />
                  <div class="product-info">
                    <div class="name">{p.name}</div>
                    <div class="small muted">
                      {formatMoney(p.price, p.currency)}
                      {p.sku ? ` · ${p.sku}` : ''}
                    </div>
                  </div>
                  <Button
                    size="s"
                    icon={inCall.has(p.id) ? 'check' : 'plus'}
                    disabled={inCall.has(p.id)}
                    busy={pending === p.id}
                    aria-label={
                      inCall.has(p.id)
                        ? `${p.name} is in the call`
                        : `Show ${p.name} to the visitor`
                    }
                    onClick={() => void run(p.id, addProduct)}
                  >
                    {inCall.has(p.id) ? 'Shown' : 'Show'}
                  </Button>
                </div>
              ))}
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

/** Admin: the product catalog (create, edit, delete, CSV import). */
import { useEffect, useState } from 'preact/hooks';
import type { Product, ProductImportResponse, ProductInput } from '@flux/protocol';
import { api, unwrap } from '../../api/api.ts';
import { ApiError, errorMessage } from '../../api/http.ts';
import { formatMoney, priceInput } from '../../lib/format.ts';
import { decodeTextFile } from '../../lib/textFile.ts';
import { fire } from '../../ui/fire.ts';
import { useSubmit } from '../../ui/useSubmit.ts';
import {
  check,
  currency,
  httpUrl,
  maxLength,
  parsePrice,
  price,
  required,
} from '../../lib/validate.ts';
import { toast } from '../../state/toast.ts';
import { Button } from '../../ui/Button.tsx';
import { Field, TextField } from '../../ui/Field.tsx';
import { ConfirmDialog, Modal } from '../../ui/Modal.tsx';
import { FormDialog } from '../../ui/FormDialog.tsx';
import { Empty, PageHead } from '../../ui/misc.tsx';
import { PagedTable } from '../../ui/PagedTable.tsx';
import { usePaged } from '../../ui/usePaged.ts';
import { ProductThumb } from '../call/ProductsPanel.tsx';

type Dialog =
  | { kind: 'form'; product: Product | null }
  | { kind: 'delete'; product: Product }
  | { kind: 'import' };

export function Products() {
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    const t = setTimeout(() => setQuery(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);
  const list = usePaged(
    (cursor) => api.products({ q: query || undefined, limit: 20, cursor }),
    [query],
  );
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = () => setDialog(null);
  return (
    <div>
      <PageHead
        title="Products"
        sub="The catalog agents show in calls. Pages refer to products by SKU or external ID."
      >
        <Button icon="upload" onClick={() => setDialog({ kind: 'import' })}>
          Import CSV
        </Button>
        <Button
          variant="primary"
          icon="plus"
          onClick={() => setDialog({ kind: 'form', product: null })}
        >
          New product
        </Button>
      </PageHead>
      <section class="card">
        <div class="card-head">
          <label class="sr-only" for="product-search">
            Search products
          </label>
          <input
            id="product-search"
            class="input"
            type="search"
            placeholder="Search by name, SKU or external ID"
            style={{ maxWidth: '360px' }}
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
          />
        </div>
        <PagedTable
          list={list}
          testId="products-table"
          head={
            <>
              <th>Product</th>
              <th>SKU</th>
              <th>External ID</th>
              <th>Price</th>
              <th class="actions">Actions</th>
            </>
          }
          row={(p) => (
            <tr key={p.id} data-sku={p.sku ?? ''}>
              <td>
                <div class="row">
                  <ProductThumb p={p} />
                  <div style={{ minWidth: 0 }}>
                    <div style={{ fontWeight: 600 }}>{p.name}</div>
                    {p.pageUrl ? (
                      <a class="small" href={p.pageUrl} target="_blank" rel="noreferrer noopener">
                        Product page
                      </a>
                    ) : null}
                  </div>
                </div>
              </td>
              <td class="mono">{p.sku ?? <span class="muted">—</span>}</td>
              <td class="mono">{p.externalId ?? <span class="muted">—</span>}</td>
              <td class="nowrap">{formatMoney(p.price, p.currency)}</td>
              <td class="actions">
                <Button
                  size="s"
                  variant="ghost"
                  icon="edit"
                  onClick={() => setDialog({ kind: 'form', product: p })}
                >
                  Edit
                </Button>
                <Button
                  size="s"
                  variant="danger-ghost"
                  icon="trash"
                  onClick={() => setDialog({ kind: 'delete', product: p })}
                >
                  Delete
                </Button>
              </td>
            </tr>
          )}
          empty={
            <Empty title={query ? `No product matches “${query}”` : 'No products yet'} icon="box">
              {query ? null : 'Create one or import a CSV.'}
            </Empty>
          }
        />
      </section>
      {dialog?.kind === 'form' ? (
        <ProductForm
          product={dialog.product}
          onClose={close}
          onSaved={(p) => {
            list.patch((items) =>
              items.some((x) => x.id === p.id)
                ? items.map((x) => (x.id === p.id ? p : x))
                : [p, ...items],
            );
          }}
        />
      ) : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog
          title={`Delete “${dialog.product.name}”?`}
          message="It is removed from the catalog. Past calls keep their record. This cannot be undone."
          confirmLabel="Delete product"
          onClose={close}
          onConfirm={fire(async () => {
            await api.admin.deleteProduct(dialog.product.id);
            list.patch((items) => items.filter((x) => x.id !== dialog.product.id));
            toast('Product deleted.');
          })}
        />
      ) : null}
      {dialog?.kind === 'import' ? (
        <ImportDialog onClose={close} onImported={() => list.reload(true)} />
      ) : null}
    </div>
  );
}

function ProductForm({
  product,
  onClose,
  onSaved,
}: {
  product: Product | null;
  onClose: () => void;
  onSaved: (p: Product) => void;
}) {
  const [v, setV] = useState({
    name: product?.name ?? '',
    sku: product?.sku ?? '',
    externalId: product?.externalId ?? '',
    price: product ? priceInput(product.price) : '',
    currency: product?.currency ?? 'EUR',
    imageUrl: product?.imageUrl ?? '',
    pageUrl: product?.pageUrl ?? '',
  });
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const form = useSubmit({ byCode: { FLX_ERR_CONFLICT: { field: 'sku' } } });
  const errors: Record<keyof typeof v, string | null> = {
    name: check(v.name, required('Name'), maxLength(200)),
    sku: check(v.sku, maxLength(100)),
    externalId: check(v.externalId, maxLength(100)),
    price: check(v.price, required('Price'), price),
    currency: check(v.currency, required('Currency'), currency),
    imageUrl: httpUrl(v.imageUrl),
    pageUrl: httpUrl(v.pageUrl),
  };
  const show = (k: keyof typeof v) => form.fieldErrors[k] ?? (touched[k] ? errors[k] : null);
  const set = (k: keyof typeof v) => (val: string) => {
    setV((s) => ({ ...s, [k]: k === 'currency' ? val.toUpperCase() : val }));
    setTouched((t) => ({ ...t, [k]: true }));
    form.clearField(k);
  };
  const noId = !v.sku.trim() && !v.externalId.trim();
  return (
    <FormDialog
      title={product ? 'Edit product' : 'New product'}
      id="product-form"
      submitLabel={product ? 'Save changes' : 'Create product'}
      busy={form.busy}
      error={form.formError}
      wide
      class="stack"
      onClose={onClose}
      onSubmit={async () => {
        setTouched(Object.fromEntries(Object.keys(v).map((k) => [k, true])));
        if (Object.values(errors).some(Boolean)) return;
        const body: ProductInput = {
          name: v.name.trim(),
          sku: v.sku.trim() || null,
          externalId: v.externalId.trim() || null,
          price: parsePrice(v.price) ?? 0,
          currency: v.currency,
          imageUrl: v.imageUrl.trim() || null,
          pageUrl: v.pageUrl.trim() || null,
        };
        await form.submit(async () => {
          const res = product
            ? await api.admin.updateProduct(product.id, body)
            : await api.admin.createProduct(body);
          onSaved(unwrap<Product>(res, 'product'));
          toast(product ? 'Product saved.' : 'Product created.');
          onClose();
        });
      }}
    >
      <div class="form-grid">
        <TextField
          autofocus
          label="Name"
          name="name"
          fieldClass="span-2"
          value={v.name}
          onValue={set('name')}
          error={show('name')}
        />
        <TextField
          label="SKU"
          name="sku"
          value={v.sku}
          onValue={set('sku')}
          error={show('sku')}
          placeholder="ITM-BLUE-SHIRT"
        />
        <TextField
          label="External ID"
          name="externalId"
          value={v.externalId}
          onValue={set('externalId')}
          error={show('externalId')}
          placeholder="EXT-RED-PANTS"
        />
        {noId ? (
          <div class="span-2 field-hint">
            Without a SKU or external ID, pages cannot add this product to calls (agents still can).
          </div>
        ) : null}
        <TextField
          label="Price"
          name="price"
          inputMode="decimal"
          value={v.price}
          onValue={set('price')}
          error={show('price')}
          placeholder="19.90"
        />
        <Field label="Currency" error={show('currency')}>
          {(ids) => (
            <input
              class="input"
              {...ids}
              list="currencies"
              maxLength={3}
              value={v.currency}
              onInput={(e) => set('currency')(e.currentTarget.value)}
            />
          )}
        </Field>
        <datalist id="currencies">
          {['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK', 'DKK', 'PLN'].map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <TextField
          label="Image URL"
          name="imageUrl"
          value={v.imageUrl}
          onValue={set('imageUrl')}
          error={show('imageUrl')}
          placeholder="https://…"
        />
        <TextField
          label="Product page URL"
          name="pageUrl"
          value={v.pageUrl}
          onValue={set('pageUrl')}
          error={show('pageUrl')}
          placeholder="https://…"
        />
      </div>
    </FormDialog>
  );
}

const CSV_EXAMPLE = `sku,external_id,name,price,currency,image_url,page_url
HAT-FEDORA-01,,Classic fedora,4900,EUR,,
,EXT-CAP-7,Summer cap,1999,EUR,,`;

function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const [csv, setCsv] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ProductImportResponse | null>(null);
  const rows = csv.trim() ? csv.trim().split(/\r?\n/).length - 1 : 0;
  return (
    <Modal
      title="Import products from CSV"
      onClose={onClose}
      wide
      footer={
        result ? (
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button
              variant="primary"
              busy={busy}
              disabled={rows < 1}
              onClick={fire(async () => {
                setBusy(true);
                setError(null);
                try {
                  const res = await api.admin.importProducts(csv);
                  setResult(res);
                  if (res.imported) onImported();
                } catch (err) {
                  setError(
                    err instanceof ApiError && err.fields.csv ? err.fields.csv : errorMessage(err),
                  );
                } finally {
                  setBusy(false);
                }
              })}
            >
              Import {rows > 0 ? `${rows} row${rows === 1 ? '' : 's'}` : ''}
            </Button>
          </>
        )
      }
    >
      {result ? (
        <div class="stack" data-testid="import-result">
          <div class={`banner ${result.errors.length ? 'banner-warn' : 'banner-info'}`}>
            <span>
              {`${result.imported} product${result.imported === 1 ? '' : 's'} imported`}
              {result.errors.length
                ? `, ${result.errors.length} row${result.errors.length === 1 ? '' : 's'} skipped`
                : ''}
              .
            </span>
          </div>
          {result.errors.length ? (
            <div class="card">
              <table class="table" data-testid="import-errors">
                <thead>
                  <tr>
                    <th style={{ width: '80px' }}>Row</th>
                    <th>Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {result.errors.map((e, i) => (
                    <tr key={i}>
                      <td class="mono">{e.row}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : (
        <div class="stack">
          <p class="muted">
            A header row names the columns: <code>sku</code>, <code>external_id</code>,{' '}
            <code>name</code>, <code>price</code> (in cents), <code>currency</code>,{' '}
            <code>image_url</code>, <code>page_url</code>. Rows are matched by SKU, else external
            ID: existing products are updated. Good rows are imported; bad rows are listed.
          </p>
          <div class="row-wrap">
            <label class="btn btn-s">
              Choose a file…
              <input
                type="file"
                accept=".csv,text/csv"
                class="sr-only"
                data-testid="csv-file"
                onChange={fire(async (e) => {
                  const f = e.currentTarget.files?.[0];
                  if (f) setCsv(decodeTextFile(new Uint8Array(await f.arrayBuffer())));
                })}
              />
            </label>
            <Button size="s" variant="ghost" onClick={() => setCsv(CSV_EXAMPLE)}>
              Paste an example
            </Button>
          </div>
          <Field
            label="CSV"
            error={error}
            hint={
              rows ? `${rows} data row${rows === 1 ? '' : 's'}` : 'Paste CSV text or choose a file.'
            }
          >
            {(ids) => (
              <textarea
                class="textarea mono"
                {...ids}
                rows={10}
                value={csv}
                spellcheck={false}
                placeholder={CSV_EXAMPLE}
                onInput={(e) => {
                  setCsv(e.currentTarget.value);
                  setError(null);
                }}
              />
            )}
          </Field>
        </div>
      )}
    </Modal>
  );
}

/** Admin: publishable API keys (create, show once, revoke) and the allowed origins. */
import { useEffect, useState } from 'preact/hooks';
import type { AllowedOrigin, ApiKey, CreatedApiKey } from '@flux/protocol';
import { api } from '../../api/api.ts';
import { errorMessage } from '../../api/http.ts';
import { formatDateTime } from '../../lib/format.ts';
import { check, maxLength, origin as originRule, required } from '../../lib/validate.ts';
import { toast } from '../../state/toast.ts';
import { Button } from '../../ui/Button.tsx';
import { TextField } from '../../ui/Field.tsx';
import { ConfirmDialog } from '../../ui/Modal.tsx';
import { AddOneForm } from '../../ui/AddOneForm.tsx';
import { SecretOnceDialog } from '../../ui/SecretOnceDialog.tsx';
import { FormDialog } from '../../ui/FormDialog.tsx';
import { Empty, Loading, PageHead, Pager } from '../../ui/misc.tsx';
import { fire } from '../../ui/fire.ts';
import { useSubmit } from '../../ui/useSubmit.ts';

const PAGE = 10;

/** Client-side paging for the short lists these routes return whole. */
function usePage<T>(items: T[]) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(items.length / PAGE));
  const p = Math.min(page, pages - 1);
  return {
    page: p,
    items: items.slice(p * PAGE, p * PAGE + PAGE),
    hasNext: p < pages - 1,
    next: () => setPage(p + 1),
    prev: () => setPage(Math.max(0, p - 1)),
  };
}

export function Keys() {
  return (
    <div>
      <PageHead
        title="API keys & allowed origins"
        sub="The shop’s pages use a publishable key, and only from the origins listed here."
      />
      <div class="stack">
        <ApiKeys />
        <Origins />
      </div>
    </div>
  );
}

export function useApiKeys() {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    api.admin.apiKeys().then(
      (r) => setKeys(r.items),
      (err: unknown) => setError(errorMessage(err)),
    );
  useEffect(() => void load(), []);
  return { keys, setKeys, error, reload: load };
}

function ApiKeys() {
  const { keys, setKeys, error, reload } = useApiKeys();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoke, setRevoke] = useState<ApiKey | null>(null);
  const pg = usePage(keys ?? []);
  return (
    <section class="card">
      <div class="card-head">
        <div>
          <h3>API keys</h3>
          <p>
            Publishable keys go into the embed snippet. Revoking one stops every widget that uses
            it.
          </p>
        </div>
        <span class="spacer" />
        <Button variant="primary" icon="plus" onClick={() => setCreating(true)}>
          New key
        </Button>
      </div>
      {error ? (
        <div class="form-error" style={{ margin: '16px' }}>
          {error}
        </div>
      ) : null}
      {keys === null ? (
        <Loading />
      ) : keys.length === 0 ? (
        <Empty title="No API keys" icon="key">
          Create one to embed the widget.
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="keys-table">
            <thead>
              <tr>
                <th>Label</th>
                <th>Key</th>
                <th>Created</th>
                <th>Status</th>
                <th class="actions">Actions</th>
              </tr>
            </thead>
            <tbody>
              {pg.items.map((k) => (
                <tr key={k.id} data-label={k.label}>
                  <td style={{ fontWeight: 600 }}>{k.label}</td>
                  <td class="mono">{k.prefix}…</td>
                  <td class="small nowrap">{formatDateTime(k.createdAt)}</td>
                  <td>
                    {k.revokedAt ? (
                      <span class="badge badge-danger">Revoked {formatDateTime(k.revokedAt)}</span>
                    ) : (
                      <span class="badge badge-ok">Active</span>
                    )}
                  </td>
                  <td class="actions">
                    {!k.revokedAt ? (
                      <Button size="s" variant="danger-ghost" onClick={() => setRevoke(k)}>
                        Revoke
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {keys && keys.length > PAGE ? (
        <Pager
          page={pg.page}
          hasNext={pg.hasNext}
          loading={false}
          onPrev={pg.prev}
          onNext={pg.next}
          count={pg.items.length}
        />
      ) : null}
      {creating ? (
        <CreateKey
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            setCreated(c);
            setKeys([c.apiKey, ...(keys ?? [])]);
          }}
        />
      ) : null}
      {created ? <ShowKeyOnce created={created} onClose={() => setCreated(null)} /> : null}
      {revoke ? (
        <ConfirmDialog
          title={`Revoke “${revoke.label}”?`}
          message={
            <>
              Every widget using the key <code>{revoke.prefix}…</code> stops working at once and
              shows an error. This cannot be undone.
            </>
          }
          confirmLabel="Revoke key"
          onClose={() => setRevoke(null)}
          onConfirm={fire(async () => {
            await api.admin.revokeApiKey(revoke.id);
            toast('Key revoked.');
            await reload();
          })}
        />
      ) : null}
    </section>
  );
}

export function CreateKey({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (c: CreatedApiKey) => void;
}) {
  const [label, setLabel] = useState('');
  const [touched, setTouched] = useState(false);
  const form = useSubmit({ field: 'label' });
  const error =
    form.fieldErrors.label ?? (touched ? check(label, required('Label'), maxLength(100)) : null);
  return (
    <FormDialog
      title="New API key"
      id="key-form"
      submitLabel="Create key"
      busy={form.busy}
      onClose={onClose}
      onSubmit={async () => {
        setTouched(true);
        if (check(label, required('Label'), maxLength(100))) return;
        await form.submit(async () => {
          onCreated(await api.admin.createApiKey(label.trim()));
        });
      }}
    >
      <TextField
        autofocus
        label="Label"
        value={label}
        onValue={(v) => {
          setLabel(v);
          setTouched(true);
          form.clearFields();
        }}
        error={error}
        placeholder="Main shop"
        hint="Where this key is used, so you know what revoking it affects."
      />
    </FormDialog>
  );
}

export function ShowKeyOnce({ created, onClose }: { created: CreatedApiKey; onClose: () => void }) {
  return (
    <SecretOnceDialog
      title="Copy your new key"
      secret={created.key}
      label="New API key"
      testId="new-key"
      onClose={onClose}
    >
      This is the only time the full key is shown. Copy it now; you can always create another.
    </SecretOnceDialog>
  );
}

function Origins() {
  const [items, setItems] = useState<AllowedOrigin[] | null>(null);
  const [remove, setRemove] = useState<AllowedOrigin | null>(null);
  useEffect(() => {
    api.admin.origins().then(
      (r) => setItems(r.items),
      (err: unknown) => toast(errorMessage(err), 'error'),
    );
  }, []);
  const pg = usePage(items ?? []);
  return (
    <section class="card">
      <div class="card-head">
        <div>
          <h3>Allowed origins</h3>
          <p>
            Websites allowed to show the widget, e.g. https://shop.example. Requests from anywhere
            else are refused.
          </p>
        </div>
      </div>
      <AddOneForm
        label="Origin"
        field="origin"
        submitLabel="Add"
        placeholder="https://shop.example"
        rule={originRule}
        normalize={(v) => v.trim().replace(/\/+$/, '')}
        style={{ borderBottom: '1px solid var(--border)' }}
        onAdd={async (v) => {
          const res = await api.admin.addOrigin(v);
          setItems([...(items ?? []), res.origin]);
          toast('Origin added.');
        }}
      />
      {items === null ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty title="No origins allowed yet" icon="globe">
          Add the shop’s origin so its pages can use the widget.
        </Empty>
      ) : (
        <table class="table" data-testid="origins-table">
          <tbody>
            {pg.items.map((o) => (
              <tr key={o.id}>
                <td class="mono">{o.origin}</td>
                <td class="small muted nowrap">Added {formatDateTime(o.createdAt)}</td>
                <td class="actions">
                  <Button size="s" variant="danger-ghost" icon="trash" onClick={() => setRemove(o)}>
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {items && items.length > PAGE ? (
        <Pager
          page={pg.page}
          hasNext={pg.hasNext}
          loading={false}
          onPrev={pg.prev}
          onNext={pg.next}
          count={pg.items.length}
        />
      ) : null}
      {remove ? (
        <ConfirmDialog
          title="Remove this origin?"
          message={
            <>
              Pages on <code>{remove.origin}</code> can no longer show the widget.
            </>
          }
          confirmLabel="Remove origin"
          onClose={() => setRemove(null)}
          onConfirm={fire(async () => {
            await api.admin.removeOrigin(remove.id);
            setItems((items ?? []).filter((x) => x.id !== remove.id));
            toast('Origin removed.');
          })}
        />
      ) : null}
    </section>
  );
}

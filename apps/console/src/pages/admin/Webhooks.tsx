/**
 * Admin: webhooks. URLs that receive signed `call.ended` and `callback.requested` events; the
 * signing secret is shown once when a webhook is added; each webhook lists its recent
 * deliveries (pending with the next retry, delivered, failed) and can be deleted after a
 * confirmation.
 */
import { useEffect, useState } from 'preact/hooks';
import type { CreatedWebhook, Webhook, WebhookDelivery } from '@flux/protocol';
import { api } from '../../api/api.ts';
import { errorMessage } from '../../api/http.ts';
import { formatDateTime } from '../../lib/format.ts';
import { webhookUrl } from '../../lib/validate.ts';
import { toast } from '../../state/toast.ts';
import { AddOneForm } from '../../ui/AddOneForm.tsx';
import { SecretOnceDialog } from '../../ui/SecretOnceDialog.tsx';
import { Button } from '../../ui/Button.tsx';
import { ConfirmDialog } from '../../ui/Modal.tsx';
import { Empty, Loading, PageHead } from '../../ui/misc.tsx';
import { PagedTable } from '../../ui/PagedTable.tsx';
import { usePaged } from '../../ui/usePaged.ts';

const STATUS_CLASS: Record<WebhookDelivery['status'], string> = {
  pending: 'badge-warn',
  delivered: 'badge-ok',
  failed: 'badge-danger',
};
const STATUS_LABEL: Record<WebhookDelivery['status'], string> = {
  pending: 'Retrying',
  delivered: 'Delivered',
  failed: 'Failed',
};

export function Webhooks() {
  const [items, setItems] = useState<Webhook[] | null>(null);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [remove, setRemove] = useState<Webhook | null>(null);
  useEffect(() => {
    api.admin.webhooks().then(
      (r) => setItems(r.items),
      (err: unknown) => toast(errorMessage(err), 'error'),
    );
  }, []);
  return (
    <div>
      <PageHead
        title="Webhooks"
        sub={
          <>
            Your systems get a signed <code>POST</code> when a call ends (<code>call.ended</code>)
            and when a visitor asks to be called back (<code>callback.requested</code>). Failed
            deliveries are retried 4 times over about 3.5 minutes.
          </>
        }
      />
      <div class="stack">
        <AddWebhook
          onCreated={(c) => {
            setCreated(c);
            setItems([...(items ?? []), c.webhook]);
          }}
        />
        {items === null ? (
          <section class="card">
            <Loading />
          </section>
        ) : items.length === 0 ? (
          <section class="card">
            <Empty title="No webhooks yet" icon="globe">
              Add a URL above to receive events.
            </Empty>
          </section>
        ) : (
          items.map((h) => <WebhookCard key={h.id} hook={h} onDelete={() => setRemove(h)} />)
        )}
      </div>
      {created ? <ShowSecretOnce created={created} onClose={() => setCreated(null)} /> : null}
      {remove ? (
        <ConfirmDialog
          title="Delete this webhook?"
          message={
            <>
              <code>{remove.url}</code> stops receiving events, and its delivery history is deleted.
              This cannot be undone.
            </>
          }
          confirmLabel="Delete webhook"
          onClose={() => setRemove(null)}
          onConfirm={async () => {
            await api.admin.deleteWebhook(remove.id);
            setItems((items ?? []).filter((x) => x.id !== remove.id));
            toast('Webhook deleted.');
          }}
        />
      ) : null}
    </div>
  );
}

function AddWebhook({ onCreated }: { onCreated: (c: CreatedWebhook) => void }) {
  return (
    <section class="card">
      <div class="card-head">
        <div>
          <h3>Add a webhook</h3>
          <p>An https:// URL of your server. It answers any 2xx status to acknowledge.</p>
        </div>
      </div>
      <AddOneForm
        label="Webhook URL"
        field="url"
        submitLabel="Add webhook"
        placeholder="https://shop.example/hooks/flux"
        ariaLabel="Add a webhook"
        rule={webhookUrl}
        onAdd={async (v) => {
          onCreated(await api.admin.createWebhook(v));
        }}
      />
    </section>
  );
}

function WebhookCard({ hook, onDelete }: { hook: Webhook; onDelete: () => void }) {
  const list = usePaged((cursor) => api.admin.webhookDeliveries(hook.id, { limit: 10, cursor }));
  // pending retries change on their own: refresh while the first page shows one
  const pending = list.page === 0 && list.items.some((d) => d.status === 'pending');
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => list.reload(), 5000);
    return () => clearInterval(t);
  }, [pending]);
  return (
    <section class="card" data-testid="webhook" data-url={hook.url}>
      <div class="card-head">
        <div style={{ minWidth: 0 }}>
          <h3 class="mono" style={{ overflowWrap: 'anywhere' }}>
            {hook.url}
          </h3>
          <p>
            Secret <code>{hook.secretPrefix}…</code> · added {formatDateTime(hook.createdAt)}
          </p>
        </div>
        <span class="spacer" />
        <Button size="s" icon="search" onClick={() => list.reload()} busy={list.loading}>
          Refresh
        </Button>
        <Button size="s" variant="danger-ghost" icon="trash" onClick={onDelete}>
          Delete
        </Button>
      </div>
      <PagedTable
        list={list}
        testId="deliveries-table"
        head={
          <>
            <th>Event</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Last answer</th>
            <th>Created</th>
            <th>Next attempt / delivered</th>
          </>
        }
        row={(d) => (
          <tr key={d.id}>
            <td>
              <code>{d.event}</code>
              <div class="small muted mono" title="X-Flux-Event-Id">
                {d.eventId}
              </div>
            </td>
            <td>
              <span class={`badge ${STATUS_CLASS[d.status]}`}>{STATUS_LABEL[d.status]}</span>
            </td>
            <td class="mono">{d.attempts}</td>
            <td class="small">
              {d.lastStatusCode !== null ? `HTTP ${String(d.lastStatusCode)}` : ''}
              {d.lastError && d.lastStatusCode === null ? d.lastError : ''}
              {d.attempts === 0 ? <span class="muted">—</span> : null}
            </td>
            <td class="small nowrap">{formatDateTime(d.createdAt)}</td>
            <td class="small nowrap">
              {d.deliveredAt
                ? formatDateTime(d.deliveredAt)
                : d.nextAttemptAt
                  ? `retry ${formatDateTime(d.nextAttemptAt)}`
                  : '—'}
            </td>
          </tr>
        )}
        empty={
          <Empty title="No deliveries yet" icon="clock">
            Events sent to this URL appear here.
          </Empty>
        }
        pagerWhenNeeded
      />
    </section>
  );
}

function ShowSecretOnce({ created, onClose }: { created: CreatedWebhook; onClose: () => void }) {
  return (
    <SecretOnceDialog
      title="Copy the signing secret"
      secret={created.secret}
      label="Signing secret"
      testId="new-secret"
      onClose={onClose}
    >
      This is the only time the secret is shown. Your server uses it to check the{' '}
      <code>X-Flux-Signature</code> header of each event (see the API docs).
    </SecretOnceDialog>
  );
}

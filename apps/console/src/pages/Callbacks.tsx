import { useEffect, useState } from 'preact/hooks';
import type { CallbackRequest } from '@flux/protocol';
import { api, unwrap } from '../api/api.ts';
import { errorMessage } from '../api/http.ts';
import { callbacksVersion } from '../calls/agentCalls.ts';
import { formatRelative, shortUrl } from '../lib/format.ts';
import { me } from '../state/session.ts';
import { toast } from '../state/toast.ts';
import { Button } from '../ui/Button.tsx';
import { Empty, PageHead } from '../ui/misc.tsx';
import { PagedTable } from '../ui/PagedTable.tsx';
import { usePaged } from '../ui/usePaged.ts';

type Status = CallbackRequest['status'];
const FILTERS: { value: Status; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'taken', label: 'Taken' },
  { value: 'done', label: 'Done' },
];

export function Callbacks() {
  const [status, setStatus] = useState<Status>('open');
  const version = callbacksVersion.value;
  const list = usePaged(
    (cursor) => api.callbacks({ status, limit: 20, cursor }),
    [status, version],
  );
  const [busy, setBusy] = useState<string | null>(null);
  // Pushes announce requests left over signaling; this also catches ones left some other way.
  useEffect(() => {
    const t = setInterval(() => {
      if (!document.hidden) list.reload();
    }, 30_000);
    return () => clearInterval(t);
  }, []);
  const update = async (cb: CallbackRequest, next: Status) => {
    setBusy(cb.id);
    try {
      unwrap<CallbackRequest>(await api.updateCallback(cb.id, next), 'callback');
      toast(
        next === 'taken'
          ? `You took ${cb.name}'s request.`
          : next === 'done'
            ? 'Marked as done.'
            : 'Reopened.',
      );
      list.reload();
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(null);
    }
  };
  const myId = me.value?.id;
  return (
    <div>
      <PageHead
        title="Callback requests"
        sub="Visitors who could not reach anyone left their contact. Take one, call them back, mark it done."
      >
        <div class="segmented" role="group" aria-label="Filter by status">
          {FILTERS.map((f) => (
            <button
              key={f.value}
              aria-pressed={status === f.value}
              onClick={() => setStatus(f.value)}
            >
              {f.label}
            </button>
          ))}
        </div>
      </PageHead>
      <section class="card">
        <PagedTable
          list={list}
          testId="callbacks-table"
          head={
            <>
              <th>Name</th>
              <th>Contact</th>
              <th>Note</th>
              <th>Page</th>
              <th>Left</th>
              <th class="actions">Actions</th>
            </>
          }
          row={(cb) => (
            <tr key={cb.id}>
              <td style={{ fontWeight: 600 }}>{cb.name}</td>
              <td>
                <a
                  href={
                    cb.contact.includes('@')
                      ? `mailto:${cb.contact}`
                      : `tel:${cb.contact.replace(/\s+/g, '')}`
                  }
                >
                  {cb.contact}
                </a>
              </td>
              <td class="small" style={{ maxWidth: '260px' }}>
                {cb.note || <span class="muted">—</span>}
              </td>
              <td class="small">{shortUrl(cb.pageUrl, 32)}</td>
              <td class="nowrap small">{formatRelative(cb.createdAt)}</td>
              <td class="actions">
                {cb.status === 'open' ? (
                  <Button
                    size="s"
                    variant="primary"
                    busy={busy === cb.id}
                    onClick={() => void update(cb, 'taken')}
                  >
                    Take
                  </Button>
                ) : null}
                {cb.status === 'taken' ? (
                  <>
                    {cb.takenBy === myId ? (
                      <span class="badge badge-accent" style={{ marginRight: '8px' }}>
                        Yours
                      </span>
                    ) : null}
                    <Button
                      size="s"
                      variant="ok"
                      busy={busy === cb.id}
                      onClick={() => void update(cb, 'done')}
                    >
                      Mark done
                    </Button>
                  </>
                ) : null}
                {cb.status === 'done' ? (
                  <Button
                    size="s"
                    variant="ghost"
                    busy={busy === cb.id}
                    onClick={() => void update(cb, 'open')}
                  >
                    Reopen
                  </Button>
                ) : null}
              </td>
            </tr>
          )}
          empty={
            <Empty
              title={status === 'open' ? 'No open requests' : `Nothing ${status}`}
              icon="phoneIn"
            >
              {status === 'open' ? 'New requests appear here at once.' : null}
            </Empty>
          }
        />
      </section>
    </div>
  );
}

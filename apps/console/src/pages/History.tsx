import { useState } from 'preact/hooks';
import type { Call } from '@flux/protocol';
import { api } from '../api/api.ts';
import { callsVersion } from '../calls/agentCalls.ts';
import {
  callOutcome,
  endText,
  formatDateTime,
  formatDuration,
  formatMoney,
  OUTCOME_LABELS,
  type Reader,
  shortUrl,
  visitorName,
} from '../lib/format.ts';
import { Modal } from '../ui/Modal.tsx';
import { Empty, PageHead } from '../ui/misc.tsx';
import { PagedTable } from '../ui/PagedTable.tsx';
import { usePaged } from '../ui/usePaged.ts';
import { NotesCard } from './call/NotesCard.tsx';

const OUTCOME_CLASS = {
  answered: 'badge-ok',
  missed: 'badge-danger',
  declined: 'badge-warn',
  cancelled: '',
  failed: 'badge-danger',
  lost: 'badge-danger',
  open: 'badge-accent',
} as const;

/** The call's outcome; hovered, why it ended, in words for `reader` (the agent by default). */
export function OutcomeBadge({ call, reader = 'agent' }: { call: Call; reader?: Reader }) {
  const o = callOutcome(call);
  return (
    <span class={`badge ${OUTCOME_CLASS[o]}`} title={endText(call, reader) ?? undefined}>
      {OUTCOME_LABELS[o]}
    </span>
  );
}

export function Stars({ rating }: { rating: number | null }) {
  if (rating === null) return <span class="muted">—</span>;
  return (
    <span
      aria-label={`Rated ${rating} of 5`}
      title={`${rating} of 5`}
      style={{ color: '#e5a00d', letterSpacing: '1px' }}
    >
      {'★'.repeat(rating)}
      <span style={{ color: 'var(--surface-3)' }}>{'★'.repeat(5 - rating)}</span>
    </span>
  );
}

/**
 * ["0:42 by the shopper's browser", "0:40 by the agent's"]: how long each side judged the link
 * weak (both measure the same path, so the two mostly agree).
 */
function weakParts(call: Call): string[] {
  const parts: string[] = [];
  if (call.weakSeconds.visitor > 0)
    parts.push(`${formatDuration(call.weakSeconds.visitor)} by the shopper's browser`);
  if (call.weakSeconds.agent > 0)
    parts.push(
      `${formatDuration(call.weakSeconds.agent)} by the agent's${parts.length ? '' : ' browser'}`,
    );
  return parts;
}

/** An amber mark on a call whose connection was weak at some point, with how long. */
export function WeakBadge({ call }: { call: Call }) {
  const parts = weakParts(call);
  if (parts.length === 0) return null;
  return (
    <span
      class="badge badge-warn"
      title={`Weak connection, judged so for ${parts.join(' and ')}`}
      data-testid="weak-badge"
    >
      Weak link
    </span>
  );
}

/** One call in a calls table: when, (agent), visitor and page, outcome, duration, products, rating, (notes). */
export function CallRow({
  call: c,
  onOpen,
  agentName,
  showNotes = false,
}: {
  call: Call;
  onOpen: (call: Call) => void;
  /** The agent column (the admin's call log). */
  agentName?: string;
  showNotes?: boolean;
}) {
  return (
    <tr style={{ cursor: 'pointer' }} onClick={() => onOpen(c)}>
      <td class="nowrap">{formatDateTime(c.requestedAt)}</td>
      {agentName !== undefined ? <td>{agentName}</td> : null}
      <td>
        <button
          class="btn btn-ghost btn-s"
          style={{ padding: 0, height: 'auto' }}
          onClick={(e) => {
            e.stopPropagation();
            onOpen(c);
          }}
        >
          {visitorName(c.visitor)}
        </button>
        <div class="small muted">{shortUrl(c.pageUrl, 36)}</div>
      </td>
      <td>
        <OutcomeBadge call={c} reader={agentName !== undefined ? 'admin' : 'agent'} />
      </td>
      <td>
        <span class="mono">{formatDuration(c.durationSeconds)}</span> <WeakBadge call={c} />
      </td>
      <td>
        {c.products.length ? (
          c.products.map((p) => p.name).join(', ')
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td>
        <Stars rating={c.rating} />
      </td>
      {showNotes ? (
        <td class="small" style={{ maxWidth: '220px' }}>
          {c.notes ? (
            <span title={c.notes}>
              {c.notes.length > 60 ? `${c.notes.slice(0, 60)}…` : c.notes}
            </span>
          ) : (
            <span class="muted">—</span>
          )}
        </td>
      ) : null}
    </tr>
  );
}

export function History() {
  const list = usePaged((cursor) => api.myCalls({ limit: 20, cursor }), [callsVersion.value]);
  const [open, setOpen] = useState<Call | null>(null);
  return (
    <div>
      <PageHead
        title="Your calls"
        sub="Every call that rang for you, newest first. Click a call for details and notes."
      />
      <section class="card">
        <PagedTable
          list={list}
          testId="history-table"
          head={
            <>
              <th>When</th>
              <th>Visitor</th>
              <th>Outcome</th>
              <th>Duration</th>
              <th>Products</th>
              <th>Rating</th>
              <th>Notes</th>
            </>
          }
          row={(c) => <CallRow key={c.id} call={c} onOpen={setOpen} showNotes />}
          empty={
            <Empty title="No calls yet" icon="phone">
              Calls you take or miss appear here.
            </Empty>
          }
        />
      </section>
      {open ? (
        <CallDetail
          call={open}
          onClose={() => {
            setOpen(null);
            list.reload();
          }}
        />
      ) : null}
    </div>
  );
}

export function CallDetail({
  call,
  onClose,
  agentName,
}: {
  call: Call;
  onClose: () => void;
  /** Shown in the admin's call log (an agent's own history omits it). */
  agentName?: string;
}) {
  const weak = weakParts(call);
  const reader = agentName !== undefined ? 'admin' : 'agent';
  const why = endText(call, reader);
  return (
    <Modal title={`Call with ${visitorName(call.visitor)}`} onClose={onClose} wide>
      <div class="stack">
        <dl class="ring-meta" style={{ gridTemplateColumns: '120px 1fr' }}>
          <dt>Outcome</dt>
          <dd>
            <OutcomeBadge call={call} reader={reader} />{' '}
            {why ? (
              <span class="muted small" data-testid="call-end">
                {why}
              </span>
            ) : null}
          </dd>
          {agentName !== undefined ? (
            <>
              <dt>Agent</dt>
              <dd>{agentName}</dd>
            </>
          ) : null}
          <dt>Requested</dt>
          <dd>{formatDateTime(call.requestedAt)}</dd>
          <dt>Duration</dt>
          <dd>{formatDuration(call.durationSeconds)}</dd>
          <dt>Connection</dt>
          <dd data-testid="call-connection">
            {call.connectedAt === null ? (
              '—'
            ) : weak.length ? (
              <>
                <WeakBadge call={call} />{' '}
                <span class="small">Judged weak for {weak.join(' and ')}</span>
              </>
            ) : (
              'Good throughout'
            )}
          </dd>
          <dt>Visitor</dt>
          <dd>
            {visitorName(call.visitor)}
            {call.visitor.email ? ` · ${call.visitor.email}` : ''}
          </dd>
          <dt>Page</dt>
          <dd>
            {call.pageUrl ? (
              <a href={call.pageUrl} target="_blank" rel="noreferrer noopener">
                {call.pageUrl}
              </a>
            ) : (
              '—'
            )}
          </dd>
          <dt>Products</dt>
          <dd>
            {call.products.length
              ? call.products.map((p) => (
                  <div key={p.id}>
                    {p.name} <span class="muted small">{formatMoney(p.price, p.currency)}</span>
                  </div>
                ))
              : '—'}
            {call.unknownProductIds.length ? (
              <div class="small" style={{ color: 'var(--warn)' }}>
                Unknown IDs: {call.unknownProductIds.join(', ')}
              </div>
            ) : null}
          </dd>
          <dt>Rating</dt>
          <dd>
            <Stars rating={call.rating} />
          </dd>
        </dl>
        <NotesCard callId={call.id} initial={call.notes} ended />
      </div>
    </Modal>
  );
}

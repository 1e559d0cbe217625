/**
 * Admin: every call of the channel, newest first, filtered by agent, status, end reason, a weak
 * link and a date range (the server's `GET /admin/calls`); a row opens the call's details and
 * notes.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AdminCallsQuery, Call, CallStatus, EndReason, User } from '@flux/protocol';
import { api } from '../../api/api.ts';
import { END_REASONS, endReasonLabel } from '../../lib/format.ts';
import { Field } from '../../ui/Field.tsx';
import { Empty, PageHead } from '../../ui/misc.tsx';
import { PagedTable } from '../../ui/PagedTable.tsx';
import { usePaged } from '../../ui/usePaged.ts';
import { CallDetail, CallRow } from '../History.tsx';

const STATUS_LABELS: Record<CallStatus, string> = {
  requested: 'Requested',
  ringing: 'Ringing',
  connected: 'In progress',
  ended: 'Ended',
};

interface Filters {
  agentId: string;
  status: '' | CallStatus;
  endReason: '' | EndReason;
  /** Only calls in which a side's connection was weak. */
  weakLink: boolean;
  /** `YYYY-MM-DD` of the date inputs (local days). */
  from: string;
  to: string;
}

const NO_FILTERS: Filters = {
  agentId: '',
  status: '',
  endReason: '',
  weakLink: false,
  from: '',
  to: '',
};

/** A local calendar day as the ISO instant of its midnight; `next` = the following midnight. */
export function dayStart(day: string, next = false): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (next ? 1 : 0));
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function toQuery(f: Filters): Omit<AdminCallsQuery, 'cursor' | 'limit'> {
  const from = dayStart(f.from);
  const to = dayStart(f.to, true);
  return {
    ...(f.agentId ? { agentId: f.agentId } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.endReason ? { endReason: f.endReason } : {}),
    ...(f.weakLink ? { weakLink: true } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** All users of the channel (agents and admins), for the filter and the agent column. */
function useAgents(): User[] {
  const [agents, setAgents] = useState<User[]>([]);
  useEffect(() => {
    const state = { live: true };
    void (async () => {
      const all: User[] = [];
      let cursor: string | undefined;
      // a channel has tens of agents: a few pages at most
      for (let i = 0; i < 10; i++) {
        let page;
        try {
          page = await api.admin.agents({ limit: 100, cursor });
        } catch {
          break;
        }
        all.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      if (state.live) setAgents(all);
    })();
    return () => {
      state.live = false;
    };
  }, []);
  return agents;
}

export function CallLog() {
  const agents = useAgents();
  const names = useMemo(() => new Map(agents.map((a) => [a.id, a.name])), [agents]);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const query = toQuery(filters);
  const rangeError =
    query.from && query.to && query.from >= query.to ? 'The end is before the start.' : null;
  const list = usePaged(
    (cursor) =>
      rangeError
        ? Promise.resolve({ items: [], nextCursor: null })
        : api.admin.calls({ ...query, limit: 20, cursor }),
    [JSON.stringify(query)],
  );
  const [open, setOpen] = useState<Call | null>(null);
  const set =
    <K extends keyof Filters>(k: K) =>
    (v: Filters[K]) =>
      setFilters((f) => ({ ...f, [k]: v }));
  const filtered = JSON.stringify(filters) !== JSON.stringify(NO_FILTERS);
  const agentName = (id: string) => names.get(id) ?? 'Former agent';

  return (
    <div>
      <PageHead
        title="Call log"
        sub="Every call of the channel, newest first. Click a call for its details and notes."
      />
      <section class="card">
        <form
          class="filters"
          aria-label="Filter calls"
          onSubmit={(e) => e.preventDefault()}
          data-testid="call-filters"
        >
          <Field label="Agent">
            {(ids) => (
              <select
                class="select"
                {...ids}
                value={filters.agentId}
                onChange={(e) => set('agentId')(e.currentTarget.value)}
              >
                <option value="">All agents</option>
                {agents.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Status">
            {(ids) => (
              <select
                class="select"
                {...ids}
                value={filters.status}
                onChange={(e) => set('status')(e.currentTarget.value as Filters['status'])}
              >
                <option value="">Any status</option>
                {(Object.keys(STATUS_LABELS) as CallStatus[]).map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABELS[s]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="End reason">
            {(ids) => (
              <select
                class="select"
                {...ids}
                value={filters.endReason}
                onChange={(e) => set('endReason')(e.currentTarget.value as Filters['endReason'])}
              >
                <option value="">Any reason</option>
                {END_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {endReasonLabel(r, 'admin')}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Connection">
            {(ids) => (
              <select
                class="select"
                {...ids}
                value={filters.weakLink ? 'weak' : ''}
                onChange={(e) => set('weakLink')(e.currentTarget.value === 'weak')}
              >
                <option value="">Any connection</option>
                <option value="weak">Weak link</option>
              </select>
            )}
          </Field>
          <Field label="From" error={null}>
            {(ids) => (
              <input
                class="input"
                type="date"
                {...ids}
                value={filters.from}
                onInput={(e) => set('from')(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label="To" error={rangeError}>
            {(ids) => (
              <input
                class="input"
                type="date"
                {...ids}
                value={filters.to}
                onInput={(e) => set('to')(e.currentTarget.value)}
              />
            )}
          </Field>
          {filtered ? (
            <button
              type="button"
              class="btn btn-ghost btn-s filters-clear"
              onClick={() => setFilters(NO_FILTERS)}
            >
              Clear filters
            </button>
          ) : null}
        </form>
        <PagedTable
          list={list}
          testId="call-log-table"
          head={
            <>
              <th>When</th>
              <th>Agent</th>
              <th>Visitor</th>
              <th>Outcome</th>
              <th>Duration</th>
              <th>Products</th>
              <th>Rating</th>
            </>
          }
          row={(c) => (
            <CallRow key={c.id} call={c} onOpen={setOpen} agentName={agentName(c.agentId)} />
          )}
          empty={
            <Empty title={filtered ? 'No calls match' : 'No calls yet'} icon="phone">
              {filtered ? 'Try other filters.' : 'Calls to any agent of the channel appear here.'}
            </Empty>
          }
        />
      </section>
      {open ? (
        <CallDetail
          call={open}
          agentName={agentName(open.agentId)}
          onClose={() => {
            setOpen(null);
            list.reload();
          }}
        />
      ) : null}
    </div>
  );
}

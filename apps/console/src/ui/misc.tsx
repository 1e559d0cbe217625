import type { ComponentChildren } from 'preact';
import { initials } from '../lib/format.ts';
import { dismissToast, toasts } from '../state/toast.ts';
import { Button } from './Button.tsx';
import { Icon } from './Icon.tsx';

export function Avatar({
  name,
  url,
  size = 36,
}: {
  name: string;
  url?: string | null;
  size?: number;
}) {
  return (
    <span
      class="avatar"
      style={{ width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.38)}px` }}
    >
      {url ? <img src={url} alt="" /> : <span aria-hidden="true">{initials(name)}</span>}
    </span>
  );
}

export function Toasts() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.value.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`}>
          <span class="toast-icon" aria-hidden="true">
            <Icon
              name={t.kind === 'error' ? 'x' : t.kind === 'info' ? 'bell' : 'check'}
              size={12}
            />
          </span>
          <span style={{ flex: 1 }}>{t.text}</span>
          <button
            class="btn btn-ghost btn-s btn-icon"
            style={{ height: '22px', width: '22px' }}
            aria-label="Dismiss"
            onClick={() => dismissToast(t.id)}
          >
            <Icon name="x" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}

export function Empty({
  title,
  children,
  icon,
}: {
  title: string;
  children?: ComponentChildren;
  icon?: Parameters<typeof Icon>[0]['name'];
}) {
  return (
    <div class="empty">
      {icon ? (
        <div style={{ marginBottom: '10px', opacity: 0.7 }}>
          <Icon name={icon} size={28} />
        </div>
      ) : null}
      <h3>{title}</h3>
      {children ? <p>{children}</p> : null}
    </div>
  );
}

export function PageHead({
  title,
  sub,
  children,
}: {
  title: string;
  sub?: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <div class="page-head">
      <div>
        <h1>{title}</h1>
        {sub ? <p>{sub}</p> : null}
      </div>
      <span class="spacer" />
      {children ? <div class="page-actions">{children}</div> : null}
    </div>
  );
}

/** Previous / next page controls for cursor pagination. */
export function Pager({
  page,
  hasNext,
  loading,
  onPrev,
  onNext,
  count,
}: {
  page: number;
  hasNext: boolean;
  loading: boolean;
  onPrev: () => void;
  onNext: () => void;
  count: number;
}) {
  return (
    <div class="table-foot">
      <span>
        Page {page + 1}
        {count ? ` · ${count} shown` : ''}
      </span>
      <span class="spacer" />
      <Button size="s" onClick={onPrev} disabled={page === 0 || loading} aria-label="Previous page">
        ← Previous
      </Button>
      <Button size="s" onClick={onNext} disabled={!hasNext || loading} aria-label="Next page">
        Next →
      </Button>
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="empty row" style={{ justifyContent: 'center' }} role="status">
      <span class="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

/** The incoming call card: who calls, from which page, about which products. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { acceptRinging, declineRinging, ringing, type RingingCall } from '../calls/agentCalls.ts';
import { focusIfThere, isTyping, refocus } from '../lib/focus.ts';
import { formatMoney, shortUrl, visitorName } from '../lib/format.ts';
import { Button } from '../ui/Button.tsx';
import { Icon } from '../ui/Icon.tsx';
import { Avatar } from '../ui/misc.tsx';

export function RingCard() {
  const r = ringing.value;
  // one card per ring (each ring that reaches the console, even of the same call): nothing of
  // the last one (a busy button, its countdown) carries over
  return r ? <Ring key={`${r.call.id}@${String(r.since)}`} r={r} /> : null;
}

function Ring({ r }: { r: RingingCall }) {
  const [now, setNow] = useState(Date.now());
  const [busy, setBusy] = useState<null | 'accept' | 'decline' | 'offline'>(null);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  const card = useRef<HTMLElement>(null);
  const accepted = useRef(false);
  useEffect(() => {
    // The ring takes the focus to Accept, so that Enter answers and Tab reaches Decline; not
    // from a field the agent is typing in, where a key meant for the field would answer.
    const before = document.activeElement;
    if (!isTyping(before)) focusIfThere(card.current?.querySelector('.ring-actions button'));
    return () => {
      // Accepted: the call screen takes the focus. Declined, missed or cancelled: the focus
      // goes back where it was if it went with the card.
      if (accepted.current) return;
      setTimeout(() => refocus(before));
    };
  }, []);
  const { call, incoming } = r;
  const v = call.visitor;
  const name = visitorName(v);
  const total = incoming.ringTimeoutSeconds * 1000;
  const left = Math.max(0, total - (now - r.since));
  return (
    <div class="ring-layer">
      <div class="sr-only" role="alert">
        Incoming call from {name}. Accept or decline below.
      </div>
      <section
        ref={card}
        class="ring-card"
        role="alertdialog"
        aria-labelledby="ring-title"
        aria-describedby="ring-desc"
        data-testid="ring-card"
      >
        <div class="ring-progress" aria-hidden="true">
          <div style={{ transform: `scaleX(${left / total})` }} />
        </div>
        <div class="ring-top">
          <span class="ring-pulse">
            <Avatar name={name} size={48} />
          </span>
          <div style={{ minWidth: 0 }}>
            <div class="small muted" style={{ fontWeight: 600 }}>
              Incoming {incoming.audioOnly ? 'audio' : 'video'} call · {Math.ceil(left / 1000)} s
            </div>
            <h2 id="ring-title" data-testid="ring-visitor">
              {name}
            </h2>
            {v.email && v.name ? <div class="small muted">{v.email}</div> : null}
          </div>
        </div>
        <div class="ring-body" id="ring-desc">
          <dl class="ring-meta">
            <dt>Page</dt>
            <dd>
              {call.pageUrl ? (
                <a
                  href={call.pageUrl}
                  target="_blank"
                  rel="noreferrer noopener"
                  title={call.pageUrl}
                  data-testid="ring-page"
                >
                  {shortUrl(call.pageUrl, 48)}
                </a>
              ) : (
                '—'
              )}
            </dd>
            {v.externalId ? (
              <>
                <dt>Customer</dt>
                <dd class="mono">{v.externalId}</dd>
              </>
            ) : null}
            <dt>Products</dt>
            <dd data-testid="ring-products">
              {call.products.length === 0 && call.unknownProductIds.length === 0 ? (
                <span class="muted">None</span>
              ) : null}
              {call.products.map((p) => (
                <div key={p.id} class="row" style={{ justifyContent: 'space-between' }}>
                  <span>{p.name}</span>
                  <span class="muted small nowrap">{formatMoney(p.price, p.currency)}</span>
                </div>
              ))}
              {call.unknownProductIds.length ? (
                <div class="small" style={{ color: 'var(--warn)' }} data-testid="ring-unknown">
                  Not in the catalog: {call.unknownProductIds.join(', ')}
                </div>
              ) : null}
            </dd>
          </dl>
          {r.session ? null : (
            <div class="small muted" role="status" data-testid="ring-preparing">
              Starting your camera…
            </div>
          )}
          {r.mediaError ? (
            <div class="banner banner-warn small">
              <Icon name="videoOff" /> {r.mediaError}
            </div>
          ) : null}
        </div>
        <div class="ring-actions">
          <Button
            variant="ok"
            size="l"
            icon="phone"
            busy={busy === 'accept'}
            disabled={busy !== null}
            onClick={() => {
              setBusy('accept');
              accepted.current = true;
              void acceptRinging();
            }}
          >
            Accept
          </Button>
          <Button
            variant="danger"
            size="l"
            icon="phoneOff"
            busy={busy === 'decline'}
            disabled={busy !== null}
            onClick={() => {
              setBusy('decline');
              void declineRinging(false);
            }}
          >
            Decline
          </Button>
          <Button
            class="full"
            variant="ghost"
            busy={busy === 'offline'}
            disabled={busy !== null}
            onClick={() => {
              setBusy('offline');
              void declineRinging(true);
            }}
          >
            Decline and go offline
          </Button>
        </div>
      </section>
    </div>
  );
}

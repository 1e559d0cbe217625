/** Where an agent waits for calls: status, readiness checks, today at a glance. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Call } from '@flux/protocol';
import { api } from '../api/api.ts';
import {
  availability,
  callbacksVersion,
  callsVersion,
  ringing,
  signalingState,
} from '../calls/agentCalls.ts';
import { callOutcome, formatDuration, formatRelative, visitorName } from '../lib/format.ts';
import { askNotificationPermission, notificationPermission } from '../ring/attention.ts';
import { audioBlocked, ringtone, unlockAudio } from '../ring/Ringtone.ts';
import { href } from '../state/router.ts';
import { me } from '../state/session.ts';
import { Button } from '../ui/Button.tsx';
import { Icon } from '../ui/Icon.tsx';
import { OutcomeBadge } from './History.tsx';
import { StatusSwitch } from '../ui/StatusSwitch.tsx';
import { PageHead } from '../ui/misc.tsx';
import { fire } from '../ui/fire.ts';
import { weakLinkCheck, weakLinkText } from '../lib/weakLink.ts';

export function Home() {
  const user = me.value;
  const [calls, setCalls] = useState<Call[] | null>(null);
  const [openCallbacks, setOpenCallbacks] = useState<number | null>(null);
  const [testing, setTesting] = useState(false);
  const version = callsVersion.value;
  useEffect(() => {
    api.myCalls({ limit: 50 }).then(
      (p) => setCalls(p.items),
      () => setCalls([]),
    );
  }, [version]);
  useEffect(() => {
    api.callbacks({ status: 'open', limit: 100 }).then(
      (p) => setOpenCallbacks(p.items.length),
      () => setOpenCallbacks(null),
    );
  }, [callbacksVersion.value]);
  if (!user) return null;
  const online = user.status === 'online';
  const today = new Date().toDateString();
  const todays = (calls ?? []).filter((c) => new Date(c.requestedAt).toDateString() === today);
  const answered = todays.filter((c) => callOutcome(c) === 'answered');
  const missed = todays.filter((c) => callOutcome(c) === 'missed').length;
  const talk = answered.reduce((s, c) => s + (c.durationSeconds ?? 0), 0);
  const connection = weakLinkCheck(calls ?? []);
  const perm = notificationPermission.value;
  const avail = availability.value;
  const hour = new Date().getHours();
  const greeting = hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
  return (
    <div class="stack">
      <PageHead
        title={`${greeting}, ${user.name.split(' ')[0] ?? user.name}`}
        sub={new Date().toLocaleDateString(undefined, {
          weekday: 'long',
          day: 'numeric',
          month: 'long',
        })}
      />
      <section class={`card hero-status ${online ? 'online' : ''}`} data-testid="home-status">
        <span class="state-icon">
          <Icon name={online ? 'phone' : 'phoneOff'} />
        </span>
        <div style={{ flex: 1, minWidth: 0 }}>
          <h2>{online ? 'You are online and ready for calls' : 'You are offline'}</h2>
          <p class="muted">
            {online
              ? ringing.value
                ? 'A call is ringing: answer it in the card on the right.'
                : avail === 'busy'
                  ? 'You are in a call; new calls wait until you are free.'
                  : signalingState.value === 'connected'
                    ? 'Visitors see you in the shop’s call widget. Keep this tab open: it rings here.'
                    : 'Connecting to the server… visitors will see you once connected.'
              : 'Visitors cannot call you. Go online when you are ready to take calls.'}
          </p>
        </div>
        <StatusSwitch large />
      </section>

      <div class="stats" data-testid="home-stats">
        <Stat label="Calls today" value={String(todays.length)} />
        <Stat label="Answered" value={String(answered.length)} />
        <Stat label="Missed" value={String(missed)} />
        <Stat label="Talk time" value={formatDuration(talk)} />
      </div>

      <div class="grid-2">
        <section class="card">
          <div class="card-head">
            <h3>Ready to ring</h3>
          </div>
          <div class="card-body stack-s">
            <Check
              ok={!audioBlocked.value}
              title="Ringtone sound"
              text={
                audioBlocked.value
                  ? 'Blocked by the browser.'
                  : 'Plays even when this tab is in the background.'
              }
              action={
                <Button
                  size="s"
                  icon="volume"
                  busy={testing}
                  onClick={fire(async () => {
                    setTesting(true);
                    await unlockAudio();
                    await ringtone.start(3);
                    setTimeout(() => {
                      ringtone.stop();
                      setTesting(false);
                    }, 3000);
                  })}
                >
                  Test
                </Button>
              }
            />
            <Check
              ok={perm === 'granted'}
              title="Desktop notifications"
              text={
                perm === 'granted'
                  ? 'You get a notification when a call rings.'
                  : perm === 'denied'
                    ? 'Blocked: allow notifications for this site in the browser’s settings.'
                    : perm === 'unsupported'
                      ? 'Not supported by this browser.'
                      : 'Get a notification when a call rings in another window.'
              }
              action={
                perm === 'default' ? (
                  <Button size="s" icon="bell" onClick={() => void askNotificationPermission()}>
                    Allow
                  </Button>
                ) : null
              }
            />
            <Check
              ok={!connection.warn}
              title="Call connection"
              text={weakLinkText(connection)}
              testId="check-call-connection"
            />
            <Check
              ok={signalingState.value === 'connected'}
              title="Live connection"
              text={
                signalingState.value === 'connected'
                  ? 'Connected to the server.'
                  : 'Not connected yet.'
              }
            />
          </div>
        </section>
        <section class="card">
          <div class="card-head">
            <h3>Recent calls</h3>
            <span class="spacer" />
            {openCallbacks ? (
              <a class="badge badge-warn" href={href('callbacks')}>
                {openCallbacks} open callback{openCallbacks === 1 ? '' : 's'}
              </a>
            ) : null}
            <a class="btn btn-ghost btn-s" href={href('history')}>
              All calls
            </a>
          </div>
          <div class="card-body" style={{ paddingTop: '6px', paddingBottom: '6px' }}>
            {calls === null ? (
              <p class="muted">Loading…</p>
            ) : calls.length === 0 ? (
              <p class="muted" style={{ padding: '14px 0' }}>
                No calls yet. They will show up here.
              </p>
            ) : (
              calls.slice(0, 5).map((c) => (
                <div key={c.id} class="product-row">
                  <div class="product-info">
                    <div class="name">{visitorName(c.visitor)}</div>
                    <div class="small muted">
                      {formatRelative(c.requestedAt)} · {formatDuration(c.durationSeconds)}
                    </div>
                  </div>
                  <OutcomeBadge call={c} />
                </div>
              ))
            )}
          </div>
        </section>
      </div>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div class="card stat">
      <div class="label">{label}</div>
      <div class="value">{value}</div>
    </div>
  );
}

function Check({
  ok,
  title,
  text,
  action,
  testId,
}: {
  ok: boolean;
  title: string;
  text: string;
  action?: ComponentChildren;
  testId?: string;
}) {
  return (
    <div class="row" style={{ gap: '12px', alignItems: 'center' }} data-testid={testId}>
      <span
        class={`badge ${ok ? 'badge-ok' : 'badge-warn'}`}
        style={{ width: '26px', height: '26px', padding: 0, justifyContent: 'center' }}
      >
        <Icon name={ok ? 'check' : 'alert'} size={14} />
      </span>
      <div style={{ flex: 1 }}>
        <div style={{ fontWeight: 600 }}>{title}</div>
        <div class="small muted">{text}</div>
      </div>
      {action}
    </div>
  );
}

import { useEffect, useState } from 'preact/hooks';
import {
  callState,
  current,
  inCall,
  signalingState,
  startSignaling,
  statusNotice,
  stopSignaling,
} from '../calls/agentCalls.ts';
import { audioBlocked, checkAudio, unlockAudio } from '../ring/Ringtone.ts';
import { href, route, type Route } from '../state/router.ts';
import { authState, channel, isAdmin, me, signOut } from '../state/session.ts';
import { Button } from '../ui/Button.tsx';
import { Icon, type IconName } from '../ui/Icon.tsx';
import { Avatar, Loading, Toasts } from '../ui/misc.tsx';
import { StatusSwitch } from '../ui/StatusSwitch.tsx';
import { RingCard } from '../pages/RingCard.tsx';
import { SignIn } from '../pages/SignIn.tsx';
import { Home } from '../pages/Home.tsx';
import { CallScreen } from '../pages/CallScreen.tsx';
import { History } from '../pages/History.tsx';
import { Callbacks } from '../pages/Callbacks.tsx';
import { Settings } from '../pages/Settings.tsx';
import { lazyScreen } from '../ui/lazy.tsx';

// Admin screens load on first use, in one chunk of their own.
const Agents = lazyScreen(() => import('../pages/admin/index.ts').then((m) => m.Agents));
const Products = lazyScreen(() => import('../pages/admin/index.ts').then((m) => m.Products));
const Keys = lazyScreen(() => import('../pages/admin/index.ts').then((m) => m.Keys));
const ChannelSettingsPage = lazyScreen(() =>
  import('../pages/admin/index.ts').then((m) => m.ChannelSettingsPage),
);
const Embed = lazyScreen(() => import('../pages/admin/index.ts').then((m) => m.Embed));
const Analytics = lazyScreen(() => import('../pages/admin/index.ts').then((m) => m.Analytics));
const CallLog = lazyScreen(() => import('../pages/admin/index.ts').then((m) => m.CallLog));
const Webhooks = lazyScreen(() => import('../pages/admin/index.ts').then((m) => m.Webhooks));

const NAV: { route: Route; label: string; icon: IconName; admin?: boolean }[] = [
  { route: 'home', label: 'Calls', icon: 'home' },
  { route: 'history', label: 'History', icon: 'clock' },
  { route: 'callbacks', label: 'Callbacks', icon: 'phoneIn' },
  { route: 'settings', label: 'Account', icon: 'user' },
  { route: 'admin/agents', label: 'Agents', icon: 'users', admin: true },
  { route: 'admin/products', label: 'Products', icon: 'box', admin: true },
  { route: 'admin/keys', label: 'Keys & origins', icon: 'key', admin: true },
  { route: 'admin/channel', label: 'Channel', icon: 'settings', admin: true },
  { route: 'admin/embed', label: 'Embed', icon: 'code', admin: true },
  { route: 'admin/calls', label: 'Call log', icon: 'phone', admin: true },
  { route: 'admin/analytics', label: 'Analytics', icon: 'chart', admin: true },
  { route: 'admin/webhooks', label: 'Webhooks', icon: 'globe', admin: true },
];

const TITLES: Record<Route, string> = {
  home: 'Calls',
  call: 'Call',
  history: 'Call history',
  callbacks: 'Callback requests',
  settings: 'Account settings',
  'admin/agents': 'Agents',
  'admin/products': 'Products',
  'admin/keys': 'API keys & allowed origins',
  'admin/channel': 'Channel settings',
  'admin/embed': 'Embed snippet',
  'admin/analytics': 'Analytics',
  'admin/calls': 'Call log',
  'admin/webhooks': 'Webhooks',
};

const CONN_LABEL = {
  connected: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected',
  closed: 'Disconnected',
} as const;

export function App() {
  const state = authState.value;
  useEffect(() => {
    if (state === 'signed-in') {
      startSignaling();
      void checkAudio();
    } else stopSignaling();
  }, [state]);
  if (state === 'checking') return <Loading label="Opening the console…" />;
  if (state === 'signed-out') return <SignIn />;
  return <Shell />;
}

function Page({ r }: { r: Route }) {
  const admin = isAdmin.value;
  if (r.startsWith('admin/') && !admin)
    return (
      <div class="card card-pad">
        <h2>Admins only</h2>
        <p class="muted">Ask your channel's admin for access.</p>
      </div>
    );
  switch (r) {
    case 'home':
      return <Home />;
    case 'call':
      return current.value ? <CallScreen /> : <Home />;
    case 'history':
      return <History />;
    case 'callbacks':
      return <Callbacks />;
    case 'settings':
      return <Settings />;
    case 'admin/agents':
      return <Agents />;
    case 'admin/products':
      return <Products />;
    case 'admin/keys':
      return <Keys />;
    case 'admin/channel':
      return <ChannelSettingsPage />;
    case 'admin/embed':
      return <Embed />;
    case 'admin/analytics':
      return <Analytics />;
    case 'admin/calls':
      return <CallLog />;
    case 'admin/webhooks':
      return <Webhooks />;
  }
}

function Shell() {
  const [navOpen, setNavOpen] = useState(false);
  const r = route.value;
  const user = me.value;
  const conn = signalingState.value;
  useEffect(() => setNavOpen(false), [r]);
  if (!user) return null;
  const admin = isAdmin.value;
  const showCallLink = current.value !== null;
  return (
    <div class={`shell ${navOpen ? 'nav-open' : ''}`}>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      {navOpen ? <div class="nav-scrim" onClick={() => setNavOpen(false)} /> : null}
      <nav class="sidebar" aria-label="Main">
        <div class="brand">
          <span class="brand-mark">
            <Icon name="phone" size={16} />
          </span>
          <div>
            FluxPlayer Calls
            <small>{channel.value?.name ?? ''}</small>
          </div>
        </div>
        {showCallLink ? (
          <a class="nav-link" href={href('call')} aria-current={r === 'call' ? 'page' : undefined}>
            <Icon name="video" />
            Current call
            <span class={`badge ${callState.value === 'ended' ? '' : 'badge-ok'}`}>
              {callState.value === 'ended' ? 'Ended' : 'Live'}
            </span>
          </a>
        ) : null}
        {NAV.filter((n) => !n.admin).map((n) => (
          <NavLink key={n.route} item={n} active={r === n.route} />
        ))}
        {admin ? <div class="nav-section">Admin</div> : null}
        {admin
          ? NAV.filter((n) => n.admin).map((n) => (
              <NavLink key={n.route} item={n} active={r === n.route} />
            ))
          : null}
        <div class="sidebar-foot">
          <Avatar name={user.name} url={user.profilePhotoUrl} size={34} />
          <div class="who">
            <div style={{ fontWeight: 600 }}>{user.name}</div>
            <div class="muted small">{user.email}</div>
          </div>
          <Button
            variant="ghost"
            icon="logout"
            aria-label="Sign out"
            title="Sign out"
            onClick={() => void signOut()}
          />
        </div>
      </nav>
      <div class="main">
        <header class="topbar">
          <Button
            variant="ghost"
            icon="menu"
            class="menu-toggle"
            aria-label="Open menu"
            onClick={() => setNavOpen(true)}
          />
          <div class="crumbs">
            <span class="muted">
              {r.startsWith('admin/') ? 'Admin' : (channel.value?.name ?? '')}
            </span>
            <span class="muted" aria-hidden="true">
              /
            </span>
            <span data-testid="screen-title">{TITLES[r]}</span>
          </div>
          <span class="spacer" />
          <span
            class={`conn conn-${conn} hide-s`}
            data-testid="connection"
            title="Live connection to the server"
          >
            <span class="dot" />
            {CONN_LABEL[conn]}
          </span>
          {inCall.value ? <span class="badge badge-ok">In a call</span> : null}
          <StatusSwitch />
        </header>
        <main class="content" id="main" tabIndex={-1}>
          <Notices />
          <Page r={r} />
        </main>
      </div>
      <RingCard />
      <Toasts />
    </div>
  );
}

function NavLink({ item, active }: { item: (typeof NAV)[number]; active: boolean }) {
  return (
    <a class="nav-link" href={href(item.route)} aria-current={active ? 'page' : undefined}>
      <Icon name={item.icon} />
      {item.label}
    </a>
  );
}

function Notices() {
  const notice = statusNotice.value;
  const blocked = audioBlocked.value;
  const conn = signalingState.value;
  if (!notice && !blocked && conn !== 'closed') return null;
  return (
    <div class="content-notices">
      {blocked ? (
        <div class="banner banner-warn" role="alert" data-testid="audio-blocked">
          <Icon name="volume" />
          <span>
            The browser is blocking sound, so you would not hear calls ring. Click “Enable sound”
            (or anywhere on the page).
          </span>
          <Button size="s" onClick={() => void unlockAudio()}>
            Enable sound
          </Button>
        </div>
      ) : null}
      {notice ? (
        <div class="banner banner-info" role="status" data-testid="status-notice">
          <Icon name="bell" />
          <span>{notice}</span>
          <Button size="s" variant="ghost" onClick={() => (statusNotice.value = null)}>
            Dismiss
          </Button>
        </div>
      ) : null}
      {conn === 'closed' ? (
        <div class="banner banner-danger" role="alert">
          <Icon name="alert" />
          <span>The live connection to the server was lost. Calls cannot reach you.</span>
          <Button size="s" onClick={() => location.reload()}>
            Reload
          </Button>
        </div>
      ) : null}
    </div>
  );
}

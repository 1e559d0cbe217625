/** The call: videos, controls, connection state, timer; products, chat and private notes. */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import {
  callChat,
  callState,
  cameraOff,
  closeCall,
  connectedAt,
  current,
  hangUp,
  linkQuality,
  localStream,
  micMuted,
  peerMediaState,
  remoteStream,
  sharingScreen,
  toggleCamera,
  toggleMute,
  toggleScreenShare,
} from '../calls/agentCalls.ts';
import { parkRemote, showRemoteIn } from '../calls/remoteVideo.ts';
import { refocus } from '../lib/focus.ts';
import { endText, formatDuration, shortUrl, visitorName } from '../lib/format.ts';
import { Icon } from '../ui/Icon.tsx';
import { Button } from '../ui/Button.tsx';
import { TabList, TabPanel } from '../ui/Tabs.tsx';
import { CallChatPanel } from './call/ChatPanel.tsx';
import { CallProductsPanel } from './call/ProductsPanel.tsx';
import { NotesCard } from './call/NotesCard.tsx';
import { afterNextFrame } from '@flux/client';

function Video({
  stream,
  muted,
  class: cls,
}: {
  stream: MediaStream | null;
  muted: boolean;
  class?: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (v && v.srcObject !== stream) v.srcObject = stream;
  }, [stream]);
  return <video ref={ref} class={cls} autoplay playsInline muted={muted} />;
}

/** Where the visitor's video shows: the one element kept for the whole call (remoteVideo.ts). */
function RemoteVideo({ stream }: { stream: MediaStream | null }) {
  const ref = useRef<HTMLDivElement>(null);
  // before the browser paints, so the video never leaves the page (it would pause)
  useLayoutEffect(() => {
    const host = ref.current;
    if (!host || !stream) return;
    showRemoteIn(host, stream);
    return () => parkRemote(host);
  }, [stream]);
  return <div ref={ref} class="remote-host" />;
}

const STATE_PILL: Record<string, { text: string; cls: string }> = {
  ringing: { text: 'Connecting…', cls: 'pill-warn' },
  connecting: { text: 'Connecting…', cls: 'pill-warn' },
  active: { text: 'Connected', cls: 'pill-ok' },
  reconnecting: { text: 'Reconnecting…', cls: 'pill-warn' },
  ended: { text: 'Call ended', cls: 'pill-bad' },
  idle: { text: 'Idle', cls: 'pill-warn' },
  requesting: { text: 'Connecting…', cls: 'pill-warn' },
};

export function CallScreen() {
  const c = current.value;
  const [now, setNow] = useState(Date.now());
  const [tab, setTab] = useState<'products' | 'chat'>('products');
  const [openedAt] = useState(() => Date.now());
  const [seenChat, setSeenChat] = useState(0);
  const chatCount = callChat.value.length;
  useEffect(() => {
    if (tab === 'chat') setSeenChat(chatCount);
  }, [tab, chatCount]);
  const unread = tab === 'chat' ? 0 : chatCount - seenChat;
  // The side panel's content follows a frame after the rest: the first frame of the call screen
  // paints the stage, where the visitor's first picture is about to show. The products' images
  // and prices held that frame back on a slow machine (docs/performance-log.md).
  const [panel, setPanel] = useState(false);
  useEffect(() => {
    let mounted = true;
    afterNextFrame(() => {
      if (mounted) setPanel(true);
    });
    return () => {
      mounted = false;
    };
  }, []);
  const state = callState.value;
  const root = useRef<HTMLDivElement>(null);
  // The focus follows the call (lib/focus.ts): from the ring card's Accept to the first call
  // control, after the screen's first frame (it paints the stage, where the picture is about to
  // show; focus() lays the page out at once); from Hang up to Done as the call ends; from Done to
  // the page's main region as the screen closes.
  useEffect(() => {
    let mounted = true;
    afterNextFrame(() => {
      if (mounted) refocus(root.current?.querySelector('.controls button, .stage-wait button'));
    });
    return () => {
      mounted = false;
      setTimeout(() => refocus(null));
    };
  }, []);
  const over = state === 'ended';
  useEffect(() => {
    if (over) setTimeout(() => refocus(root.current?.querySelector('.stage-wait button')));
  }, [over]);
  useEffect(() => {
    if (state === 'ended') return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [state]);
  if (!c) return null;
  const call = c.call;
  const name = visitorName(call.visitor);
  const ended = state === 'ended';
  const started = connectedAt.value;
  const elapsed = ended
    ? (call.durationSeconds ?? (started ? Math.round((Date.now() - started) / 1000) : 0))
    : started
      ? Math.floor((now - started) / 1000)
      : 0;
  const pill = STATE_PILL[state] ?? { text: state, cls: 'pill-warn' };
  const peer = peerMediaState.value;
  return (
    <div ref={root} class="call-layout" data-testid="call-screen" data-call-state={state}>
      <h1 class="sr-only">Call with {name}</h1>
      <div class="sr-only" role="status">
        {linkQuality.value === 'poor' && state === 'active'
          ? 'Weak connection: the picture may freeze.'
          : ''}
      </div>
      <div class="stack">
        <div class="stage">
          <RemoteVideo stream={remoteStream.value} />
          {!remoteStream.value || state !== 'active' ? (
            <div class="stage-wait" aria-live="polite">
              <div>
                {ended ? (
                  <>
                    <h2 style={{ color: '#fff' }}>Call ended</h2>
                    <p style={{ marginTop: '6px' }}>
                      {endText(call, 'agent') ?? ''} · {formatDuration(elapsed)}
                    </p>
                    <div style={{ marginTop: '16px' }}>
                      <Button variant="primary" onClick={closeCall}>
                        Done
                      </Button>
                    </div>
                  </>
                ) : state === 'reconnecting' ? (
                  <p>The connection dropped. Reconnecting…</p>
                ) : state === 'active' ? (
                  <p>Waiting for the visitor’s video…</p>
                ) : (
                  <>
                    <p>Connecting to {name}…</p>
                    {now - openedAt > 15_000 ? (
                      <p class="small" style={{ marginTop: '8px', opacity: 0.8 }}>
                        This is taking long. A firewall or VPN may block the connection; if it does
                        not connect, hang up and call the visitor back.
                      </p>
                    ) : null}
                  </>
                )}
              </div>
            </div>
          ) : null}
          <div class="stage-top">
            <span class={`pill ${pill.cls}`} data-testid="call-conn">
              <span class="dot" />
              {pill.text}
            </span>
            {!ended ? (
              <span class="pill" data-testid="call-timer" aria-label="Call duration">
                <Icon name="clock" size={14} /> {formatDuration(elapsed)}
              </span>
            ) : null}
            {peer === 'reconnecting' && state === 'active' ? (
              <span class="pill pill-warn">
                <span class="dot" /> Visitor’s connection is unstable
              </span>
            ) : linkQuality.value === 'poor' && state === 'active' ? (
              <span
                class="pill pill-warn"
                data-testid="call-weak"
                title="Packets are being lost or delayed: the picture may freeze and the sound break up. Turning your camera off leaves more room for the sound."
              >
                <span class="dot" /> Weak connection
              </span>
            ) : null}
            <span class="spacer" />
            <span class="pill">{name}</span>
          </div>
          {!ended ? (
            <div
              class={`self ${sharingScreen.value ? 'screen' : ''}`}
              role="group"
              aria-label="Your video"
            >
              <Video stream={localStream.value} muted class="" />
              {cameraOff.value ? <div class="off">Camera off</div> : null}
            </div>
          ) : null}
          {!ended ? (
            <div class="controls" role="toolbar" aria-label="Call controls">
              <button
                class="ctrl"
                aria-pressed={micMuted.value ? 'true' : 'false'}
                aria-label={micMuted.value ? 'Unmute microphone' : 'Mute microphone'}
                title={micMuted.value ? 'Unmute' : 'Mute'}
                onClick={toggleMute}
              >
                <Icon name={micMuted.value ? 'micOff' : 'mic'} />
              </button>
              <button
                class="ctrl"
                aria-pressed={cameraOff.value ? 'true' : 'false'}
                aria-label={cameraOff.value ? 'Turn camera on' : 'Turn camera off'}
                title={cameraOff.value ? 'Camera on' : 'Camera off'}
                onClick={toggleCamera}
              >
                <Icon name={cameraOff.value ? 'videoOff' : 'video'} />
              </button>
              <button
                class="ctrl"
                aria-pressed={sharingScreen.value ? 'true' : 'false'}
                aria-label={sharingScreen.value ? 'Stop sharing your screen' : 'Share your screen'}
                title="Share screen"
                onClick={() => void toggleScreenShare()}
              >
                <Icon name="screen" />
              </button>
              <button
                class="ctrl ctrl-hangup"
                aria-label="Hang up"
                title="Hang up"
                onClick={() => void hangUp()}
                data-testid="hangup"
              >
                <Icon name="phoneOff" />
              </button>
            </div>
          ) : null}
        </div>
        <section class="card card-pad">
          <div class="row-wrap" style={{ gap: '16px' }}>
            <div>
              <div class="small muted">Visitor</div>
              <div style={{ fontWeight: 600 }}>{name}</div>
              {call.visitor.email && call.visitor.name ? (
                <div class="small muted">{call.visitor.email}</div>
              ) : null}
            </div>
            <div style={{ minWidth: 0 }}>
              <div class="small muted">Calling from</div>
              {call.pageUrl ? (
                <a href={call.pageUrl} target="_blank" rel="noreferrer noopener">
                  {shortUrl(call.pageUrl, 60)}
                </a>
              ) : (
                '—'
              )}
            </div>
          </div>
        </section>
        <NotesCard callId={call.id} initial={call.notes} ended={ended} />
      </div>
      <aside class="side-panel">
        <section class="card">
          <TabList
            id="call-side"
            class="panel-tabs"
            label="Products and chat"
            value={tab}
            onChange={setTab}
            items={[
              { value: 'products', label: 'Products' },
              {
                value: 'chat',
                testId: 'tab-chat',
                label: (
                  <>
                    Chat
                    {unread > 0 ? (
                      <span
                        class="badge badge-accent"
                        style={{ marginLeft: '6px' }}
                        aria-label={`${unread} unread`}
                      >
                        {unread}
                      </span>
                    ) : null}
                  </>
                ),
              },
            ]}
          />
          <TabPanel id="call-side" value={tab}>
            {!panel ? null : tab === 'products' ? (
              <CallProductsPanel ended={ended} />
            ) : (
              <CallChatPanel ended={ended} />
            )}
          </TabPanel>
        </section>
      </aside>
    </div>
  );
}

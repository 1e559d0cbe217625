/**
 * The console's side of calls: one SignalingClient (role agent, cookie auth) for as long as
 * the agent is signed in; each `call.incoming` becomes a CallSession prepared while it rings
 * (local camera opened at once), so Accept only sends the answer. UI state lives in signals.
 */
import { batch, computed, signal } from '@preact/signals';
import {
  SignalingClient,
  inNextFrame,
  getLocalMedia,
  prepareAgentCall,
  type CallEndReason,
  type CallSession,
  type CallState,
  type ChatMessage,
  type LinkQuality,
  type SignalingState,
} from '@flux/client';
import {
  WS_PATH,
  type AgentAvailability,
  type Call,
  type CallIncoming,
  type Product,
} from '@flux/protocol';
import { playRemote, releaseRemote } from './remoteVideo.ts';
import { ringtone } from '../ring/Ringtone.ts';
import {
  closeCallNotification,
  flashTitle,
  showCallNotification,
  stopFlashingTitle,
} from '../ring/attention.ts';
import { agentStateReason, visitorName } from '../lib/format.ts';
import { channel, me } from '../state/session.ts';
import { navigate } from '../state/router.ts';
import { toast } from '../state/toast.ts';

export const signalingState = signal<SignalingState>('disconnected');
export const availability = signal<AgentAvailability>('offline');
/** A message about a status change the server made (e.g. offline after missed calls). */
export const statusNotice = signal<string | null>(null);
/** Bumped when a visitor leaves a callback request. */
export const callbacksVersion = signal(0);
/** Bumped when a call of mine ends (answered or not): lists of calls reload. */
export const callsVersion = signal(0);

export interface RingingCall {
  /**
   * Null while the console opens the camera and microphone for the ring: the card shows at
   * once (a laptop's camera can take a second or two to start, and a first call waits for the
   * browser's permission prompt), and an Accept or Decline clicked meanwhile waits for it.
   */
  session: CallSession | null;
  /** The session once the camera is open (null if the ring was over by then). */
  ready: Promise<CallSession | null>;
  incoming: CallIncoming;
  call: Call;
  /** When the ring reached this console (ms). */
  since: number;
  mediaError: string | null;
}
export const ringing = signal<RingingCall | null>(null);

export interface LiveCall {
  session: CallSession;
  call: Call;
}
/** The call on the call screen (also after it ended, until the agent closes the wrap-up). */
export const current = signal<LiveCall | null>(null);
export const callState = signal<CallState>('idle');
export const callProducts = signal<Product[]>([]);
export const callChat = signal<ChatMessage[]>([]);
export const remoteStream = signal<MediaStream | null>(null);
export const localStream = signal<MediaStream | null>(null);
export const peerMediaState = signal<string | null>(null);
/** How well the call's media gets through (the engine's judgement, @flux/client quality.ts). */
export const linkQuality = signal<LinkQuality>('good');
export const micMuted = signal(false);
export const cameraOff = signal(false);
export const sharingScreen = signal(false);
export const connectedAt = signal<number | null>(null);
export const productActivity = signal<{ productId: string; kind: string; at: number }[]>([]);
export const inCall = computed(() => {
  const s = callState.value;
  return current.value !== null && s !== 'ended' && s !== 'idle';
});

let client: SignalingClient | null = null;
let screenTrack: MediaStreamTrack | null = null;

function wsUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}${WS_PATH}`;
}

export function startSignaling(): void {
  if (client) return;
  const c = new SignalingClient({ url: wsUrl(), role: 'agent', sdkVersion: 'console' });
  client = c;
  c.on('stateChanged', ({ to }) => {
    signalingState.value = to;
  });
  c.on('welcome', (w) => {
    if (w.activeCall && !current.value && w.activeCall.status === 'connected') {
      toast('You were in a call when the console reloaded; it could not be resumed.', 'info');
    }
  });
  c.on('agent.state', (s) => {
    batch(() => {
      availability.value = s.availability;
      if (s.user) me.value = s.user;
      else if (me.value && me.value.status !== s.status)
        me.value = { ...me.value, status: s.status };
      if (s.reason)
        statusNotice.value = agentStateReason(
          s.reason,
          channel.value?.settings.missesBeforeOffline,
        );
    });
  });
  c.on('callback.created', () => {
    callbacksVersion.value++;
    toast('A visitor asked to be called back.', 'info');
  });
  c.on('call.incoming', (incoming) => {
    void onIncoming(c, incoming);
  });
  c.connect().catch(() => {
    /* state goes to reconnecting/closed; the header shows it */
  });
}

export function stopSignaling(): void {
  stopRinging();
  ringing.value?.session?.dispose();
  ringing.value = null;
  endLocalMedia();
  current.value?.session.dispose();
  current.value = null;
  client?.close();
  client = null;
  signalingState.value = 'disconnected';
}

function stopRinging(): void {
  ringtone.stop();
  stopFlashingTitle();
  closeCallNotification();
}

/** Tells the agent why a call that rang her ended before she took it. */
function ringOver(reason: CallEndReason | null, name: string): void {
  if (reason === 'cancelled') toast(`${name} hung up before you answered.`, 'info');
  else if (reason === 'missed') toast(`You missed a call from ${name}.`, 'error', 6000);
}

async function onIncoming(c: SignalingClient, incoming: CallIncoming): Promise<void> {
  if (ringing.value || inCall.value) return;
  const name = visitorName(incoming.call.visitor);
  const since = Date.now();
  void ringtone.start(incoming.ringTimeoutSeconds + 2);
  flashTitle(`📞 Incoming call: ${name}`);
  showCallNotification(
    'Incoming call',
    `${name} is calling${incoming.call.pageUrl ? ` from ${incoming.call.pageUrl}` : ''}`,
    () => navigate('home'),
  );
  let whenReady: (s: CallSession | null) => void = () => undefined;
  const pending: RingingCall = {
    session: null,
    ready: new Promise((resolve) => (whenReady = resolve)),
    incoming,
    call: incoming.call,
    since,
    mediaError: null,
  };
  // the card shows while the camera opens; a ring that ends meanwhile (or is taken on another
  // console) takes it down at once (the session made once the camera is open is born ended)
  ringing.value = pending;
  const off = c.on('call.state', (m) => {
    if (m.call.id !== incoming.call.id || ringing.value !== pending) return;
    if (m.call.status === 'ended' || m.call.status === 'connected') {
      stopRinging();
      ringing.value = null;
      callsVersion.value++;
      ringOver(m.call.status === 'ended' ? m.call.endReason : null, name);
    }
  });
  let stream: MediaStream | null = null;
  let mediaError: string | null = null;
  try {
    stream = await getLocalMedia({ audioOnly: false });
  } catch (err) {
    try {
      stream = await getLocalMedia({ audioOnly: true });
      mediaError = 'Your camera is not available: the visitor will only hear you.';
    } catch {
      mediaError = err instanceof Error ? err.message : 'Camera and microphone are not available.';
    }
  } finally {
    off();
  }
  if (client !== c) {
    // signed out (or the console's connection was replaced) while the camera opened
    stream?.getTracks().forEach((t) => t.stop());
    whenReady(null);
    return;
  }
  // The call may be over before the camera opened (the visitor hung up at once; a console that
  // comes back is replayed a ring and then its end; another console took it): the signaling
  // client kept what came meanwhile, and the session is then born ended.
  const session = prepareAgentCall({
    signaling: c,
    incoming,
    ...(stream ? { localStream: stream } : {}),
  });
  // the visitor's video starts playing while it rings (black and silent until the accept)
  session.on('remoteStream', (s) => {
    if (ringing.value?.session === session) playRemote(s, true);
  });
  session.on('call', (call) => {
    if (ringing.value?.session === session) ringing.value = { ...ringing.value, call };
  });
  session.on('stateChanged', ({ to }) => {
    if (to === 'ended' && ringing.value?.session === session) {
      const reason = session.endReason;
      stopRinging();
      ringing.value = null;
      callsVersion.value++;
      stream?.getTracks().forEach((t) => t.stop());
      releaseRemote(session.remoteStream);
      session.dispose();
      ringOver(reason, name);
    }
  });
  if (session.state === 'ended' || ringing.value !== pending) {
    stream?.getTracks().forEach((t) => t.stop());
    session.dispose();
    whenReady(null);
    // the listener above took its card down as the ring ended (and another ring may be up
    // since); what follows is for an end it did not see
    if (ringing.value !== pending) return;
    stopRinging();
    ringing.value = null;
    callsVersion.value++;
    ringOver(session.endReason, name);
    return;
  }
  // the same card (its key is the call and the ring's time), now with the session
  ringing.value = { ...pending, session, mediaError, call: session.call ?? pending.call };
  localStream.value = stream;
  whenReady(session);
}

export async function acceptRinging(): Promise<void> {
  const ring = ringing.value;
  if (!ring) return;
  stopRinging();
  // clicked while the camera opens: the accept waits for it (no await otherwise, so that the
  // accept's signal and picture go in the click's own task)
  const session = ring.session ?? (await ring.ready);
  const r = ringing.value;
  if (!session || r?.session !== session) return;
  // Accepting first: with the answer prepared, accept() tells the visitor and sends the
  // agent's picture before it returns (captured when this task ends). The call screen is built
  // just before the next frame: rendered in this task, it held the picture back by 10-50 ms on
  // a slow machine; rendered after that frame, the visitor's video was laid out a frame later
  // than it could be, after the visitor's first picture had arrived (docs/performance-log.md).
  const accepted = session.accept();
  const show = (): void => {
    if (ringing.value?.session !== session) return;
    // accepted from the last call's wrap-up: that call is over, its session goes
    const last = current.value;
    if (last && last.session !== session) last.session.dispose();
    bindLive(session, r.call);
    ringing.value = null;
    navigate('call');
  };
  inNextFrame(show);
  try {
    await accepted;
  } catch (err) {
    show();
    toast(err instanceof Error ? err.message : 'The call could not be accepted.', 'error');
  }
}

export async function declineRinging(goOffline: boolean): Promise<void> {
  const ring = ringing.value;
  if (!ring) return;
  stopRinging();
  const session = ring.session ?? (await ring.ready);
  const r = ringing.value;
  if (!session || r?.session !== session) return;
  ringing.value = null;
  try {
    await session.decline({ goOffline });
    if (goOffline) {
      if (me.value) me.value = { ...me.value, status: 'offline' };
      statusNotice.value = 'You declined a call and went offline.';
    }
  } catch (err) {
    toast(err instanceof Error ? err.message : 'The call could not be declined.', 'error');
  } finally {
    localStream.value?.getTracks().forEach((t) => t.stop());
    localStream.value = null;
    releaseRemote(session.remoteStream);
    session.dispose();
    callsVersion.value++;
  }
}

function bindLive(session: CallSession, call: Call): void {
  batch(() => {
    current.value = { session, call };
    callState.value = session.state;
    callProducts.value = session.products.length ? session.products : call.products;
    callChat.value = [...session.chat];
    remoteStream.value = session.remoteStream;
    peerMediaState.value = null;
    linkQuality.value = session.quality;
    micMuted.value = false;
    cameraOff.value = false;
    sharingScreen.value = false;
    connectedAt.value = null;
    productActivity.value = [];
  });
  session.on('stateChanged', ({ to }) => {
    if (current.value?.session !== session) return;
    callState.value = to;
    if (to === 'active' && connectedAt.value === null) connectedAt.value = Date.now();
    if (to === 'ended') {
      endLocalMedia();
      callsVersion.value++;
    }
  });
  session.on('call', (c) => {
    if (current.value?.session === session) current.value = { session, call: c };
  });
  if (session.remoteStream) playRemote(session.remoteStream);
  session.on('remoteStream', (s) => {
    if (current.value?.session !== session) return;
    playRemote(s);
    remoteStream.value = s;
  });
  session.on('products', (p) => {
    if (current.value?.session === session) callProducts.value = p;
  });
  session.on('chat', (m) => {
    if (current.value?.session === session) callChat.value = [...callChat.value, m];
  });
  session.on('peerMediaState', (s) => {
    if (current.value?.session === session) peerMediaState.value = s;
  });
  session.on('quality', (q) => {
    if (current.value?.session === session) linkQuality.value = q;
  });
  session.on('productEvent', (e) => {
    if (current.value?.session === session)
      productActivity.value = [...productActivity.value, { ...e, at: Date.now() }];
  });
  session.on('error', (e) => {
    toast(e.message, 'error', 6000);
  });
}

function endLocalMedia(): void {
  screenTrack?.stop();
  screenTrack = null;
  sharingScreen.value = false;
  localStream.value?.getTracks().forEach((t) => t.stop());
  localStream.value = null;
}

export async function hangUp(): Promise<void> {
  const c = current.value;
  if (!c) return;
  try {
    await c.session.hangup();
  } catch (err) {
    toast(err instanceof Error ? err.message : 'Hang up failed.', 'error');
  }
}

export function toggleMute(): void {
  const c = current.value;
  if (!c) return;
  micMuted.value = !micMuted.value;
  c.session.setMuted('audio', micMuted.value);
}

export function toggleCamera(): void {
  const c = current.value;
  if (!c) return;
  cameraOff.value = !cameraOff.value;
  c.session.setMuted('video', cameraOff.value);
}

export async function toggleScreenShare(): Promise<void> {
  const c = current.value;
  if (!c) return;
  const camera = localStream.value?.getVideoTracks()[0] ?? null;
  if (sharingScreen.value) {
    screenTrack?.stop();
    screenTrack = null;
    sharingScreen.value = false;
    await c.session.replaceVideoTrack(camera);
    return;
  }
  try {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const track = display.getVideoTracks()[0];
    if (!track) return;
    screenTrack = track;
    sharingScreen.value = true;
    track.addEventListener('ended', () => {
      if (screenTrack === track) {
        screenTrack = null;
        sharingScreen.value = false;
        void c.session.replaceVideoTrack(localStream.value?.getVideoTracks()[0] ?? null);
      }
    });
    await c.session.replaceVideoTrack(track);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'NotAllowedError') return;
    toast('Screen sharing is not available.', 'error');
  }
}

export async function sendChat(text: string): Promise<void> {
  const c = current.value;
  if (!c) return;
  await c.session.sendChat(text);
}

export async function addProduct(productId: string): Promise<void> {
  const c = current.value;
  if (!c) return;
  callProducts.value = await c.session.addProduct(productId);
}

export async function removeProduct(productId: string): Promise<void> {
  const c = current.value;
  if (!c) return;
  callProducts.value = await c.session.removeProduct(productId);
}

/** Closes the wrap-up of an ended call. */
export function closeCall(): void {
  const c = current.value;
  if (!c) return;
  releaseRemote(c.session.remoteStream);
  c.session.dispose();
  current.value = null;
  callState.value = 'idle';
  remoteStream.value = null;
  navigate('home');
}

/**
 * Drives @flux/client in real Chromium pages: the engine is bundled with esbuild and loaded
 * into a page of the server's own origin; `window.flux` holds the signaling client, the call
 * session and what the test reads (state, stats, events).
 */
import type { BrowserContext, Page } from '@playwright/test';
import type * as FluxClientModule from '@flux/client';
import { clientBundle } from '../harness/clientBundle.ts';
import { DEMO } from '../harness/server.ts';

export interface PageView {
  state: string;
  endReason: string | null;
  error: string | null;
  callId: string | null;
  products: string[];
  chat: string[];
  welcomes: boolean[];
  remoteStream: boolean;
  /**
   * Remote video frames shown so far that were black / showed a picture (frame callbacks:
   * Chromium may skip one).
   */
  blackFrames: number;
  pictureFrames: number;
  /**
   * Every remote video frame decoded so far, black / with a picture, whether shown or not
   * (read from a clone of the remote track with a MediaStreamTrackProcessor): what the privacy
   * checks count, since a frame callback can be skipped.
   */
  decodedBlack: number;
  decodedPictures: number;
  /**
   * Date.now() when each state was reached (and `accept:start` etc.; `picture:decoded`: the
   * first decoded remote frame with a picture).
   */
  at: Record<string, number>;
}

export interface EngineOptions {
  iceTransportPolicy?: 'all' | 'relay';
  /** The sessions' cap on gathering before the first offer/answer goes (ms). */
  iceGatheringTimeoutMs?: number;
  /**
   * Agent only: the camera is a canvas that shows a new frame only when the test calls
   * `paintCamera(page)` (the microphone stays the fake one).
   */
  quietCamera?: boolean;
  /**
   * Agent only: the camera takes this long to open at a ring (a laptop's camera can take a
   * second or two); what the visitor sends meanwhile must not be lost.
   */
  cameraOpensInMs?: number;
}

type W = Window & {
  FluxClient: typeof FluxClientModule;
  flux: {
    view: PageView;
    signaling: FluxClientModule.SignalingClient;
    call: FluxClientModule.CallSession | null;
    firstFrameAt: number | null;
    /** Whether the remote video's current frame shows a picture (set with the remote video). */
    pictureNow?: () => boolean;
  };
};

/** Opens a page of the server, loads the engine and connects its signaling client. */
async function openEngine(page: Page, base: string, role: 'visitor' | 'agent'): Promise<void> {
  await page.goto(`${base}/readyz`);
  await page.addScriptTag({ content: await clientBundle() });
  await page.evaluate(
    async ({ role, channelId, apiKey }) => {
      const w = window as unknown as W;
      const C = w.FluxClient;
      const view: PageView = {
        state: 'idle',
        endReason: null,
        error: null,
        callId: null,
        products: [],
        chat: [],
        welcomes: [],
        remoteStream: false,
        blackFrames: 0,
        pictureFrames: 0,
        decodedBlack: 0,
        decodedPictures: 0,
        at: {},
      };
      const agentsUrl = `/api/v1/public/channels/${channelId}/agents?apiKey=${apiKey}`;
      const signaling = new C.SignalingClient({
        url: `${location.origin.replace(/^http/, 'ws')}/api/v1/ws`,
        role,
        ...(role === 'visitor'
          ? {
              getToken: async () =>
                ((await (await fetch(agentsUrl)).json()) as { visitorToken: string }).visitorToken,
            }
          : {}),
      });
      signaling.on('welcome', (wl) => view.welcomes.push(wl.resumed));
      w.flux = { view, signaling, call: null, firstFrameAt: null };
      await signaling.connect();
    },
    { role, channelId: DEMO.channelId, apiKey: DEMO.apiKey },
  );
}

/** Mirrors a call session onto window.flux.view (in the page). */
function watchCallSource(): string {
  return `
    window.__fluxWatch = (call) => {
      const f = window.flux;
      const v = f.view;
      f.call = call;
      const mark = (s) => { v.at[s] = Date.now(); };
      mark(call.state);
      v.state = call.state;
      v.callId = call.callId;
      v.products = call.products.map((p) => p.name);
      call.on('stateChanged', (e) => { v.state = e.to; v.endReason = call.endReason; v.callId = call.callId; mark(e.to); });
      call.on('products', (p) => { v.products = p.map((x) => x.name); });
      call.on('chat', (m) => { v.chat.push(m.from + ':' + m.text); });
      call.on('error', (e) => { v.error = e.code; });
      call.on('remoteStream', (stream) => {
        v.remoteStream = true;
        const video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.playsInline = true;
        video.srcObject = stream;
        document.body.appendChild(video);
        // every presented frame is sorted: black (what a closed gate sends while it rings) or
        // a picture; firstFrameAt is the first picture
        const canvas = document.createElement('canvas');
        canvas.width = 32;
        canvas.height = 24;
        const ctx = canvas.getContext('2d', { willReadFrequently: true });
        const isPicture = (image) => {
          ctx.drawImage(image, 0, 0, 32, 24);
          const px = ctx.getImageData(0, 0, 32, 24).data;
          for (let i = 0; i < px.length; i += 4) {
            if (px[i] > 40 || px[i + 1] > 40 || px[i + 2] > 40) return true;
          }
          return false;
        };
        f.pictureNow = () => video.videoWidth > 0 && isPicture(video);
        // every decoded frame, shown or not: a clone of the track read frame by frame, with a
        // queue long enough that none is dropped while this page's thread is busy (read until
        // a few pictures have come, as the frame callbacks below are)
        const track = stream.getVideoTracks()[0];
        if (track) {
          const clone = track.clone();
          const frames = new MediaStreamTrackProcessor({ track: clone, maxBufferSize: 120 });
          const reader = frames.readable.getReader();
          void (async () => {
            while (v.decodedPictures < 5) {
              const { value, done } = await reader.read();
              if (done) return;
              try {
                if (isPicture(value)) {
                  if (v.decodedPictures++ === 0) v.at['picture:decoded'] = Date.now();
                } else v.decodedBlack++;
              } finally {
                value.close();
              }
            }
            void reader.cancel();
            clone.stop();
          })();
        }
        const onFrame = () => {
          if (f.pictureNow()) {
            v.pictureFrames++;
            if (f.firstFrameAt === null) f.firstFrameAt = Date.now();
          } else {
            v.blackFrames++;
          }
          if (v.pictureFrames < 5) video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      });
    };`;
}

/** The agent's console page: signed in (cookie in the context), online, preparing every ring. */
export async function openAgent(
  context: BrowserContext,
  base: string,
  email: string,
  options: EngineOptions = {},
): Promise<Page> {
  const signIn = await context.request.post(`${base}/api/v1/auth/sign-in`, {
    headers: { 'x-flux-console': '1' },
    data: { channel: DEMO.channelId, email, password: DEMO.password },
  });
  if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()} ${await signIn.text()}`);
  const online = await context.request.patch(`${base}/api/v1/me`, {
    headers: { 'x-flux-console': '1' },
    data: { status: 'online' },
  });
  if (!online.ok()) throw new Error(`going online failed: ${online.status()}`);
  const page = await context.newPage();
  await openEngine(page, base, 'agent');
  await page.addScriptTag({ content: watchCallSource() });
  await page.evaluate(
    ({ policy, quietCamera, gatherMs, opensIn }) => {
      const w = window as unknown as W & {
        __fluxWatch: (c: FluxClientModule.CallSession) => void;
        __paintCamera?: () => void;
      };
      const media = async (): Promise<MediaStream> => {
        if (opensIn) await new Promise((resolve) => setTimeout(resolve, opensIn));
        if (!quietCamera) return w.FluxClient.getLocalMedia();
        const canvas = document.createElement('canvas');
        canvas.width = 320;
        canvas.height = 240;
        const camera = canvas.captureStream(0).getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
        w.__paintCamera = () => {
          const ctx = canvas.getContext('2d');
          if (!ctx) return;
          ctx.fillStyle = `hsl(${Math.floor(Math.random() * 360)} 80% 50%)`;
          ctx.fillRect(0, 0, canvas.width, canvas.height);
          camera.requestFrame();
        };
        const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
        return new MediaStream([...mic.getAudioTracks(), camera]);
      };
      w.flux.signaling.on('call.incoming', (incoming) => {
        void media().then((localStream) => {
          const call = w.FluxClient.prepareAgentCall({
            signaling: w.flux.signaling,
            incoming,
            localStream,
            ...(policy ? { iceTransportPolicy: policy } : {}),
            ...(gatherMs ? { iceGatheringTimeoutMs: gatherMs } : {}),
          });
          w.__fluxWatch(call);
        });
      });
    },
    {
      policy: options.iceTransportPolicy ?? null,
      quietCamera: options.quietCamera ?? false,
      gatherMs: options.iceGatheringTimeoutMs ?? null,
      opensIn: options.cameraOpensInMs ?? 0,
    },
  );
  return page;
}

/** New frames of the agent's quiet camera (`EngineOptions.quietCamera`), 100 ms apart. */
export async function paintCamera(page: Page, frames = 1): Promise<void> {
  for (let i = 0; i < frames; i++) {
    if (i > 0) await page.waitForTimeout(100);
    await page.evaluate(() => {
      (window as unknown as { __paintCamera?: () => void }).__paintCamera?.();
    });
  }
}

/** Mutes or unmutes the page's call's audio or video. */
export async function setMuted(page: Page, kind: 'audio' | 'video', muted: boolean) {
  await page.evaluate(
    ({ kind, muted }) => {
      (window as unknown as W).flux.call?.setMuted(kind, muted);
    },
    { kind, muted },
  );
}

/**
 * What each video sender of the page's call carries: a still (StillGate: a canvas of its own,
 * black or not) or the camera of the call's local stream (a clone: same label, or for a canvas
 * camera the same canvas).
 */
export function videoSenders(
  page: Page,
): Promise<{ carries: 'still' | 'camera' | 'other'; black: boolean }[]> {
  return page.evaluate(() => {
    const call = (window as unknown as W).flux.call;
    const camera = call?.localStream?.getVideoTracks()[0];
    const canvasOf = (t: MediaStreamTrack | undefined) =>
      t instanceof CanvasCaptureMediaStreamTrack ? t.canvas : undefined;
    return (call?.peerConnection.getSenders() ?? [])
      .filter((s) => s.track?.kind === 'video')
      .map((s) => {
        const track = s.track as MediaStreamTrack;
        const canvas = canvasOf(track);
        const isCamera = canvas ? canvas === canvasOf(camera) : track.label === camera?.label;
        if (isCamera) return { carries: 'camera' as const, black: false };
        if (!(canvas instanceof HTMLCanvasElement))
          return { carries: 'other' as const, black: false };
        const px = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
        let black = true;
        for (let i = 0; px && i < px.length; i += 4) {
          if ((px[i] ?? 0) > 0 || (px[i + 1] ?? 0) > 0 || (px[i + 2] ?? 0) > 0) black = false;
        }
        return { carries: 'still' as const, black };
      });
  });
}

/** A visitor page of the shop's origin with the engine connected. */
export async function openVisitor(context: BrowserContext, base: string): Promise<Page> {
  const page = await context.newPage();
  await openEngine(page, base, 'visitor');
  await page.addScriptTag({ content: watchCallSource() });
  return page;
}

/** Starts a call from the visitor page to the agent named `agentName`. */
export async function startCall(
  page: Page,
  agentName: string,
  productIds: string[],
  options: EngineOptions = {},
): Promise<void> {
  await page.evaluate(
    async ({ agentName, productIds, policy, gatherMs }) => {
      const w = window as unknown as W & { __fluxWatch: (c: FluxClientModule.CallSession) => void };
      const { agents } = await w.flux.signaling.request({ type: 'presence.subscribe' });
      const agent = agents.find((a) => a.name === agentName);
      if (!agent) throw new Error(`${agentName} is not available: ${JSON.stringify(agents)}`);
      const localStream = await w.FluxClient.getLocalMedia();
      const call = w.FluxClient.startVisitorCall({
        signaling: w.flux.signaling,
        localStream,
        agentId: agent.id,
        productIds,
        pageUrl: location.href,
        user: { name: 'Vera Visitor' },
        ...(policy ? { iceTransportPolicy: policy } : {}),
        ...(gatherMs ? { iceGatheringTimeoutMs: gatherMs } : {}),
      });
      w.__fluxWatch(call);
    },
    {
      agentName,
      productIds,
      policy: options.iceTransportPolicy ?? null,
      gatherMs: options.iceGatheringTimeoutMs ?? null,
    },
  );
}

export function view(page: Page): Promise<PageView> {
  return page.evaluate(() => (window as unknown as W).flux.view);
}

/**
 * Whether the remote video shows a picture now, read from the video itself: the frame
 * callbacks that count `pictureFrames` can miss a frame (Chromium does not call back for every
 * frame it presents), and when no frame follows it, no later callback counts it either.
 */
export function showsPictureNow(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as W).flux.pictureNow?.() ?? false);
}

/** Date.now() of the first remote frame with a picture shown in the page, or null. */
export function firstFrameAt(page: Page): Promise<number | null> {
  return page.evaluate(() => (window as unknown as W).flux.firstFrameAt);
}

/**
 * The page's video sender: the downscale its encoding asks for, the width it sends, and why
 * the browser holds it below that, if it does (`qualityLimitationReason`: 'none', 'cpu',
 * 'bandwidth' or 'other').
 */
export function sentVideo(
  page: Page,
): Promise<{ scale: number | null; frameWidth: number; limitation: string }> {
  return page.evaluate(async () => {
    const pc = (window as unknown as W).flux.call?.peerConnection;
    const sender = pc?.getSenders().find((s) => s.track?.kind === 'video');
    const out = { scale: null as number | null, frameWidth: 0, limitation: 'none' };
    if (!pc || !sender) return out;
    out.scale = sender.getParameters().encodings[0]?.scaleResolutionDownBy ?? null;
    (await sender.getStats()).forEach(
      (r: { type: string; frameWidth?: number; qualityLimitationReason?: string }) => {
        if (r.type !== 'outbound-rtp') return;
        out.frameWidth = r.frameWidth ?? 0;
        out.limitation = r.qualityLimitationReason ?? 'none';
      },
    );
    return out;
  });
}

/** getStats() summary of the page's call. */
export function stats(page: Page): Promise<{
  framesDecoded: number;
  audioPackets: number;
  /** totalAudioEnergy of the audio this page sends (its media-source): 0 for silence */
  sentAudioEnergy: number;
  localType: string | null;
  remoteType: string | null;
}> {
  return page.evaluate(async () => {
    const call = (window as unknown as W).flux.call;
    if (!call) {
      return {
        framesDecoded: 0,
        audioPackets: 0,
        sentAudioEnergy: 0,
        localType: null,
        remoteType: null,
      };
    }
    const s = await call.getStats();
    let sentAudioEnergy = 0;
    s.report?.forEach((r: { type: string; kind?: string; totalAudioEnergy?: number }) => {
      if (r.type === 'media-source' && r.kind === 'audio')
        sentAudioEnergy += r.totalAudioEnergy ?? 0;
    });
    return {
      framesDecoded: s.video.framesDecoded,
      audioPackets: s.audio.packetsReceived,
      sentAudioEnergy,
      localType: s.candidatePair?.localType ?? null,
      remoteType: s.candidatePair?.remoteType ?? null,
    };
  });
}

/**
 * What the page's peer connection knows of the path, for a failure's report: its states, the
 * candidates in each description, and the candidates and pairs its ICE agent has.
 */
export function iceReport(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const pc = (window as unknown as W).flux.call?.peerConnection;
    if (!pc) return 'no peer connection';
    const lines = (sdp: string | undefined): number =>
      (sdp ?? '').split('\n').filter((l) => l.startsWith('a=candidate:')).length;
    const kinds: Record<string, number> = {};
    const pairs: string[] = [];
    (await pc.getStats()).forEach((r: { type: string; state?: string; candidateType?: string }) => {
      if (r.type === 'local-candidate' || r.type === 'remote-candidate') {
        const k = `${r.type} ${r.candidateType ?? '?'}`;
        kinds[k] = (kinds[k] ?? 0) + 1;
      }
      if (r.type === 'candidate-pair') pairs.push(r.state ?? '?');
    });
    return JSON.stringify({
      signaling: pc.signalingState,
      ice: pc.iceConnectionState,
      gathering: pc.iceGatheringState,
      connection: pc.connectionState,
      candidatesInLocalDescription: lines(pc.localDescription?.sdp),
      candidatesInRemoteDescription: lines(pc.remoteDescription?.sdp),
      candidates: kinds,
      pairs,
    });
  });
}

/** Runs `fn(call)` in the page (accept, hangup, …). */
export async function onCall(page: Page, action: 'accept' | 'hangup' | 'decline'): Promise<void> {
  await page.evaluate(async (action) => {
    const f = (window as unknown as W).flux;
    const call = f.call;
    if (!call) throw new Error('no call on this page');
    f.view.at[`${action}:start`] = Date.now();
    await call[action]();
  }, action);
}

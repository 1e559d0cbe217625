/**
 * The call UI chunk: device check → calling → connected → ended, plus decline/miss
 * alternatives, a callback form, product cards and minimise. Plain DOM in one shadow root
 * on a fixed host appended to <body> (so it survives SPA navigation); the engine is
 * @flux/client. Loaded by the loader on intent; implements CallUiModule (contract.ts).
 */
import type { CallAgent, Product } from '@flux/protocol';
import {
  afterNextFrame,
  formatMoney,
  getLocalMedia,
  inNextFrame,
  SignalingClient,
  startVisitorCall,
} from '@flux/client';
import type { CallSession, CallState } from '@flux/client';
import { WS_PATH } from '@flux/protocol';
import { h, icon } from '../dom/h.ts';
import { sdkError, toSdkError } from '../errors.ts';
import { fillTemplate } from '../template.ts';
import { SDK_VERSION } from '../version.ts';
import type { FluxSdkError } from '../types.ts';
import type { CallUiContext, CallUiHandle } from './contract.ts';
import { ICONS } from './icons.ts';
import { EN_UI, type UiKey, type UiStrings } from './strings.ts';
import { CALL_CSS } from './styles.ts';

export type { CallUiContext, CallUiHandle };

type View = 'check' | 'denied' | 'calling' | 'call' | 'unavailable' | 'ended' | 'failed';

const loadUi = async (lang: string): Promise<UiStrings> =>
  lang === 'en' ? EN_UI : ((await import(`./lang/${lang}.ts`)) as { strings: UiStrings }).strings;

/** Which permission guidance fits this browser. */
export function deniedHelpKey(ua: string): UiKey {
  if (/iPhone|iPad|iPod/.test(ua)) return 'deniedIos';
  if (/Firefox\//.test(ua)) return 'deniedFirefox';
  if (/Safari\//.test(ua) && !/Chrome\/|Chromium\/|Edg\//.test(ua)) return 'deniedSafari';
  return 'deniedChrome';
}

export function openCall(ctx: CallUiContext): CallUiHandle {
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const requested = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  let done = false;
  const resolveReq = (): void => {
    if (done) return;
    done = true;
    settle.resolve();
  };
  const rejectReq = (e: unknown): void => {
    if (done) return;
    done = true;
    settle.reject(toSdkError(e));
  };

  // the control that opened the call UI (the card's button, or the page's own for
  // startCall()): the focus goes back to it when the call UI closes with the focus inside
  let opener = document.activeElement;
  while (opener?.shadowRoot?.activeElement) opener = opener.shadowRoot.activeElement;

  let s: UiStrings = EN_UI;
  let agent: CallAgent = ctx.agent;
  const t = (key: UiKey, n?: number): string =>
    fillTemplate(s[key], { name: agent.name, n: String(n ?? '') });

  // ---- DOM ---------------------------------------------------------------------------
  const host = h('div', { 'data-flux-call-ui': '', 'data-flux-state': 'check' });
  const shadow = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CALL_CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.append(Object.assign(document.createElement('style'), { textContent: CALL_CSS }));
  }
  const photo = (cls: string): HTMLImageElement => {
    const img = h('img', { class: cls, alt: '' });
    if (agent.profile_photo_url) img.src = new URL(agent.profile_photo_url, ctx.base + '/').href;
    return img;
  };
  const btn = (
    label: string,
    cls: string,
    onClick: () => void,
    ico?: string,
  ): HTMLButtonElement => {
    const b = h('button', { type: 'button', class: cls }, ...(ico ? [icon(ico)] : []));
    if (ico) b.setAttribute('aria-label', label);
    else b.textContent = label;
    b.addEventListener('click', onClick);
    return b;
  };
  const live = h('div', { class: 'sr', role: 'status', 'aria-live': 'polite' });
  const headName = h('b');
  const headState = h('span', { class: 'st' });
  const head = h(
    'div',
    { class: 'head' },
    photo(''),
    h('div', { class: 'who' }, headName, headState),
  );
  const body = h('div', { class: 'body' });
  const bar = h('div', { class: 'bar' });
  const panel = h('div', {
    class: 'panel',
    tabindex: '-1',
    role: 'dialog',
    'aria-modal': 'false',
    'aria-labelledby': 'flux-who',
    dir: ctx.rtl ? 'rtl' : 'ltr',
    lang: ctx.lang,
  });
  headName.id = 'flux-who';
  panel.append(head, body, bar, live);
  shadow.append(panel);

  const remoteVideo = h('video', { autoplay: '', playsinline: '', class: 'rv' });
  const selfVideo = h('video', { autoplay: '', playsinline: '', class: 'mirror' });
  selfVideo.muted = true;
  const stage = h('div', { class: 'stage' }, remoteVideo);
  const prods = h('section', { class: 'prods' });

  // ---- state -------------------------------------------------------------------------
  let view: View = 'check';
  let stream: MediaStream | null = null;
  let audioOnly = false;
  let session: CallSession | null = null;
  let signaling: SignalingClient | null = null;
  let connectedAt = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let callId: string | null = null;
  let products: Product[] = [];
  let closed = false;
  let facing: 'user' | 'environment' = 'user';
  /** The call's camera button, once the call view has one. */
  let camBtn: HTMLButtonElement | null = null;
  /** On a weak link with the camera on: turning it off leaves the voice the most room. */
  const tipText = h('span', {});
  const tipBtn = btn('', '', () => {
    camBtn?.click();
    camBtn?.focus();
  });
  const tip = h('div', { class: 'tip', 'data-testid': 'flux-weak-tip' }, tipText, tipBtn);
  tip.hidden = true;

  const announce = (text: string): void => {
    live.textContent = text;
  };
  /**
   * After a view change took away the control that had the focus (a keyboard user's, or the
   * button just clicked), the new view's first control gets it: without this it fell to the
   * page, and a keyboard user had to find the panel again. Focus elsewhere in the page stays.
   */
  const keepFocus = (): void => {
    // only when the focus fell to the page's body: never take it from where it went
    if (closed || document.activeElement !== document.body) return;
    const order = view === 'ended' || view === 'unavailable' ? [body, bar] : [bar, body];
    const first = order
      .map((el) => el.querySelector<HTMLElement>('button, input, textarea'))
      .find((el) => el !== null);
    (first ?? panel).focus();
  };
  const show = (next: View): void => {
    // once the view is built, in a task of its own: focus() lays the page out at once, and
    // the call's view is built in the accept's frame, which must only show the call
    if (shadow.activeElement !== null) setTimeout(keepFocus);
    view = next;
    host.setAttribute('data-flux-state', next);
    if (next !== 'call') headState.removeAttribute('data-s');
    headName.textContent = agent.name;
    // the call's stage stays in the page from the ring to the call (see begin)
    for (const c of [...body.childNodes]) if (c !== stage || next !== 'call') c.remove();
    bar.replaceChildren();
    host.classList.remove('min');
  };
  const closeBtn = (): HTMLButtonElement => btn(t('close'), 'x', close, ICONS.close);

  const signal = (): SignalingClient => {
    signaling ??= new SignalingClient({
      url: ctx.base.replace(/^http/, 'ws') + WS_PATH,
      role: 'visitor',
      getToken: () => ctx.getToken(),
      sdkVersion: SDK_VERSION,
    });
    return signaling;
  };

  // ---- device check -------------------------------------------------------------------
  /** The camera and microphone go off (their light with them). */
  const release = (): void => {
    stream?.getTracks().forEach((tr) => tr.stop());
    stream = null;
    selfVideo.srcObject = null;
  };
  /** Why no camera or microphone could be had. */
  const deniedFor = (err: FluxSdkError): UiKey =>
    err.code === 'FLX_ERR_MEDIA_PERMISSION_DENIED'
      ? deniedHelpKey(navigator.userAgent)
      : 'noDevice';

  const acquire = async (): Promise<void> => {
    stream?.getTracks().forEach((tr) => tr.stop());
    stream = null;
    try {
      stream = await getLocalMedia({ audioOnly });
      if (closed) {
        stream.getTracks().forEach((tr) => tr.stop());
        return;
      }
      selfVideo.srcObject = stream;
      renderCheck();
    } catch (e) {
      const err = toSdkError(e);
      if (closed) return;
      renderDenied(deniedFor(err));
      rejectReq(err);
    }
  };

  const renderCheck = (): void => {
    show('check');
    headState.textContent = '';
    const toggle = h('input', { type: 'checkbox' });
    toggle.checked = !audioOnly;
    toggle.addEventListener('change', () => {
      audioOnly = !toggle.checked;
      void acquire();
    });
    const start = btn(t('start'), 'pri', () => void begin(agent));
    body.append(
      h('div', { class: 'center' }, h('h2', {}, t('checkTitle')), h('p', {}, t('checkHint'))),
      h('div', { class: 'stage' }, audioOnly ? photo('big') : selfVideo),
      h('div', { class: 'row' }, h('label', {}, toggle, t('cameraOn'))),
    );
    bar.append(btn(t('cancel'), '', close), start);
    start.focus();
    announce(t('checkTitle'));
  };

  const renderDenied = (help: UiKey): void => {
    show('denied');
    body.append(
      h(
        'div',
        { class: 'center' },
        h('h2', {}, help === 'noDevice' ? t('noDevice') : t('denied')),
        h('p', {}, help === 'noDevice' ? '' : t(help)),
      ),
    );
    const retry = btn(t('retry'), 'pri', () => void acquire());
    bar.append(btn(t('close'), '', close), retry);
    // in place of the check's Start call, which takes the focus as the call UI opens
    retry.focus();
    announce(t('denied'));
  };

  // ---- the call -----------------------------------------------------------------------
  const begin = async (who: CallAgent): Promise<void> => {
    if (!stream && view === 'unavailable') {
      // another agent after one who could not take the call: the camera went off with that
      // call, so it comes on again for this one
      // (`stream` may have changed during the await: another click)
      const now = (): MediaStream | null => stream;
      let got: MediaStream;
      try {
        got = await getLocalMedia({ audioOnly });
      } catch (e) {
        if (!closed && !now()) {
          agent = who; // the denied screen's retry leads to a call to this agent
          renderDenied(deniedFor(toSdkError(e)));
        }
        return;
      }
      // closed meanwhile, or a second click's call already under way with its own camera
      if (closed || now()) {
        got.getTracks().forEach((tr) => tr.stop());
        return;
      }
      stream = got;
      selfVideo.srcObject = stream;
    }
    agent = who;
    if (!stream) return;
    show('calling');
    ctx.onPhase('calling', t('calling'));
    const ringing = h(
      'div',
      { class: 'center' },
      photo('big pulse'),
      h('h2', {}, t('calling')),
      h('p', {}, t('callingHint')),
    );
    // while it rings the visitor sees themselves (the camera is already on): the agent's
    // photo and the calling state over the self-view; without a camera, only those. The stage
    // is the call's own, and the agent's video is in it already, black until the accept: one
    // pixel in a corner and all but transparent, but drawn, so the agent's first picture shows
    // as soon as it is decoded. Neither video leaves the page at the accept (renderCall). A
    // video put in the page at the accept, or hidden under the self-view until then, showed
    // that picture 20-50 ms after it arrived (docs/performance-log.md).
    if (audioOnly) {
      ringing.classList.add('mid');
      body.append(ringing);
    } else {
      ringing.classList.add('over');
      stage.className = 'stage ring';
      stage.replaceChildren(selfVideo, remoteVideo, ringing, h('span', { class: 'you' }, t('you')));
      body.append(stage);
      void selfVideo.play().catch(() => undefined);
    }
    bar.append(btn(t('cancel'), 'end', () => void hangup()));
    announce(t('calling'));
    headState.textContent = t('calling');
    try {
      await signal().connect();
    } catch (e) {
      rejectReq(e);
      renderFailed();
      return;
    }
    const call = (session = startVisitorCall({
      signaling: signal(),
      localStream: stream,
      agentId: who.id,
      productIds: ctx.productIds,
      pageUrl: location.href,
      ...(ctx.user ? { user: ctx.user } : {}),
      audioOnly,
    }));
    call.on('call', (record) => {
      if (callId) return;
      callId = record.id;
      products = record.products;
      // the prices are formatted while it rings, not in the accept's task (see `price`)
      setTimeout(() => products.forEach(price), 0);
      ctx.emit('call-requested', { callId, agent: who, productIds: ctx.productIds });
      resolveReq();
    });
    call.on('stateChanged', ({ to }) => {
      onState(call, to);
    });
    call.on('quality', (q) => {
      if (call !== session || closed) return;
      status();
      // told once as it turns weak; the line shows it for as long as it lasts
      if (q === 'poor') announce(tip.hidden ? t('weak') : `${t('weak')}. ${t('weakTip')}`);
    });
    call.on('remoteStream', (remote) => {
      remoteVideo.srcObject = remote;
    });
    call.on('products', (list) => {
      products = list;
      renderProducts();
    });
  };

  const onState = (call: CallSession, to: CallState): void => {
    if (call !== session || closed) return;
    if (to === 'ringing' && callId) ctx.emit('ringing', { callId });
    if (to === 'connecting' || to === 'active' || to === 'reconnecting') {
      // The call view is built just before the next frame, not in this task: the accepted
      // signal's task opened the gates, and the still's picture is captured when it ends. The
      // view is laid out in that frame either way (docs/performance-log.md).
      if (view !== 'call') {
        inNextFrame(() => {
          if (call === session && !closed && call.state !== 'ended' && view !== 'call') {
            renderCall();
          }
        });
      }
      if (to === 'active' && !connectedAt) {
        connectedAt = Date.now();
        timer = setInterval(status, 1000);
        if (callId) ctx.emit('connected', { callId });
        // The card in the page and the screen reader hear of it a frame later: the frame after
        // the accept lays out and paints the call window only (see renderCall).
        afterNextFrame(() => {
          if (call !== session || closed || call.state === 'ended') return;
          ctx.onPhase('in-call', t('inCall'));
          announce(t('inCall'));
        });
      }
      status();
    }
    if (to === 'ended') ended(call);
  };

  /** The head's line while the call is up: how it goes, and for how long once connected. */
  const status = (): void => {
    const st = session?.state;
    const label: UiKey =
      st === 'active'
        ? session?.quality === 'poor'
          ? 'weak'
          : 'connected'
        : st === 'reconnecting'
          ? 'reconnecting'
          : 'connecting';
    const sec = Math.floor((Date.now() - connectedAt) / 1000);
    headState.textContent = connectedAt
      ? `${t(label)} · ${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`
      : t(label);
    headState.setAttribute('data-s', label);
    tip.hidden = label !== 'weak' || camBtn?.getAttribute('aria-pressed') !== 'false';
  };

  const renderCall = (): void => {
    show('call');
    selfVideo.classList.add('self');
    stage.className = 'stage';
    // the videos stay where they are (see begin); only what was drawn over them goes
    for (const c of [...stage.childNodes]) if (c !== remoteVideo && c !== selfVideo) c.remove();
    if (remoteVideo.parentNode !== stage) stage.prepend(remoteVideo);
    if (!audioOnly && selfVideo.parentNode !== stage) stage.append(selfVideo);
    stage.append(
      h(
        'div',
        { class: 'mini' },
        btn(t('expand'), '', () => host.classList.remove('min'), ICONS.max),
        btn(t('hangUp'), 'end', () => void hangup(), ICONS.hang),
      ),
    );
    if (stage.parentNode === body) body.append(prods);
    else body.append(stage, prods);
    // The products follow a frame later: the frame after the accept paints the stage, where
    // the agent's first picture is about to show. Painting the products' images with it (an
    // SVG image is laid out on the page's thread when first painted) held that frame back by
    // 20-50 ms on a slow machine (docs/performance-log.md).
    afterNextFrame(renderProducts);
    const toggle = (
      label: [UiKey, UiKey],
      kind: 'audio' | 'video',
      ico: string,
    ): HTMLButtonElement => {
      const b = btn(
        t(label[0]),
        'ic',
        () => {
          const on = b.getAttribute('aria-pressed') !== 'true';
          b.setAttribute('aria-pressed', String(on));
          b.setAttribute('aria-label', t(label[on ? 1 : 0]));
          session?.setMuted(kind, on);
        },
        ico,
      );
      b.setAttribute('aria-pressed', 'false');
      return b;
    };
    bar.append(toggle(['mute', 'unmute'], 'audio', ICONS.mic));
    if (!audioOnly) {
      camBtn = toggle(['camOff', 'camOn'], 'video', ICONS.cam);
      camBtn.addEventListener('click', status);
      tipText.textContent = t('weakTip');
      tipBtn.textContent = t('camOff');
      stage.append(tip);
      bar.append(camBtn);
      const flip = btn(t('switchCam'), 'ic', () => void switchCamera(), ICONS.flip);
      flip.hidden = true;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- undefined on insecure origins
      void navigator.mediaDevices?.enumerateDevices().then((d) => {
        flip.hidden = d.filter((x) => x.kind === 'videoinput').length < 2;
      });
      bar.append(flip);
    }
    bar.append(
      btn(t('minimise'), 'ic', () => host.classList.add('min'), ICONS.min),
      btn(t('hangUp'), 'end ic', () => void hangup(), ICONS.hang),
    );
  };

  const switchCamera = async (): Promise<void> => {
    facing = facing === 'user' ? 'environment' : 'user';
    try {
      const next = await navigator.mediaDevices.getUserMedia({ video: { facingMode: facing } });
      const track = next.getVideoTracks()[0];
      if (!track || !stream || !session) return;
      const old = stream.getVideoTracks()[0];
      await session.replaceVideoTrack(track);
      if (old) {
        stream.removeTrack(old);
        old.stop();
      }
      stream.addTrack(track);
      selfVideo.classList.toggle('mirror', facing === 'user');
    } catch {
      /* keep the current camera */
    }
  };

  /**
   * The page's first currency formatter loads the browser's locale data: 45 ms of main thread
   * on a slow machine, 100-200 ms while a call starts. Made at the accept, that held the agent's
   * first picture back (docs/performance-log.md); the formatters are made while it rings
   * instead (`formatMoney` keeps one per locale and currency).
   */
  const price = (p: Product): string => formatMoney(p.price, p.currency, ctx.lang);

  const renderProducts = (): void => {
    prods.replaceChildren();
    if (!products.length || view !== 'call') return;
    prods.append(h('h3', {}, t('products')));
    for (const p of products) {
      const img = h('img', { alt: '', loading: 'lazy' });
      if (p.imageUrl) img.src = new URL(p.imageUrl, ctx.base + '/').href;
      const link = h('a', { href: p.pageUrl ?? '#', target: '_blank', rel: 'noopener' }, p.name);
      link.addEventListener('click', () => {
        if (!callId) return;
        void session?.productEvent(p.id, 'click').catch(() => undefined);
        ctx.emit('product-clicked', { callId, product: p });
      });
      const add = btn(t('addToCart'), 'pri', () => {
        if (!callId) return;
        void session?.productEvent(p.id, 'add_to_cart').catch(() => undefined);
        ctx.emit('add-to-cart', { callId, product: p });
        const fn = ctx.onCheckout;
        if (fn) {
          const id = callId;
          Promise.resolve()
            .then(() => fn({ product: p, callId: id }))
            .catch((e: unknown) =>
              ctx.emit('error', {
                code: 'FLX_ERR_INTERNAL',
                message: `onCheckout failed: ${String(e)}`,
              }),
            );
        }
      });
      prods.append(
        h(
          'article',
          { class: 'prod' },
          img,
          h('div', {}, link, h('div', { class: 'pa' }, h('span', {}, price(p)), add)),
        ),
      );
    }
  };

  const hangup = async (): Promise<void> => {
    if (session && session.state !== 'ended') await session.hangup().catch(() => undefined);
    else close();
  };

  const ended = (call: CallSession): void => {
    clearInterval(timer);
    const reason = call.endReason ?? 'failed';
    const duration = connectedAt ? Math.round((Date.now() - connectedAt) / 1000) : null;
    const wire = reason === 'request_failed' || reason === 'answered_elsewhere' ? 'failed' : reason;
    ctx.emit('ended', { callId, reason: wire, durationSeconds: duration });
    // The camera and microphone go off with the call, not when the window closes: the
    // shopper may rate the call, leave a message or read on for a while.
    release();
    if (!callId)
      rejectReq(
        call.error ??
          (reason === 'cancelled'
            ? sdkError('FLX_ERR_SDK_CALL_CANCELLED', 'The visitor cancelled before the call rang')
            : sdkError('FLX_ERR_AGENT_UNAVAILABLE', 'The call could not be requested')),
      );
    ctx.onPhase('calling', '');
    if (reason === 'declined' || reason === 'missed' || reason === 'request_failed') {
      renderUnavailable(call);
      return;
    }
    if (!connectedAt) {
      if (reason === 'cancelled') close();
      else renderFailed();
      return;
    }
    renderEnded(call);
  };

  const renderUnavailable = (call: CallSession): void => {
    show('unavailable');
    const first = agent;
    body.append(h('div', { class: 'center' }, photo('big'), h('h2', {}, t('unavailable'))));
    for (const alt of call.alternatives) {
      agent = alt;
      body.append(
        h(
          'div',
          { class: 'row' },
          btn(t('callOther'), 'pri', () => {
            callId = null;
            void begin(alt);
          }),
        ),
      );
    }
    agent = first;
    const name = h('input', {
      required: '',
      autocomplete: 'name',
      'aria-label': t('yourName'),
      placeholder: t('yourName'),
    });
    const contact = h('input', {
      required: '',
      minlength: '3',
      'aria-label': t('contact'),
      placeholder: t('contact'),
    });
    const note = h('textarea', { rows: '2', 'aria-label': t('note'), placeholder: t('note') });
    if (ctx.user?.name) name.value = ctx.user.name;
    if (ctx.user?.email) contact.value = ctx.user.email;
    const form = h(
      'form',
      {},
      h('p', {}, t('callbackTitle')),
      name,
      contact,
      note,
      h('button', { type: 'submit', class: 'pri' }, t('send')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void signal()
        .request({
          type: 'callback.request',
          ...(callId ? { callId } : {}),
          name: name.value,
          contact: contact.value,
          ...(note.value ? { note: note.value } : {}),
          pageUrl: location.href,
        })
        .then(() => {
          const had = shadow.activeElement !== null;
          form.replaceChildren(h('p', { role: 'status' }, t('callbackSent')));
          if (had) keepFocus();
        })
        .catch((e: unknown) =>
          ctx.emit('error', { code: toSdkError(e).code, message: toSdkError(e).message }),
        );
    });
    body.append(form);
    bar.append(btn(t('close'), '', close));
    announce(t('unavailable'));
  };

  const renderFailed = (): void => {
    show('failed');
    body.append(h('div', { class: 'center' }, h('h2', {}, t('failed'))));
    bar.append(btn(t('close'), '', close));
    announce(t('failed'));
  };

  const renderEnded = (call: CallSession): void => {
    show('ended');
    headState.textContent = t('ended');
    const stars = h('div', { class: 'stars', role: 'group', 'aria-label': t('rate') });
    for (let n = 1; n <= 5; n++) {
      const b = btn('★', '', () => {
        for (const el of stars.children) el.setAttribute('aria-pressed', String(el === b));
        void call.rate(n).then(
          () => {
            const had = shadow.activeElement !== null;
            stars.replaceWith(h('p', { role: 'status' }, t('thanks')));
            if (had) keepFocus();
          },
          () => undefined,
        );
      });
      b.setAttribute('aria-label', t('stars', n));
      stars.append(b);
    }
    body.append(
      h(
        'div',
        { class: 'center' },
        photo('big'),
        h('h2', {}, t('ended')),
        h('p', {}, t('rate')),
        stars,
      ),
    );
    bar.append(btn(t('close'), 'pri', close));
    announce(t('ended'));
  };

  // ---- lifecycle ----------------------------------------------------------------------
  function close(): void {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    keep.disconnect();
    removeEventListener('pagehide', leave);
    release();
    // Hang up first (the server frees the agent), then drop the engine and the socket. A
    // call whose request is not acknowledged yet is hung up by id once the ack arrives.
    const call = session;
    const sig = signaling;
    void (async () => {
      if (call) {
        const known = call.callId !== null || call.state === 'ended';
        await call.hangup().catch(() => undefined);
        const id = known
          ? null
          : await new Promise<string | null>((resolve) => {
              const off = call.on('call', (record) => {
                off();
                resolve(record.id);
              });
              setTimeout(resolve, 5000, null);
            });
        if (id && sig)
          await sig.request({ type: 'call.hangup', callId: id }).catch(() => undefined);
        call.dispose();
      }
      sig?.close();
    })();
    const hadFocus = shadow.activeElement !== null;
    host.remove();
    rejectReq(
      sdkError(
        'FLX_ERR_SDK_CALL_CANCELLED',
        'The call window was closed before the call was requested',
      ),
    );
    ctx.onPhase('closed');
    // after the card's update, which enables its button again
    if (hadFocus && opener instanceof HTMLElement && opener.isConnected) opener.focus();
  }

  // Closing the tab, reloading or navigating away ends the call at once (docs/sdk.md ›
  // Leaving the page). pagehide is the last event a page reliably gets, on phones too, and
  // unlike beforeunload it keeps the page fit for the back/forward cache. Nothing can be
  // awaited here: the hang-up (once the call has an id) and the goodbye (close 1000 "bye",
  // which ends the session now instead of after its grace period) are sent synchronously,
  // in that order. A page restored from the cache shows the card, ready for a new call.
  function leave(): void {
    if (session && session.state !== 'ended') void session.hangup();
    signaling?.close();
    close();
  }
  addEventListener('pagehide', leave);

  // SPA frameworks may replace <body> content: keep the call UI attached.
  const keep = new MutationObserver(() => {
    if (!host.isConnected && !closed) document.body.append(host);
  });
  document.body.append(host);
  keep.observe(document.body, { childList: true });
  head.append(closeBtn());
  show('check');
  body.append(h('div', { class: 'center' }, h('h2', {}, '…')));
  void loadUi(ctx.lang)
    .catch(() => EN_UI)
    .then((strings) => {
      s = strings;
      signal()
        .connect()
        .catch(() => undefined); // warm the signaling connection meanwhile
      return acquire();
    });

  return { requested, close };
}

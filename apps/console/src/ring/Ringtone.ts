/**
 * The ringtone, generated with Web Audio (no files). One AudioContext for the app's life,
 * unlocked by a user gesture (the sign-in click, or any click after a warning). `blocked`
 * tells the UI when the browser still refuses to play, so it can say so.
 */
import { signal } from '@preact/signals';
import { RingScheduler } from './ringPattern.ts';

/** True while a ring should sound but the browser keeps audio suspended. */
export const audioBlocked = signal(false);

type Ctx = AudioContext;
let ctx: Ctx | null = null;

function context(): Ctx | null {
  if (ctx) return ctx;
  const w = window as unknown as {
    AudioContext?: typeof AudioContext;
    webkitAudioContext?: typeof AudioContext;
  };
  const C = w.AudioContext ?? w.webkitAudioContext;
  if (!C) return null;
  ctx = new C({ latencyHint: 'interactive' });
  return ctx;
}

/** Call from a user gesture: creates and resumes the audio context. */
export async function unlockAudio(): Promise<boolean> {
  const c = context();
  if (!c) return false;
  if (c.state !== 'running') {
    try {
      await c.resume();
    } catch {
      /* state stays suspended */
    }
  }
  // A silent blip fully unlocks output on some browsers.
  try {
    const g = c.createGain();
    g.gain.value = 0;
    const o = c.createOscillator();
    o.connect(g).connect(c.destination);
    o.start();
    o.stop(c.currentTime + 0.01);
  } catch {
    /* ignore */
  }
  const ok = (c.state as string) === 'running';
  if (ok) audioBlocked.value = false;
  return ok;
}

/**
 * Checks, without a user gesture, whether the ringtone could play now; when the browser keeps
 * audio suspended, raises `audioBlocked` (the console shows an "Enable sound" banner) and
 * unlocks on the agent's next click or key press anywhere.
 */
export async function checkAudio(): Promise<void> {
  const c = context();
  if (!c) {
    audioBlocked.value = true;
    return;
  }
  if (c.state !== 'running') {
    await Promise.race([c.resume().catch(() => undefined), new Promise((r) => setTimeout(r, 200))]);
  }
  if ((c.state as string) === 'running') {
    audioBlocked.value = false;
    return;
  }
  audioBlocked.value = true;
  const unlock = () => {
    void unlockAudio().then((ok) => {
      if (ok) {
        window.removeEventListener('pointerdown', unlock, true);
        window.removeEventListener('keydown', unlock, true);
      }
    });
  };
  window.addEventListener('pointerdown', unlock, true);
  window.addEventListener('keydown', unlock, true);
}

export function audioState(): AudioContextState | 'unsupported' {
  return ctx ? ctx.state : typeof AudioContext === 'undefined' ? 'unsupported' : 'suspended';
}

/** The ring's state on <html data-flux-ring>, for styles and tests. */
function mark(state: 'idle' | 'playing' | 'blocked'): void {
  document.documentElement.dataset.fluxRing = state;
}

class RingtonePlayer {
  private scheduler = new RingScheduler(6);
  private out: GainNode | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  get ringing(): boolean {
    return this.scheduler.state === 'ringing';
  }

  async start(maxSeconds: number): Promise<void> {
    this.stop();
    const c = context();
    if (!c) {
      audioBlocked.value = true;
      return;
    }
    if (c.state !== 'running') {
      try {
        await Promise.race([c.resume(), new Promise((r) => setTimeout(r, 300))]);
      } catch {
        /* handled below */
      }
    }
    audioBlocked.value = (c.state as string) !== 'running';
    mark(audioBlocked.value ? 'blocked' : 'playing');
    const out = c.createGain();
    out.gain.value = 0.22;
    out.connect(c.destination);
    this.out = out;
    this.play(c, this.scheduler.start(c.currentTime, maxSeconds));
    this.timer = setInterval(() => {
      if (!this.out) return;
      if ((c.state as string) !== 'running') {
        audioBlocked.value = true;
        void c.resume().then(() => {
          if ((c.state as string) === 'running') audioBlocked.value = false;
        });
      }
      if (this.scheduler.expired(c.currentTime)) {
        this.stop();
        return;
      }
      this.play(c, this.scheduler.take(c.currentTime));
    }, 1000);
  }

  private play(c: Ctx, notes: ReturnType<RingScheduler['take']>): void {
    const out = this.out;
    if (!out) return;
    for (const n of notes) {
      const osc = c.createOscillator();
      const env = c.createGain();
      osc.type = 'triangle';
      osc.frequency.value = n.frequency;
      env.gain.setValueAtTime(0.0001, n.start);
      env.gain.exponentialRampToValueAtTime(1, n.start + 0.012);
      env.gain.exponentialRampToValueAtTime(0.0001, n.start + n.duration);
      osc.connect(env).connect(out);
      osc.start(n.start);
      osc.stop(n.start + n.duration + 0.02);
    }
  }

  stop(): void {
    this.scheduler.stop();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.out) {
      try {
        this.out.disconnect();
      } catch {
        /* already gone */
      }
    }
    this.out = null;
    mark('idle');
    if (ctx && (ctx.state as string) === 'running') audioBlocked.value = false;
  }
}

export const ringtone = new RingtonePlayer();

/**
 * Counts, in every page of a browser context, the peer connections, the camera and microphone
 * tracks (and their clones) and the audio contexts the page makes, and those it closes or
 * stops: what a page still holds of a call that is over. Counts only: holding the objects
 * would keep each call's listeners, and what they hold, alive.
 */
import type { BrowserContext, Page } from '@playwright/test';

/** What a page has opened and not yet closed or stopped. */
export interface OpenMedia {
  peerConnections: number;
  /** Camera and microphone tracks still live (the camera's light is on while one is). */
  liveTracks: number;
  audioContexts: number;
  videos: number;
}

/** Adds the counting to every page the context opens from now on. */
export async function countMedia(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const made: Record<string, number> = {};
    const closed: Record<string, number> = {};
    (window as unknown as { held: unknown }).held = { made, closed };
    const ours = new WeakSet<object>();
    const done = new WeakSet<object>();
    const make = (k: string, x: object) => {
      ours.add(x);
      made[k] = (made[k] ?? 0) + 1;
    };
    const end = (k: string, x: object) => {
      if (!ours.has(x) || done.has(x)) return;
      done.add(x);
      closed[k] = (closed[k] ?? 0) + 1;
    };
    const Pc = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Pc {
      constructor(config?: RTCConfiguration) {
        super(config);
        make('pc', this);
      }
      override close() {
        end('pc', this);
        super.close();
      }
    };
    const Audio = window.AudioContext;
    window.AudioContext = class extends Audio {
      constructor(options?: AudioContextOptions) {
        super(options);
        make('audio', this);
      }
      override close() {
        end('audio', this);
        return super.close();
      }
    };
    const track = MediaStreamTrack.prototype;
    // (the prototype's own functions, called with the track as `this` below)
    const stop = (Object.getOwnPropertyDescriptor(track, 'stop') as { value: () => void }).value;
    const clone = (
      Object.getOwnPropertyDescriptor(track, 'clone') as { value: () => MediaStreamTrack }
    ).value;
    track.stop = function () {
      end('track', this);
      stop.call(this);
    };
    track.clone = function () {
      const copy = clone.call(this);
      if (ours.has(this)) make('track', copy);
      return copy;
    };
    const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => {
      const stream = await open(c);
      for (const t of stream.getTracks()) make('track', t);
      return stream;
    };
  });
}

export function openMedia(page: Page): Promise<OpenMedia> {
  return page.evaluate(() => {
    const { made, closed } = (window as unknown as { held: Record<string, Record<string, number>> })
      .held as { made: Record<string, number>; closed: Record<string, number> };
    const open = (k: string) => (made[k] ?? 0) - (closed[k] ?? 0);
    return {
      peerConnections: open('pc'),
      liveTracks: open('track'),
      audioContexts: open('audio'),
      videos: document.querySelectorAll('video').length,
    };
  });
}

/**
 * Checks of the visitor's self-view in the call window's ringing ("calling") view: it plays
 * the camera track the page got from getUserMedia, not merely an element that exists.
 */
import { expect, type Locator } from '@playwright/test';

/** Test instrumentation (an init script): keeps every stream getUserMedia gave in `__fluxGum`. */
export function recordGetUserMedia(): void {
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  const all: MediaStream[] = [];
  (window as unknown as { __fluxGum: MediaStream[] }).__fluxGum = all;
  devices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    all.push(stream);
    return stream;
  };
}

/**
 * The ringing view shows a self-view `<video>` (over the agent's, `.rv`, which is black until the
 * accept) that plays (frames advancing) a live, enabled camera track that getUserMedia returned
 * to the page.
 */
export async function expectSelfViewPlaysCamera(ui: Locator): Promise<void> {
  const video = ui.locator('.ring video:not(.rv)');
  await expect(video).toBeVisible();
  await expect
    .poll(() =>
      video.evaluate(async (v: HTMLVideoElement) => {
        const src = v.srcObject;
        if (!(src instanceof MediaStream)) return 'no stream';
        const track = src.getVideoTracks()[0];
        if (!track) return 'no video track';
        if (track.readyState !== 'live' || !track.enabled) return `track ${track.readyState}`;
        const gum = (window as unknown as { __fluxGum?: MediaStream[] }).__fluxGum ?? [];
        if (!gum.some((s) => s.getVideoTracks().includes(track))) return 'not the camera track';
        if (v.paused || v.videoWidth === 0) return 'not playing';
        const before = v.currentTime;
        await new Promise((r) => setTimeout(r, 300));
        return v.currentTime > before ? 'playing the camera' : 'frozen';
      }),
    )
    .toBe('playing the camera');
}

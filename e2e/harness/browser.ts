import type { BrowserContext } from '@playwright/test';

/**
 * Debian's Chromium with the flags that make real calls work on a loopback-only machine
 * (see ../shared/TESTING.md): fake camera and microphone, permission granted, loopback
 * candidates allowed, no background traffic.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * The pages of `ctx` send their media through the TURN server only, as on networks where
 * nothing else gets through (on loopback the browsers would otherwise reach each other
 * directly). With `portFrom`/`portTo`, their TURN URLs name port `portTo` (a hop in front of
 * the TURN server) instead of `portFrom`.
 */
export async function relayOnly(
  ctx: BrowserContext,
  hop?: { portFrom: number; portTo: number },
): Promise<void> {
  await ctx.addInitScript((ports) => {
    const Real = window.RTCPeerConnection;
    const relay = (c?: RTCConfiguration): RTCConfiguration => ({
      ...c,
      iceTransportPolicy: 'relay',
      ...(ports !== null && {
        iceServers: (c?.iceServers ?? []).map((s) => ({
          ...s,
          urls: ([] as string[])
            .concat(s.urls)
            .map((u) => u.replace(`:${String(ports.portFrom)}`, `:${String(ports.portTo)}`)),
        })),
      }),
    });
    class Relayed extends Real {
      constructor(c?: RTCConfiguration) {
        super(relay(c));
      }
      override setConfiguration(c?: RTCConfiguration): void {
        super.setConfiguration(relay(c));
      }
    }
    window.RTCPeerConnection = Relayed;
  }, hop ?? null);
}

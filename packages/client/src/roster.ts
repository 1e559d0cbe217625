import type { CallAgent } from '@flux/protocol';
import type { SignalingClient } from './SignalingClient.ts';

/** @public */
export interface Roster {
  agents: CallAgent[];
  open: boolean;
}

/**
 * Visitor: follows the channel's available agents. Calls `fn` with the subscribe answer and
 * every `presence.roster` push; subscribes again after a reconnect that lost the session.
 * Returns a function that stops (and unsubscribes).
 * @example
 * const stop = watchRoster(signaling, ({ agents }) => render(agents));
 * @public
 */
export function watchRoster(
  signaling: SignalingClient,
  fn: (roster: Roster) => void,
  onError?: (error: unknown) => void,
): () => void {
  let stopped = false;
  const subscribe = (): void => {
    signaling.request({ type: 'presence.subscribe' }).then(
      (r) => {
        if (!stopped) fn({ agents: r.agents, open: r.open });
      },
      (e: unknown) => {
        if (!stopped) onError?.(e);
      },
    );
  };
  const offRoster = signaling.on('presence.roster', (m) => {
    if (!stopped) fn({ agents: m.agents, open: m.open });
  });
  const offWelcome = signaling.on('welcome', (w) => {
    if (!w.resumed) subscribe();
  });
  if (signaling.state === 'connected') subscribe();
  return () => {
    if (stopped) return;
    stopped = true;
    offRoster();
    offWelcome();
    if (signaling.state === 'connected') {
      signaling.request({ type: 'presence.unsubscribe' }).catch(() => undefined);
    }
  };
}

/**
 * The connection check on an agent's home screen. One weak call does not say whose network was
 * at fault (both sides measure the same path), but many of an agent's own calls being weak
 * points at the agent's connection.
 */
import { hadWeakLink, type Call } from '@flux/protocol';

/** How many of the latest answered calls the check looks at. */
export const RECENT = 10;
/** Weak calls among them from which the agent's own connection is the likely cause. */
export const OWN_FAULT = 3;

export interface WeakLinkCheck {
  /** Answered calls looked at (at most RECENT). */
  answered: number;
  /** Of those, the calls in which either side judged the connection weak. */
  weak: number;
  /** True when the agent's own connection is the likely cause. */
  warn: boolean;
}

/** `calls` newest first, as the console lists them. */
export function weakLinkCheck(calls: readonly Call[]): WeakLinkCheck {
  const recent = calls.filter((c) => c.connectedAt !== null).slice(0, RECENT);
  const weak = recent.filter(hadWeakLink).length;
  return { answered: recent.length, weak, warn: weak >= OWN_FAULT };
}

/** What the check says. */
export function weakLinkText({ answered, weak, warn }: WeakLinkCheck): string {
  if (answered === 0) return 'Judged in each call; nothing to report yet.';
  const last = answered === 1 ? 'your last call' : `your last ${answered} calls`;
  if (weak === 0) return `Good in ${last}.`;
  const where = answered === 1 ? `Weak in ${last}` : `Weak in ${weak} of ${last}`;
  if (!warn) return `${where}: now and then that is the shopper’s network.`;
  return (
    `${where}: this often, your own connection is the likely cause. ` +
    'A wired connection, or sitting nearer the Wi-Fi router, helps.'
  );
}

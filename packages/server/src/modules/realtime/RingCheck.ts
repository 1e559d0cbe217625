/**
 * Whether a ring reached the agent's console. A console whose connection died without closing
 * (a laptop whose lid was shut, one that changed network) keeps its socket open on the server
 * until the heartbeat gives it up, one to two intervals later (25–50 s by default): long
 * enough for a ring to time out while the shopper waits for nobody. So each console that a
 * ring reaches on this process is pinged with it, and one from which nothing at all has come
 * back `ms` later is cut off, as a missed heartbeat would be (Gateway.cutOff; the call service
 * then ends the call if the agent has no console left anywhere). Its session keeps its grace
 * period: a console that was only away resumes and is told what happened.
 */
import type { Session } from './Session.ts';

const RING_PREFIX = '{"type":"call.incoming"';

export class RingCheck {
  readonly #ms: number;
  readonly #cutOff: (session: Session) => void;

  /** `ms`: how long a console has to answer (0: no check); `cutOff`: Gateway.cutOff. */
  constructor(ms: number, cutOff: (session: Session) => void) {
    this.#ms = ms;
    this.#cutOff = cutOff;
  }

  /** A message to its agent reached console `c` (the hub calls this for every one). */
  delivered(c: Session, body: string): void {
    const ws = c.ws;
    if (this.#ms <= 0 || !ws || !body.startsWith(RING_PREFIX)) return;
    const sentAt = Date.now();
    // its pong answers; a ping already out is answered after this, if the path is alive
    if (c.confirming === 0) c.ping();
    setTimeout(() => {
      if (c.ws === ws && !c.closed && c.lastSeen < sentAt) this.#cutOff(c);
    }, this.#ms).unref();
  }
}

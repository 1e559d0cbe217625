/**
 * One client session: survives its socket for a grace period so that a client reconnecting
 * with `resume` gets the messages it missed. Kept small (issue 6: idle memory per socket):
 * buffers and maps are created on first use.
 */
import type { Duplex } from 'node:stream';
import type { OutgoingServerMessage } from '@flux/protocol';
import type { WebSocket } from 'ws';

export type Role = 'visitor' | 'agent';

/** `{"seq":N,…body}`: the wire frame of a message body. */
function frame(seq: number, body: string): string {
  return `{"seq":${String(seq)},${body.slice(1)}`;
}

/** Sockets corked by `sendFrame` in this turn, uncorked together when its work is done. */
const corked: Duplex[] = [];

function uncorkAll(): void {
  for (const socket of corked) socket.uncork();
  corked.length = 0;
}

/**
 * Sends one frame. The first frame of a turn to a socket corks it until the turn's
 * callbacks and promise continuations have run (`process.nextTick` queued from them runs
 * after they drain), so the frames one event sends to one client (an ack and a state push,
 * a ring, the call and the agent's state) leave in one `writev` instead of one each: on a
 * busy server the syscalls were the largest share of the CPU per call. Uses the socket the
 * `ws` library keeps (`_socket`); without one the frame is sent as is.
 */
export function sendFrame(ws: WebSocket, data: string): void {
  const socket = (ws as unknown as { _socket?: Duplex })._socket;
  if (socket && socket.writableCorked === 0 && !socket.destroyed) {
    socket.cork();
    if (corked.push(socket) === 1) process.nextTick(uncorkAll);
  }
  ws.send(data);
}

/** Replay entries kept at most (the grace period trims them too). */
const MAX_REPLAY = 256;
/**
 * Replay entries after which the session asks the client to confirm what it has received: a
 * WebSocket ping carrying the seq, whose pong (browsers and `ws` answer pings by themselves,
 * echoing the payload) lets the entries up to it go. A busy session then holds a few dozen
 * entries instead of everything of the last 30 s. Fewer than that are confirmed by
 * `DeliveryConfirmer`, within its delay of the first of them.
 */
const CONFIRM_AFTER = 16;

/**
 * Confirms the messages sessions hold below `CONFIRM_AFTER`: a session that sent something
 * while no delivery ping was out is pinged within `delayMs` (one timer for the process: the
 * sessions that became due while it ran are pinged together when it fires). Without it a
 * session that gets a few messages per call kept them until its 16th, often seconds: long
 * enough for the garbage collector to move every SDP it had sent to the old generation, where
 * only a full collection frees it (docs/performance-log.md, figure 5). With it they go within a
 * round trip plus `delayMs`, before the young generation's next collection in most cases.
 */
export class DeliveryConfirmer {
  readonly #delayMs: number;
  readonly #due = new Set<Session>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  /** `s` holds unconfirmed messages and has no ping out: ping it within the delay. */
  later(s: Session): void {
    if (this.#delayMs <= 0) return;
    this.#due.add(s);
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(this.#fire, this.#delayMs);
    this.#timer.unref();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due.clear();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    for (const s of this.#due) if (s.confirming === 0 && s.seq > s.trimmedTo) s.ping();
    this.#due.clear();
  };
}

/** `ws.send` options of a shared fan-out frame: text (one object for every socket). */
const SHARED_TEXT = { binary: false };
/** Answers remembered per session for re-sent reqIds. */
const MAX_ANSWERS = 64;

export class Session {
  readonly id: string;
  readonly role: Role;
  readonly channelId: string;
  /** The agent's user id; null for visitors. */
  readonly userId: string | null;
  /** Visitor: the Origin the token was issued for. */
  readonly origin: string | null;
  ws: WebSocket | null;
  /** Last seq stamped. */
  seq = 0;
  /** [seq, sentAt, body] of recent messages, for resume. */
  replay: Array<[number, number, string]> | null = null;
  /**
   * Highest seq no longer held for replay: dropped (too many, too old) or confirmed delivered
   * by a pong. A resume from before it cannot be honoured.
   */
  trimmedTo = 0;
  /** The seq the last delivery ping carried while its pong is awaited, else 0. */
  confirming = 0;
  /** reqId → [seq, answer body] (null while the request runs). */
  answers: Map<string, [number, string] | null> | null = null;
  /** The visitor's current (or last) call; an agent's accepted call. */
  callId: string | null = null;
  /** False once this process saw `callId` end (saves a lookup on the next request). */
  callOpen = false;
  /** Epoch ms of the last frame or pong from the client. */
  lastSeen: number;
  /** Heartbeat: false after a ping went out unanswered. */
  alive = true;
  presence = false;
  /** Frames are handled one after another. */
  chain: Promise<void> | null = null;
  badFrames = 0;
  readonly confirmer: DeliveryConfirmer | null;
  tokens: number;
  tokensAt: number;
  /** When the socket went away (grace period running), else 0. */
  detachedAt = 0;
  closed = false;

  constructor(init: {
    id: string;
    role: Role;
    channelId: string;
    userId: string | null;
    origin: string | null;
    ws: WebSocket;
    now: number;
    burst: number;
    /** Confirms deliveries below CONFIRM_AFTER (none: only every 16th message asks). */
    confirmer?: DeliveryConfirmer;
  }) {
    this.id = init.id;
    this.role = init.role;
    this.channelId = init.channelId;
    this.userId = init.userId;
    this.origin = init.origin;
    this.ws = init.ws;
    this.lastSeen = init.now;
    this.tokens = init.burst;
    this.tokensAt = init.now;
    this.confirmer = init.confirmer ?? null;
  }

  /** Stamps and sends a message (kept for replay). */
  send(msg: OutgoingServerMessage): void {
    this.sendBody(JSON.stringify(msg));
  }

  /**
   * Sends a pre-serialised message body (`{"type":…}`); the seq is spliced in at send time so
   * that a message sent to several sessions is serialised once and every session's replay
   * buffer shares the same body. `replayable: false` (answers to requests: a re-sent reqId is
   * answered from `answers`) stamps a seq but keeps no copy. Returns the seq.
   */
  sendBody(body: string, replayable = true): number {
    const seq = ++this.seq;
    if (replayable) {
      const replay = (this.replay ??= []);
      replay.push([seq, Date.now(), body]);
      if (replay.length > MAX_REPLAY) this.#drop(replay.shift());
    }
    const ws = this.ws;
    if (ws && ws.readyState === 1) {
      sendFrame(ws, frame(seq, body));
      if (this.confirming === 0) {
        if ((this.replay?.length ?? 0) >= CONFIRM_AFTER) this.ping();
        else this.confirmer?.later(this);
      }
    }
    return seq;
  }

  /**
   * Pings the client with the current seq as payload; the pong that echoes it confirms every
   * message up to that seq (`delivered`). Written after the frames already queued to the socket.
   */
  ping(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return;
    this.confirming = this.seq;
    ws.ping(String(this.seq));
  }

  /**
   * Sends a complete unsequenced frame (`{"seq":0,…}`, UTF-8) that a fan-out built once for
   * all its sessions: a state snapshot that the next snapshot replaces, so it is neither
   * numbered nor kept for replay (a resumed session is sent a fresh one instead). Written at
   * once rather than joined to the turn's other frames to this client (`sendFrame`): a
   * fan-out writes one frame to each of thousands of clients, and holding every write to the
   * end of the turn would only add delay. The same buffer goes to every socket: no copy, no
   * per-session string or encoding, so the per-socket cost is the write itself.
   */
  sendShared(data: Buffer): void {
    const ws = this.ws;
    if (ws && ws.readyState === 1) ws.send(data, SHARED_TEXT);
  }

  /** Sends without a seq (welcome, pong, snapshots): not replayed. */
  sendUnsequenced(msg: OutgoingServerMessage): void {
    const ws = this.ws;
    if (ws && ws.readyState === 1) sendFrame(ws, frame(0, JSON.stringify(msg)));
  }

  /** Frames after `lastSeq`, or null when some of them are no longer held. */
  replayAfter(lastSeq: number): string[] | null {
    if (lastSeq > this.seq || lastSeq < this.trimmedTo) return null;
    return (this.replay ?? []).filter((e) => e[0] > lastSeq).map((e) => frame(e[0], e[2]));
  }

  /** Drops replay entries older than `maxAgeMs` (they can no longer be resumed from). */
  trimReplay(now: number, maxAgeMs: number): void {
    const r = this.replay;
    if (!r) return;
    while (r.length > 0 && (r[0]?.[1] ?? now) < now - maxAgeMs) this.#drop(r.shift());
    if (r.length === 0) this.replay = null;
  }

  #drop(entry: [number, number, string] | undefined): void {
    if (entry && entry[0] > this.trimmedTo) this.trimmedTo = entry[0];
  }

  /**
   * A pong arrived echoing `payload`: everything up to the seq a ping of ours carried was
   * delivered. A pong that does not carry one (a client may send pongs unasked) confirms
   * nothing.
   */
  delivered(payload: Buffer): void {
    const text = payload.toString('latin1');
    if (!/^\d{1,15}$/.test(text)) return;
    const upTo = Number(text);
    if (upTo > this.seq) return;
    if (upTo >= this.confirming) this.confirming = 0;
    if (upTo > this.trimmedTo) this.trimmedTo = upTo;
    // what was sent while the ping was out is confirmed next
    if (this.confirming === 0 && this.seq > upTo) this.confirmer?.later(this);
    const r = this.replay;
    if (r) {
      while (r.length > 0 && (r[0]?.[0] ?? Infinity) <= upTo) r.shift();
      if (r.length === 0) this.replay = null;
    }
    const a = this.answers;
    if (a) {
      for (const [reqId, answer] of a) if (answer && answer[0] <= upTo) a.delete(reqId);
      if (a.size === 0) this.answers = null;
    }
  }

  /** Marks a request as running (null) or answered ([seq, body]). */
  rememberAnswer(reqId: string, answer: [number, string] | null): void {
    const answers = (this.answers ??= new Map<string, [number, string] | null>());
    answers.delete(reqId);
    answers.set(reqId, answer);
    if (answers.size > MAX_ANSWERS) {
      const oldest = answers.keys().next().value;
      if (oldest !== undefined) answers.delete(oldest);
    }
  }

  /** Forgets a request (idempotent ones are not remembered). */
  forgetAnswer(reqId: string): void {
    this.answers?.delete(reqId);
    if (this.answers?.size === 0) this.answers = null;
  }
}

/**
 * One client session: survives its socket for a grace period so that a client reconnecting
 * with `resume` gets the messages it missed. Kept small (issue 6: idle memory per socket):
 * buffers and maps are created on first use.
 */
import type { OutgoingServerMessage } from '@flux/protocol';
import type { WebSocket } from 'ws';

export type Role = 'visitor' | 'agent';

/** Replay entries kept at most (the grace period trims them too). */
const MAX_REPLAY = 256;
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
  /** [seq, sentAt, frame] of recent messages, for resume. */
  replay: Array<[number, number, string]> | null = null;
  /** reqId → answer frame body (null while the request runs). */
  answers: Map<string, string | null> | null = null;
  /** The visitor's current (or last) call; an agent's accepted call. */
  callId: string | null = null;
  /** Epoch ms of the last frame or pong from the client. */
  lastSeen: number;
  /** Heartbeat: false after a ping went out unanswered. */
  alive = true;
  presence = false;
  /** Frames are handled one after another. */
  chain: Promise<void> | null = null;
  badFrames = 0;
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
  }

  /** Stamps and sends a message (kept for replay). */
  send(msg: OutgoingServerMessage): void {
    this.sendBody(JSON.stringify(msg));
  }

  /**
   * Sends a pre-serialised message body (`{"type":…}`); the seq is spliced in so that a
   * fan-out serialises once for all sessions.
   */
  sendBody(body: string): string {
    const seq = ++this.seq;
    const frame = `{"seq":${seq},${body.slice(1)}`;
    const now = Date.now();
    const replay = (this.replay ??= []);
    replay.push([seq, now, frame]);
    if (replay.length > MAX_REPLAY) replay.shift();
    const ws = this.ws;
    if (ws && ws.readyState === 1) ws.send(frame);
    return frame;
  }

  /** Sends without a seq (welcome, pong): not replayed. */
  sendUnsequenced(msg: OutgoingServerMessage): void {
    const ws = this.ws;
    if (ws && ws.readyState === 1) ws.send(`{"seq":0,${JSON.stringify(msg).slice(1)}`);
  }

  /** Frames after `lastSeq` still held, or null when some were already dropped. */
  replayAfter(lastSeq: number): string[] | null {
    if (lastSeq > this.seq) return null;
    const replay = this.replay ?? [];
    const first = replay[0];
    if (lastSeq < this.seq && (!first || first[0] > lastSeq + 1)) return null;
    return replay.filter((e) => e[0] > lastSeq).map((e) => e[2]);
  }

  /** Drops replay entries older than `maxAgeMs`. */
  trimReplay(now: number, maxAgeMs: number): void {
    const r = this.replay;
    if (!r) return;
    while (r.length > 0 && (r[0]?.[1] ?? now) < now - maxAgeMs) r.shift();
    if (r.length === 0) this.replay = null;
  }

  rememberAnswer(reqId: string, body: string | null): void {
    const answers = (this.answers ??= new Map<string, string | null>());
    answers.delete(reqId);
    answers.set(reqId, body);
    if (answers.size > MAX_ANSWERS) {
      const oldest = answers.keys().next().value;
      if (oldest !== undefined) answers.delete(oldest);
    }
  }
}

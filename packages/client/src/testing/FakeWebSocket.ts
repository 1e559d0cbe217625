/**
 * A scriptable WebSocket for Node tests of SignalingClient: the test plays the server.
 * @public
 */
import type { ServerMessage } from '@flux/protocol';
import type { WebSocketLike } from '../types.ts';

type Outgoing = ServerMessage extends infer M
  ? M extends ServerMessage
    ? Omit<M, 'seq'> & { seq?: number }
    : never
  : never;

export class FakeWebSocket implements WebSocketLike {
  /** Every socket created, in order. */
  static instances: FakeWebSocket[] = [];
  /** Opens sockets automatically (on the next microtask) unless false. */
  static autoOpen = true;

  static reset(): void {
    FakeWebSocket.instances = [];
    FakeWebSocket.autoOpen = true;
  }

  static get last(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1);
    if (!ws) throw new Error('no FakeWebSocket yet');
    return ws;
  }

  readonly url: string;
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  /** Frames the client sent, parsed. */
  readonly sent: Record<string, unknown>[] = [];
  #seq = 0;

  constructor(url: string) {
    this.url = url;
    FakeWebSocket.instances.push(this);
    if (FakeWebSocket.autoOpen) {
      queueMicrotask(() => {
        this.open();
      });
    }
  }

  open(): void {
    if (this.readyState !== 0) return;
    this.readyState = 1;
    this.onopen?.({});
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }

  /** Continues the seq numbering of a resumed session (the next message gets last + 1). */
  continueSeq(last: number): void {
    this.#seq = last;
  }

  /** The server sends a message (seq stamped unless given; welcome/pong get 0). */
  serverSend(msg: Outgoing): void {
    const seq =
      msg.seq ?? (msg.type === 'session.welcome' || msg.type === 'session.pong' ? 0 : ++this.#seq);
    this.onmessage?.({ data: JSON.stringify({ ...msg, seq }) });
  }

  /** The server closes the socket. */
  serverClose(code: number, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** The last frame the client sent of a type. */
  lastSent(type: string): Record<string, unknown> | undefined {
    return this.sent.filter((m) => m.type === type).at(-1);
  }

  /** Answers the client's request `reqId` with an ack. */
  ack(reqId: unknown, data?: unknown): void {
    this.serverSend({ type: 'ack', reqId: String(reqId), ...(data === undefined ? {} : { data }) });
  }
}

/**
 * A protocol-level WebSocket client for tests: collects every server message and lets a test
 * wait for one by type (and predicate), send requests and await their answers.
 */
import {
  PROTOCOL_VERSION,
  type AckData,
  type ClientMessage,
  type ServerMessage,
  type ServerMessageOf,
  type ServerMessageType,
  type SessionWelcome,
} from '@flux/protocol';
import WebSocket from 'ws';

type Waiter = {
  pred: (m: ServerMessage) => boolean;
  resolve: (m: ServerMessage) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
};

type RequestMsg = Extract<ClientMessage, { reqId: string }>;
type RequestInput = RequestMsg extends infer M
  ? M extends RequestMsg
    ? Omit<M, 'reqId'> & { reqId?: string }
    : never
  : never;

export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

let counter = 0;

export class WsTestClient {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Waiter[] = [];
  #opened: Promise<void>;

  /** `autoPong: false` leaves the server's pings unanswered: nothing is confirmed delivered. */
  constructor(url: string, opts: { origin?: string; cookie?: string; autoPong?: boolean } = {}) {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = opts.cookie;
    this.ws = new WebSocket(url, {
      headers,
      autoPong: opts.autoPong ?? true,
      ...(opts.origin === undefined ? {} : { origin: opts.origin }),
    });
    this.#opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        resolve();
      });
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of this.#waiters) {
          clearTimeout(w.timer);
          w.reject(new Error(`socket closed (${code} ${reason.toString()})`));
        }
        this.#waiters = [];
      });
    });
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Array.isArray(data)
          ? Buffer.concat(data).toString('utf8')
          : Buffer.from(data).toString('utf8');
      const m = JSON.parse(text) as ServerMessage;
      this.messages.push(m);
      for (const w of [...this.#waiters]) {
        if (w.pred(m)) {
          clearTimeout(w.timer);
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
  }

  open(): Promise<void> {
    return this.#opened;
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  async hello(
    role: 'visitor' | 'agent',
    extra: {
      token?: string;
      resume?: { sessionId: string; lastSeq: number };
      rejoin?: { callId: string; token?: string };
      protocolVersion?: number;
    } = {},
  ): Promise<SessionWelcome> {
    await this.open();
    this.send({ type: 'session.hello', protocolVersion: PROTOCOL_VERSION, role, ...extra });
    return this.next('session.welcome');
  }

  /** The next (or an already received, not yet consumed) message of the type. */
  next<T extends ServerMessageType>(
    type: T,
    pred: (m: ServerMessageOf<T>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<ServerMessageOf<T>> {
    const match = (m: ServerMessage): boolean => m.type === type && pred(m as ServerMessageOf<T>);
    return this.waitFor(match, type, timeoutMs) as Promise<ServerMessageOf<T>>;
  }
  #consumed = new WeakSet<ServerMessage>();

  /** Sends a request and resolves with the ack's data; rejects with RequestError. */
  async request<M extends RequestInput>(msg: M): Promise<AckData[M['type']]> {
    const reqId = msg.reqId ?? `t${++counter}`;
    const answer = this.waitFor(
      (m) => (m.type === 'ack' || m.type === 'error') && m.reqId === reqId,
      `answer to ${msg.type}`,
    );
    this.send({ ...msg, reqId });
    const m = await answer;
    if (m.type === 'error') throw new RequestError(m.code, m.message);
    return (m as ServerMessageOf<'ack'>).data as AckData[M['type']];
  }

  /** The first message (received or to come) matching `pred`. */
  waitFor(
    pred: (m: ServerMessage) => boolean,
    what = 'a message',
    timeoutMs = 5000,
  ): Promise<ServerMessage> {
    const seen = this.messages.find((m) => pred(m) && !this.#consumed.has(m));
    if (seen) {
      this.#consumed.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        pred,
        resolve: (m) => {
          this.#consumed.add(m);
          resolve(m);
        },
        reject,
        timer: setTimeout(() => {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs),
      };
      this.#waiters.push(w);
    });
  }

  close(): void {
    this.ws.close();
  }
}

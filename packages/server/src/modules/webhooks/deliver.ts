/**
 * One webhook POST. The host is resolved and checked first (net/addressGuard.ts: unless
 * private targets are allowed, every address must be public), and the connection goes to the
 * address that was checked: the request's `lookup` hands Node that address only, so a second
 * DNS answer cannot swap it. TLS still verifies the certificate against the host name.
 * Redirects are not followed; the response body is discarded.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  bareHost,
  resolveTarget,
  type Lookup,
  type ResolvedAddress,
} from '../../net/addressGuard.ts';

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  /** Whole attempt: resolving, connecting and the answer's status line. */
  timeoutMs: number;
  allowPrivate: boolean;
  lookup?: Lookup;
}

export class WebhookTimeoutError extends Error {
  constructor() {
    super('No answer in time');
    this.name = 'TimeoutError';
  }
}

/** A `lookup` for net.connect that always answers with the checked address. */
function pinned(target: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [target]);
    } else {
      callback(null, target.address, target.family);
    }
  };
}

/** POSTs `body` to `url`; resolves with the HTTP status, rejects on a refused or failed attempt. */
export async function postWebhook(url: string, o: PostOptions): Promise<number> {
  const u = new URL(url);
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new WebhookTimeoutError();
      ac.abort(err); // a request under way is destroyed; one not sent yet is never sent
      reject(err);
    }, o.timeoutMs);
  });
  const attempt = (async () => {
    const target = await resolveTarget(u.hostname, {
      allowPrivate: o.allowPrivate,
      ...(o.lookup ? { lookup: o.lookup } : {}),
    });
    ac.signal.throwIfAborted();
    return new Promise<number>((resolve, reject) => {
      const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        {
          protocol: u.protocol,
          hostname: bareHost(u.hostname),
          port: u.port || (u.protocol === 'https:' ? 443 : 80),
          path: `${u.pathname}${u.search}`,
          method: 'POST',
          headers: { ...o.headers, 'content-length': String(Buffer.byteLength(o.body)) },
          agent: false,
          lookup: pinned(target),
          signal: ac.signal,
        },
        (res: IncomingMessage) => {
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });
  })();
  attempt.catch(() => undefined); // the race below reports it
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

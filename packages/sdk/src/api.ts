/**
 * The public REST API as the loader uses it. GETs carry no custom header, so browsers send
 * them without a CORS preflight. A non-2xx answer throws with the server's
 * `{ error: { code, message } }` (the server only sends registered codes).
 */
import { API_PREFIX } from '@flux/protocol';
import type { ErrorCode, PublicAgentsResponse } from '@flux/protocol';
import { lazyError } from './diag.ts';
import { sdkError } from './errors.ts';

export interface ApiTarget {
  base: string;
  channelId: string;
  apiKey: string;
}

export async function fetchAgents(t: ApiTarget): Promise<PublicAgentsResponse> {
  const url = `${t.base}${API_PREFIX}/public/channels/${encodeURIComponent(t.channelId)}/agents?apiKey=${encodeURIComponent(t.apiKey)}`;
  // A request that gets no answer in 20 s is given up (FLX_ERR_SDK_NETWORK): after a network
  // change a pooled connection can be dead without closing, and a browser sets no limit of its
  // own. Aborting also closes that connection, so the next try opens a new one.
  // (AbortSignal.timeout is missing before Chrome 103: there a request has no limit.)
  const res = await fetch(url, {
    signal: (AbortSignal as Partial<typeof AbortSignal>).timeout?.(20_000),
  }).catch(async (e: unknown) => {
    throw await lazyError('FLX_ERR_SDK_NETWORK', t.base, e);
  });
  // A body that is not the answer (a proxy's or a captive portal's page, a body cut off by the
  // time limit) is an unavailable server, whatever its status.
  const body = (await res.json().catch(() => ({}))) as Partial<PublicAgentsResponse> & {
    error?: { code: ErrorCode; message: string };
  };
  // The server's error (its code and message) over the fallback.
  if (!body.agents)
    throw Object.assign(sdkError('FLX_ERR_UNAVAILABLE', `HTTP ${res.status}`), body.error);
  return body as PublicAgentsResponse;
}

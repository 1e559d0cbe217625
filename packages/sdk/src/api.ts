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
  const res = await fetch(url).catch(async (e: unknown) => {
    throw await lazyError('FLX_ERR_SDK_NETWORK', t.base, e);
  });
  const body = (await res.json().catch(() => ({}))) as PublicAgentsResponse & {
    error?: { code: ErrorCode; message: string };
  };
  if (!res.ok)
    throw sdkError(
      body.error?.code ?? 'FLX_ERR_UNAVAILABLE',
      body.error?.message ?? `HTTP ${res.status}`,
    );
  return body;
}

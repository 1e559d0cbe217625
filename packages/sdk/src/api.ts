/**
 * The public REST API as the loader uses it. GETs carry no custom header, so browsers send
 * them without a CORS preflight. Failures become FluxPlayerErrors with the server's code.
 */
import { API_PREFIX } from '@flux/protocol';
import type { ErrorCode, PublicAgentsResponse } from '@flux/protocol';
import { sdkError } from './errors.ts';

export interface ApiTarget {
  base: string;
  channelId: string;
  apiKey: string;
}

export const publicUrl = (t: ApiTarget, path: string): string =>
  `${t.base}${API_PREFIX}/public/channels/${encodeURIComponent(t.channelId)}/${path}${path.includes('?') ? '&' : '?'}apiKey=${encodeURIComponent(t.apiKey)}`;

/** Fetches JSON; a non-2xx answer throws with the server's `{ error: { code, message } }`. */
export async function requestJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init).catch((e: unknown) => {
    throw sdkError(
      'FLX_ERR_SDK_NETWORK',
      `The FluxPlayer server cannot be reached (${url.split('?')[0]})`,
      e,
    );
  });
  const body = (await res.json().catch(() => ({}))) as T & {
    error?: { code: ErrorCode; message: string };
  };
  if (!res.ok) {
    // The server only sends registered codes; the loader does not carry the registry (size).
    throw sdkError(
      body.error?.code ?? 'FLX_ERR_UNAVAILABLE',
      body.error?.message ?? `HTTP ${res.status}`,
    );
  }
  return body;
}

export const fetchAgents = (t: ApiTarget): Promise<PublicAgentsResponse> =>
  requestJson(publicUrl(t, 'agents'));

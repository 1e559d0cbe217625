/** Typed calls of every REST route the console uses. Shapes come from @flux/protocol. */
import type {
  AdminCallsQuery,
  AllowedOrigin,
  ApiKey,
  Call,
  CallbackRequest,
  ChangePasswordBody,
  CreateAgentBody,
  CreatedApiKey,
  MeResponse,
  PageOf,
  Product,
  ProductImportResponse,
  ProductInput,
  ProductPatch,
  SignInBody,
  UpdateAgentBody,
  UpdateMeBody,
  UpdateSettingsBody,
  User,
  ChannelSettings,
  PublicAgentsResponse,
  CreatedWebhook,
  Webhook,
  WebhookDelivery,
} from '@flux/protocol';
import { http, request } from './http.ts';

export interface PageParams {
  limit?: number;
  cursor?: string | undefined;
}

export const api = {
  signIn: (body: SignInBody) => http.post<MeResponse>('/auth/sign-in', body),
  signOut: () => http.post<{ ok: true }>('/auth/sign-out'),
  me: () => http.get<MeResponse>('/me'),
  updateMe: (body: UpdateMeBody) => http.patch<MeResponse | { user: User }>('/me', body),
  uploadPhoto: (blob: Blob) =>
    request<MeResponse | { user: User }>('POST', '/me/photo', { raw: blob }),
  changePassword: (body: ChangePasswordBody) => http.put<{ ok: true }>('/me/password', body),

  myCalls: (p: PageParams) => http.get<PageOf<Call>>('/me/calls', { ...p }),
  saveNotes: (callId: string, notes: string) =>
    http.put<{ call: Call } | Call>(`/calls/${encodeURIComponent(callId)}/notes`, { notes }),

  callbacks: (p: PageParams & { status?: CallbackRequest['status'] | undefined }) =>
    http.get<PageOf<CallbackRequest>>('/callbacks', { ...p }),
  updateCallback: (id: string, status: CallbackRequest['status']) =>
    http.patch<{ callback: CallbackRequest } | CallbackRequest>(
      `/callbacks/${encodeURIComponent(id)}`,
      { status },
    ),

  products: (p: PageParams & { q?: string | undefined }, signal?: AbortSignal) =>
    http.get<PageOf<Product>>('/products', { ...p }, signal),

  admin: {
    agents: (p: PageParams) => http.get<PageOf<User>>('/admin/agents', { ...p }),
    createAgent: (body: CreateAgentBody) => http.post<{ user: User }>('/admin/agents', body),
    updateAgent: (id: string, body: UpdateAgentBody) =>
      http.patch<{ user: User }>(`/admin/agents/${encodeURIComponent(id)}`, body),
    resetPassword: (id: string, password: string) =>
      http.post<{ ok: true }>(`/admin/agents/${encodeURIComponent(id)}/password`, { password }),

    createProduct: (body: ProductInput) =>
      http.post<{ product: Product } | Product>('/admin/products', body),
    updateProduct: (id: string, body: ProductPatch) =>
      http.patch<{ product: Product } | Product>(`/admin/products/${encodeURIComponent(id)}`, body),
    deleteProduct: (id: string) =>
      http.del<{ ok: true }>(`/admin/products/${encodeURIComponent(id)}`),
    importProducts: (csv: string) =>
      http.post<ProductImportResponse>('/admin/products/import', { csv }),

    apiKeys: () => http.get<{ items: ApiKey[] }>('/admin/api-keys'),
    createApiKey: (label: string) => http.post<CreatedApiKey>('/admin/api-keys', { label }),
    revokeApiKey: (id: string) =>
      http.del<{ apiKey: ApiKey } | { ok: true }>(`/admin/api-keys/${encodeURIComponent(id)}`),

    origins: () => http.get<{ items: AllowedOrigin[] }>('/admin/origins'),
    addOrigin: (origin: string) =>
      http.post<{ origin: AllowedOrigin }>('/admin/origins', { origin }),
    removeOrigin: (id: string) =>
      http.del<{ ok: true }>(`/admin/origins/${encodeURIComponent(id)}`),

    settings: () => http.get<{ name: string; settings: ChannelSettings }>('/admin/settings'),
    updateSettings: (body: UpdateSettingsBody) =>
      http.patch<{ name: string; settings: ChannelSettings }>('/admin/settings', body),

    calls: (p: Omit<AdminCallsQuery, 'cursor'> & PageParams) =>
      http.get<PageOf<Call>>('/admin/calls', { ...p }),

    webhooks: () => http.get<{ items: Webhook[] }>('/admin/webhooks'),
    createWebhook: (url: string) => http.post<CreatedWebhook>('/admin/webhooks', { url }),
    deleteWebhook: (id: string) =>
      http.del<{ ok: true }>(`/admin/webhooks/${encodeURIComponent(id)}`),
    webhookDeliveries: (id: string, p: PageParams) =>
      http.get<PageOf<WebhookDelivery>>(`/admin/webhooks/${encodeURIComponent(id)}/deliveries`, {
        ...p,
      }),
  },

  publicAgents: (channelSlug: string, apiKey: string) =>
    http.get<PublicAgentsResponse>(`/public/channels/${encodeURIComponent(channelSlug)}/agents`, {
      apiKey,
    }),
};

/** Responses that may wrap the object (`{ product }`) or return it bare: take the object either way. */
export function unwrap<T extends object>(res: T | Record<string, T>, key: string): T {
  const inner = (res as Record<string, unknown>)[key];
  return (inner && typeof inner === 'object' ? inner : res) as T;
}

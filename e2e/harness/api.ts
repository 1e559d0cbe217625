/**
 * A REST client for tests: signs in as a console user and keeps the session cookie.
 *
 *   const mia = await ApiClient.signIn(server.url, DEMO.agents.mia);
 *   await mia.patch('/me', { status: 'online' });
 */
import { DEMO } from './server.ts';

export class ApiClient {
  private constructor(
    readonly base: string,
    private readonly cookie: string,
  ) {}

  static async signIn(
    base: string,
    email: string,
    password: string = DEMO.password,
  ): Promise<ApiClient> {
    const res = await fetch(`${base}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-flux-console': '1' },
      body: JSON.stringify({ channel: DEMO.channelId, email, password }),
    });
    if (!res.ok) throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`);
    const setCookie = res.headers.get('set-cookie') ?? '';
    const cookie = setCookie.split(';')[0] ?? '';
    return new ApiClient(base, cookie);
  }

  /** The session cookie as `name=value`, e.g. for a WebSocket from Node. */
  get sessionCookie(): string {
    return this.cookie;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/api/v1${path}`, {
      method,
      headers: {
        cookie: this.cookie,
        'x-flux-console': '1',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  put<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }
}

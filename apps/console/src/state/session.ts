/**
 * Who is signed in: the user and their channel, from sign-in or GET /me. The channel's slug
 * is remembered (localStorage) so the sign-in form comes pre-filled.
 */
import { computed, signal } from '@preact/signals';
import type { AgentStatus, Channel, MeResponse, UpdateMeBody, User } from '@flux/protocol';
import { api } from '../api/api.ts';
import { setUnauthenticatedHandler } from '../api/http.ts';

export const me = signal<User | null>(null);
export const channel = signal<Channel | null>(null);
/** 'checking' until the first GET /me answered. */
export const authState = signal<'checking' | 'signed-out' | 'signed-in'>('checking');
export const isAdmin = computed(() => me.value?.role === 'admin');

const CHANNEL_KEY = 'flux.console.channel';
export function rememberedChannel(): string {
  try {
    return localStorage.getItem(CHANNEL_KEY) ?? '';
  } catch {
    return '';
  }
}

function apply(res: MeResponse): void {
  me.value = res.user;
  channel.value = res.channel;
  authState.value = 'signed-in';
}

/** Responses of PATCH /me and friends may carry `{ user }` or `{ user, channel }`. */
export function applyUser(res: { user: User } | MeResponse): void {
  me.value = res.user;
  if ('channel' in res) channel.value = res.channel;
}

export async function loadSession(): Promise<void> {
  try {
    apply(await api.me());
  } catch {
    me.value = null;
    authState.value = 'signed-out';
  }
}

export async function signIn(channelSlug: string, email: string, password: string): Promise<void> {
  const res = await api.signIn({ channel: channelSlug.trim(), email: email.trim(), password });
  try {
    localStorage.setItem(CHANNEL_KEY, channelSlug.trim());
  } catch {
    /* private mode */
  }
  apply(res);
}

export function signedOut(): void {
  me.value = null;
  channel.value = null;
  authState.value = 'signed-out';
}

export async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } finally {
    signedOut();
  }
}

export async function updateMe(patch: UpdateMeBody): Promise<User> {
  const res = await api.updateMe(patch);
  applyUser(res);
  return res.user;
}

export async function setStatus(status: AgentStatus): Promise<void> {
  await updateMe({ status });
}

setUnauthenticatedHandler(() => {
  if (authState.value === 'signed-in') signedOut();
});

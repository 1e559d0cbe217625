/**
 * Domain events of the app (`ctx.events`): a call ended, a visitor asked to be called back.
 * They are emitted by `withEvents(storage)`, a thin wrapper over the storage port that emits
 * after the write that makes them true, so every path (the WebSocket handlers, the REST
 * callback route, the sweep of calls lost with a dead process) emits exactly once, in the
 * process that made the write.
 */
import { EventEmitter } from 'node:events';
import type { Call, CallbackRequest } from '@flux/protocol';
import type { Storage } from '../../storage/Storage.ts';

export interface AppEventMap {
  'call.ended': [call: Call];
  'callback.requested': [callback: CallbackRequest];
  /** A webhook was added to the channel (the dispatcher's "no webhooks here" cache is stale). */
  'webhook.created': [channelId: string];
  /** The channel's name or settings changed (the call path's cached copy is stale). */
  'channel.updated': [channelId: string];
}

export class AppEvents extends EventEmitter<AppEventMap> {}

/**
 * The storage, with `transitionCall(…, 'ended')`, `createCallback`, `createWebhook` and
 * `updateChannel` emitting into `events`.
 */
export function withEvents(storage: Storage, events: AppEvents): Storage {
  const transitionCall: Storage['transitionCall'] = async (callId, to, at, end) => {
    const call = await storage.transitionCall(callId, to, at, end);
    if (call && to === 'ended') events.emit('call.ended', call);
    return call;
  };
  const createCallback: Storage['createCallback'] = async (input) => {
    const cb = await storage.createCallback(input);
    events.emit('callback.requested', cb);
    return cb;
  };
  const createWebhook: Storage['createWebhook'] = async (channelId, url, secret, at) => {
    const webhook = await storage.createWebhook(channelId, url, secret, at);
    events.emit('webhook.created', channelId);
    return webhook;
  };
  const updateChannel: Storage['updateChannel'] = async (channelId, patch) => {
    const channel = await storage.updateChannel(channelId, patch);
    events.emit('channel.updated', channelId);
    return channel;
  };
  return new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === 'transitionCall') return transitionCall;
      if (prop === 'updateChannel') return updateChannel;
      if (prop === 'createCallback') return createCallback;
      if (prop === 'createWebhook') return createWebhook;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

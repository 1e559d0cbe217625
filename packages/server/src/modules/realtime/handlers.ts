/**
 * The exhaustive handler map of client messages: a new message type in @flux/protocol is a
 * compile error here until it is handled. Each entry says which role may send it; the
 * gateway answers with an `ack` carrying the returned data (typed by AckData) or an `error`.
 */
import {
  FluxError,
  type AckData,
  type ClientMessageOf,
  type ClientMessageType,
} from '@flux/protocol';
import type { PresenceService } from '../presence/PresenceService.ts';
import type { CallService } from '../signaling/CallService.ts';
import type { Hub } from './Hub.ts';
import type { Role, Session } from './Session.ts';

export interface HandlerContext {
  hub: Hub;
  presence: PresenceService;
  calls: CallService;
}

type Result<K extends ClientMessageType> = K extends keyof AckData ? AckData[K] : undefined;

export interface Handler<K extends ClientMessageType> {
  role: Role | 'any';
  run(session: Session, msg: ClientMessageOf<K>, ctx: HandlerContext): Promise<Result<K>>;
}

export type HandlerMap = { [K in ClientMessageType]: Handler<K> };

export const handlers: HandlerMap = {
  'session.hello': {
    role: 'any',
    run: () => Promise.reject(new FluxError('FLX_ERR_BAD_REQUEST', 'The session already started.')),
  },
  'session.ping': {
    role: 'any',
    run: (session, msg) => {
      session.sendUnsequenced(
        msg.t === undefined ? { type: 'session.pong' } : { type: 'session.pong', t: msg.t },
      );
      return Promise.resolve(undefined);
    },
  },
  'presence.subscribe': {
    role: 'visitor',
    run: async (session, _msg, { hub, presence }) => {
      await hub.addSubscriber(session);
      // the roster cache's serialized copy stays on the server
      const { agents, open } = await presence.roster(session.channelId);
      return { agents, open };
    },
  },
  'presence.unsubscribe': {
    role: 'visitor',
    run: (session, _msg, { hub }) => {
      hub.removeSubscriber(session);
      return Promise.resolve(undefined);
    },
  },
  'call.request': { role: 'visitor', run: (s, m, { calls }) => calls.request(s, m) },
  'call.accept': { role: 'agent', run: (s, m, { calls }) => calls.accept(s, m) },
  'call.decline': { role: 'agent', run: (s, m, { calls }) => calls.decline(s, m) },
  'call.hangup': { role: 'any', run: (s, m, { calls }) => calls.hangup(s, m) },
  'call.signal': { role: 'any', run: (s, m, { calls }) => calls.signal(s, m) },
  'call.media_state': { role: 'any', run: (s, m, { calls }) => calls.mediaState(s, m) },
  'call.quality': { role: 'any', run: (s, m, { calls }) => calls.quality(s, m) },
  'call.product_add': { role: 'agent', run: (s, m, { calls }) => calls.productAdd(s, m) },
  'call.product_remove': { role: 'agent', run: (s, m, { calls }) => calls.productRemove(s, m) },
  'call.product_event': { role: 'visitor', run: (s, m, { calls }) => calls.productEvent(s, m) },
  'call.chat': { role: 'any', run: (s, m, { calls }) => calls.chat(s, m) },
  'call.rate': { role: 'visitor', run: (s, m, { calls }) => calls.rate(s, m) },
  'callback.request': { role: 'visitor', run: (s, m, { calls }) => calls.callback(s, m) },
};

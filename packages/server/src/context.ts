/**
 * The application context every module reaches through `app.ctx` (decorated by buildApp),
 * and the request decorations the auth hooks fill in. Typed via declaration merging.
 */
import type { OutgoingServerMessage, User } from '@flux/protocol';
import type { Config } from './config.ts';
import type { Presence } from './modules/presence/Presence.ts';
import type { Storage, StoredChannel } from './storage/Storage.ts';
import type { AppEvents } from './modules/webhooks/events.ts';

export interface AppContext {
  config: Config;
  storage: Storage;
  presence: Presence;
  secrets: {
    /** HMAC secret of visitor tokens (see auth/visitorToken.ts). */
    visitorToken: string;
  };
  passwords: {
    hash: (password: string) => Promise<string>;
    verify: (password: string, stored: string) => Promise<boolean>;
    /** A hash of a random password: sign-in checks against it when the email is unknown. */
    dummyHash: string;
  };
  /** The clock; tests may replace it. */
  now: () => Date;
  /** Domain events (call.ended, callback.requested); the webhooks module listens. */
  events: AppEvents;
  /** Sends a message to every console of the channel, on every process (the realtime hub). */
  pushToAgents: (channelId: string, message: OutgoingServerMessage) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyRequest {
    /** The signed-in console user (set by the session hook), else null. */
    user: User | null;
    /** The channel of the signed-in user, or of a public request once its key was checked. */
    channel: StoredChannel | null;
    /** The Origin a public request was checked against (used for CORS). */
    checkedOrigin: string | null;
  }
  interface FastifyContextConfig {
    /** Raw-image upload route: content-type and size errors map to FLX_ERR_UPLOAD_*. */
    upload?: boolean;
    /** Public (SDK) route: answers CORS for the request's Origin. */
    publicApi?: boolean;
  }
}

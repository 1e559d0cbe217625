/**
 * buildApp(config) → a Fastify instance with every route, never listening (tests use
 * `inject()`; main.ts listens). Wires storage (migrated), the realtime module (WebSocket
 * signaling and presence), error handling, OpenAPI at /docs and static files.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { randomBytes } from 'node:crypto';
import { API_PREFIX, FluxError, PHOTO_TYPES, PROTOCOL_VERSION } from '@flux/protocol';
import type { Config } from './config.ts';
import type { AppContext } from './context.ts';
import { createStorage } from './storage/createStorage.ts';
import type { Storage } from './storage/Storage.ts';
import { createRealtime, type RealtimeOptions } from './modules/realtime/index.ts';
import { installInputGuard } from './http/inputGuard.ts';
import { validatorCompiler } from './http/validator.ts';
import { frameworkError, installErrorHandlers } from './http/errors.ts';
import { DEFAULT_SCRYPT_N, hashPassword, verifyPassword } from './auth/password.ts';
import { VISITOR_TOKEN_SECRET_NAME } from './auth/visitorToken.ts';
import { healthRoutes } from './modules/health/routes.ts';
import { publicRoutes } from './modules/public/routes.ts';
import { accountRoutes } from './modules/account/routes.ts';
import { consoleRoutes } from './modules/console/routes.ts';
import { adminRoutes } from './modules/admin/routes.ts';
import { analyticsRoutes } from './modules/analytics/routes.ts';
import { registerStatic, staticRoots } from './modules/static/routes.ts';
import { seedDemo } from './demo/seed.ts';
import { AppEvents, withEvents } from './modules/webhooks/events.ts';
import { WebhookDispatcher, type WebhookOptions } from './modules/webhooks/WebhookDispatcher.ts';
import { webhookRoutes } from './modules/webhooks/routes.ts';

export { type AppContext } from './context.ts';

/** Default request body limit; the CSV import and photo upload set their own. */
export const BODY_LIMIT = 1024 * 1024;

export interface AppOverrides {
  /** Use this storage (already created) instead of one from DATABASE_URL; not closed by the app. */
  storage?: Storage;
  /** scrypt N for new password hashes (tests use a low cost; production keeps the default). */
  scryptN?: number;
  /** Fastify logger option (default: pino at config.logLevel). */
  logger?: FastifyServerOptions['logger'];
  /** The clock. */
  now?: () => Date;
  /** Timings and limits of the realtime module (tests shorten them). */
  realtime?: Partial<RealtimeOptions>;
  /** Retry timings of webhook deliveries (tests shorten them). */
  webhooks?: Partial<WebhookOptions>;
}

export async function buildApp(
  config: Config,
  overrides: AppOverrides = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: overrides.logger ?? { level: config.logLevel },
    trustProxy: config.trustProxy,
    bodyLimit: BODY_LIMIT,
    // Unknown fields must be refused, never silently dropped (TypeBox compiles the schemas;
    // this keeps ajv, if anything falls back to it, from removing them either).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: frameworkError,
  }).setValidatorCompiler(validatorCompiler);

  const ownStorage = overrides.storage === undefined;
  const storage =
    overrides.storage ?? createStorage(config.databaseUrl, { poolSize: config.databasePoolSize });
  try {
    await storage.migrate();
  } catch (err) {
    if (ownStorage) await storage.close().catch(() => undefined);
    throw err;
  }
  app.log.info({ storage: storage.kind }, 'storage ready');

  const scryptN = overrides.scryptN ?? DEFAULT_SCRYPT_N;
  const ctxPasswords: AppContext['passwords'] = {
    hash: (password) => hashPassword(password, scryptN),
    verify: verifyPassword,
    dummyHash: await hashPassword(randomBytes(16).toString('base64url'), scryptN),
  };

  if (config.demo) {
    const seeded = await seedDemo(storage, ctxPasswords.hash, { publicUrl: config.publicUrl });
    app.log.info({ channelId: seeded.channelId, created: seeded.created }, 'demo channel ready');
  }

  // The app's storage emits call.ended / callback.requested after the writes (webhooks).
  const events = new AppEvents();
  const appStorage = withEvents(storage, events);
  const realtime = await createRealtime({
    config,
    storage: appStorage,
    log: app.log,
    ...(overrides.realtime === undefined ? {} : { options: overrides.realtime }),
    ...(overrides.now === undefined ? {} : { now: overrides.now }),
  });
  const ctx: AppContext = {
    config,
    storage: appStorage,
    presence: realtime.presence,
    secrets: { visitorToken: await storage.getOrCreateSecret(VISITOR_TOKEN_SECRET_NAME) },
    passwords: ctxPasswords,
    now: overrides.now ?? (() => new Date()),
    events,
    pushToAgents: (channelId, message) => {
      realtime.hub.toChannelAgents(channelId, message);
    },
  };
  const webhooks = new WebhookDispatcher(appStorage, app.log, ctx.now, {
    allowPrivate: config.webhookAllowPrivate,
    ...overrides.webhooks,
  });
  webhooks.start(events);
  // a webhook added in one process: the others that follow the channel look again at once
  events.on('webhook.created', (channelId) => {
    realtime.hub.publishChannel(channelId, { k: 'webhooks' });
  });
  realtime.hub.onChannelMessage((m) => {
    if (m.k === 'webhooks' && typeof m.channelId === 'string') webhooks.forget(m.channelId);
  });
  // channel settings changed (ring timeout, misses before offline, opening hours): the next
  // call reads them afresh, in this process at once and in the others that follow the channel
  events.on('channel.updated', (channelId) => {
    realtime.calls.forgetChannel(channelId);
    realtime.hub.publishChannel(channelId, { k: 'channel' });
  });
  app.decorate('ctx', ctx);
  app.decorateRequest('user', null);
  app.decorateRequest('channel', null);
  app.decorateRequest('checkedOrigin', null);

  // The HTTP server closes only once the sockets it upgraded are gone: they are closed first
  // (without this, a close with a console or a widget connected waited for them forever).
  app.addHook('preClose', async () => {
    await realtime.closeSockets();
  });
  app.addHook('onClose', async () => {
    await webhooks.close();
    await realtime.close();
    if (ownStorage) await storage.close();
  });

  installErrorHandlers(app);
  installInputGuard(app);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    // API answers are per user or carry tokens: never cached unless a route says otherwise
    if (request.url.startsWith(API_PREFIX) && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
    return payload;
  });

  // JSON only (and raw images for the photo upload): no text/plain bodies.
  app.removeContentTypeParser('text/plain');
  // Raw image bodies for the photo upload (the route checks magic bytes and size).
  app.addContentTypeParser([...PHOTO_TYPES], { parseAs: 'buffer' }, (_req, body, done) => {
    done(null, body);
  });

  await app.register(fastifyCookie);
  // With REDIS_URL the limits are shared by every process; a Redis outage lets requests through.
  const rateLimitRedis =
    config.redisUrl === null
      ? null
      : new Redis(config.redisUrl, {
          connectionName: 'flux-rate-limit',
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          lazyConnect: false,
        });
  rateLimitRedis?.on('error', (err: unknown) => {
    app.log.debug({ err }, 'rate-limit redis error');
  });
  if (rateLimitRedis) {
    // Without the offline queue, a request that arrives while the connection is still being
    // made is let through uncounted; so the app is ready only once the first connection
    // attempt has settled (connected, or failed: then requests pass until Redis is back).
    const redis = rateLimitRedis;
    app.addHook('onReady', async () => {
      if (!(await firstConnection(redis))) {
        app.log.warn('rate-limit redis unreachable at start; limits apply once it is back');
      }
    });
  }
  app.addHook('onClose', async () => {
    // quit() fails while not connected; disconnect() then stops the reconnect attempts.
    if (rateLimitRedis) await rateLimitRedis.quit().catch(() => rateLimitRedis.disconnect());
  });
  await app.register(fastifyRateLimit, {
    global: false,
    ...(rateLimitRedis === null
      ? {}
      : { redis: rateLimitRedis, nameSpace: 'flux-rate-limit:', skipOnError: true }),
    errorResponseBuilder: (_req, ctxRl) =>
      new FluxError('FLX_ERR_RATE_LIMITED', `Too many requests; retry in ${ctxRl.after}.`),
  });
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'FluxPlayer Calls API',
        version: String(PROTOCOL_VERSION),
        description:
          'REST API of FluxPlayer Calls. Errors are `{ error: { code, message, details? } }`; see docs/api.md.',
      },
      servers: [{ url: config.publicUrl }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes);
  await app.register(
    async (api) => {
      await api.register(publicRoutes, {
        prefix: '/public',
        rateLimitPerMinute: config.publicRateLimit,
      });
      await api.register(accountRoutes, { signInRateLimitPerMinute: config.signInRateLimit });
      await api.register(consoleRoutes);
      await api.register(adminRoutes, { prefix: '/admin' });
      await api.register(analyticsRoutes, { prefix: '/admin' });
      await api.register(webhookRoutes, { prefix: '/admin' });
    },
    { prefix: API_PREFIX },
  );
  await registerStatic(app, staticRoots(config.staticRoot, config.demo));

  realtime.attach(app);
  return app;
}

/** Resolves once the client's first connection attempt settled: true when it is ready. */
function firstConnection(redis: Redis): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  if (redis.status === 'end') return Promise.resolve(false);
  return new Promise((resolve) => {
    const settle = (ready: boolean) => () => {
      redis.off('ready', onReady).off('error', onFail).off('end', onFail);
      resolve(ready);
    };
    const onReady = settle(true);
    const onFail = settle(false);
    redis.once('ready', onReady).once('error', onFail).once('end', onFail);
  });
}

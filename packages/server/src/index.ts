/**
 * @flux/server: the FluxPlayer Calls service as a library (main.ts is the process).
 * @public
 */
export { buildApp, BODY_LIMIT } from './app.ts';
export type { AppOverrides, AppContext } from './app.ts';
export { loadConfig, ConfigError } from './config.ts';
export type { Config } from './config.ts';
export { createStorage } from './storage/createStorage.ts';
export type { Storage, StoredChannel, Photo } from './storage/Storage.ts';
export {
  signVisitorToken,
  verifyVisitorToken,
  VISITOR_TOKEN_SECRET_NAME,
  VISITOR_TOKEN_TTL_MS,
} from './auth/visitorToken.ts';
export type { VisitorTokenClaims } from './auth/visitorToken.ts';
export {
  seedDemo,
  DEMO_API_KEY,
  DEMO_CHANNEL_SLUG,
  DEMO_PASSWORD,
  DEMO_USERS,
} from './demo/seed.ts';

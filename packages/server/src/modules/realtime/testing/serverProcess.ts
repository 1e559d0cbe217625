/**
 * A server in its own process for multi-process tests (run with `node --import tsx`):
 * DATABASE_URL, REDIS_URL and FLUX_WS_OPTIONS (JSON realtime options) from the environment.
 * Prints `{"port":N}` once listening.
 */
import { buildApp } from '../../../app.ts';
import { loadConfig } from '../../../config.ts';

const config = loadConfig({ ...process.env, PORT: '0', LOG_LEVEL: 'silent' });
const app = await buildApp(config, { logger: false, scryptN: 1024 });
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
process.stdout.write(
  `${JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 })}\n`,
);

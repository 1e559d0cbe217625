/**
 * The server process: environment → config (a bad variable stops it with a message naming
 * it) → buildApp → listen. Graceful shutdown on SIGTERM/SIGINT: stop accepting, close the
 * realtime module and storage (via the app's onClose hooks), then exit.
 */
import { loadConfig, ConfigError, type Config } from './config.ts';
import { buildApp } from './app.ts';
import { DEMO_API_KEY, DEMO_CHANNEL_SLUG, DEMO_PASSWORD, DEMO_USERS } from './demo/seed.ts';
import { SDK_PATH } from '@flux/protocol';

function banner(config: Config): string {
  const u = config.publicUrl;
  const lines = [
    '',
    'FluxPlayer Calls is running',
    `  API docs:    ${u}/docs`,
    `  Console:     ${u}/console/`,
    `  SDK:         ${u}${SDK_PATH}/flux-player.js`,
    `  Health:      ${u}/healthz`,
  ];
  if (config.demo) {
    lines.push(
      `  Demo shop:   ${u}/   (the spec's example: ${u}/product/123)`,
      '',
      `Demo channel "${DEMO_CHANNEL_SLUG}", publishable key ${DEMO_API_KEY} (demo only)`,
      `Demo sign-ins (console, channel ${DEMO_CHANNEL_SLUG}, password ${DEMO_PASSWORD}):`,
      ...DEMO_USERS.map(
        (d) =>
          `  ${d.email.padEnd(26)} ${d.role.padEnd(6)} ${d.name}${d.tags.length ? ` [${d.tags.join(', ')}]` : ''}`,
      ),
      'To take calls: open the console, sign in as an agent and set your status to online.',
    );
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const app = await buildApp(config);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(banner(config));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `FluxPlayer Calls failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});

/**
 * Operator commands.
 *
 *   flux-server create-admin --channel <slug> --name <channel name> --email <e> --password <p>
 *
 * Creates the channel if it is missing, plus its first admin, and prints a new publishable
 * API key once (it is stored hashed and cannot be shown again). Uses DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { createStorage } from './storage/createStorage.ts';
import { hashPassword } from './auth/password.ts';

const USAGE =
  'Usage: flux-server-cli create-admin --channel <slug> --name <channel name> --email <email> --password <password>\n';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exit(1);
}

export async function createAdmin(argv: string[], out: (line: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      channel: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
    },
    strict: true,
  });
  const { channel: slug, name, email, password } = values;
  if (slug === undefined || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(slug)) {
    fail('--channel must be a slug of lower-case letters, digits and dashes');
  }
  if (email === undefined || !/^[^@\s]+@[^@\s]+$/.test(email))
    fail('--email must be an email address');
  if (password === undefined || password.length < 10)
    fail('--password must have at least 10 characters');

  const config = loadConfig(process.env);
  const storage = createStorage(config.databaseUrl);
  try {
    await storage.migrate();
    let channel = await storage.getChannelBySlug(slug);
    if (!channel) {
      if (name === undefined || name.trim() === '')
        fail('--name is required to create a new channel');
      channel = await storage.createChannel({ slug, name: name.trim() });
      out(`Created channel ${slug} (${channel.name}).`);
    }
    if (await storage.getUserAuth(channel.id, email)) {
      fail(`A user ${email} already exists in channel ${slug}.`);
    }
    await storage.createUser({
      channelId: channel.id,
      email,
      name: email.split('@')[0] ?? email,
      role: 'admin',
      passwordHash: await hashPassword(password),
    });
    out(`Created admin ${email} in channel ${slug}.`);
    const { key } = await storage.createApiKey(channel.id, 'Created by create-admin');
    out(`Publishable API key (shown once, store it now): ${key}`);
  } finally {
    await storage.close();
  }
}

async function run(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'create-admin')
    fail(command === undefined ? 'No command given.' : `Unknown command ${command}.`);
  try {
    await createAdmin(rest, (line) => process.stdout.write(`${line}\n`));
  } catch (err) {
    if (
      err instanceof ConfigError ||
      (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      fail(err.message);
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && /cli\.(ts|js)$/.test(process.argv[1])) {
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

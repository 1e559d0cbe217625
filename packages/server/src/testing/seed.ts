/**
 * The smallest shop a storage test needs: a channel with one agent, created through the
 * Storage port (so the rows are what the server itself writes).
 */
import type { Storage } from '../storage/Storage.ts';

export async function channelWithAgent(
  storage: Storage,
  slug: string,
  options: { online?: boolean } = {},
): Promise<{ channelId: string; agentId: string }> {
  const channel = await storage.createChannel({ slug, name: 'Shop' });
  const agent = await storage.createUser({
    channelId: channel.id,
    email: `mia@${slug}.test`,
    name: 'Mia',
    role: 'agent',
    passwordHash: 'x',
    tags: [],
  });
  if (options.online) await storage.updateUser(agent.id, { status: 'online' });
  return { channelId: channel.id, agentId: agent.id };
}

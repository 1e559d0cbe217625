/**
 * Shops for storage tests: a channel with one agent, or agents online in a channel, created
 * through the Storage port (so the rows are what the server itself writes).
 */
import { randomBytes } from 'node:crypto';
import type { User } from '@flux/protocol';
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

/** `n` agents of a channel, each set online (free to take a call). */
export async function onlineAgents(
  storage: Storage,
  channelId: string,
  n: number,
): Promise<User[]> {
  const list: User[] = [];
  for (let i = 0; i < n; i++) {
    const u = await storage.createUser({
      channelId,
      email: `${randomBytes(4).toString('hex')}@agents.test`,
      name: `Agent ${i}`,
      role: 'agent',
      passwordHash: 'x',
      tags: [],
    });
    const online = await storage.updateUser(u.id, { status: 'online' });
    if (!online) throw new Error(`agent ${u.id} vanished`);
    list.push(online);
  }
  return list;
}

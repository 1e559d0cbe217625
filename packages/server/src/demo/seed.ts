/**
 * The demo channel "Groovy Hats" (slug `groovy-hats`): a fixed publishable key, an admin,
 * three agents with tags and photos, and a small catalog including the spec's
 * ITM-BLUE-SHIRT (SKU) and EXT-RED-PANTS (external ID). Idempotent: each piece is created
 * only if missing, so a second start keeps (and does not duplicate) the data.
 *
 * DEMO ONLY: the key and passwords below are public; never use --demo on a real deployment.
 */
import type { ProductInput, UserRole } from '@flux/protocol';
import type { Storage } from '../storage/Storage.ts';
import demoCatalog from '../../../../apps/demo-shop/catalog.json';

export const DEMO_CHANNEL_SLUG = 'groovy-hats';
export const DEMO_CHANNEL_NAME = 'Groovy Hats';
/** Demo-only publishable key (public by design: it is in the demo shop's pages). */
export const DEMO_API_KEY = 'pk_demo_groovy_hats_2026';
export const DEMO_PASSWORD = 'flux-demo-2026';

export interface DemoUser {
  email: string;
  name: string;
  role: UserRole;
  tags: string[];
  photo: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'admin@groovy-hats.test', name: 'Sam Admin', role: 'admin', tags: [], photo: '' },
  {
    email: 'mia@groovy-hats.test',
    name: 'Mia Alvarez',
    role: 'agent',
    tags: ['fashion-support', 'styling'],
    photo: '/demo/avatars/mia.svg',
  },
  {
    email: 'jonas@groovy-hats.test',
    name: 'Jonas Berg',
    role: 'agent',
    tags: ['hats', 'sizing'],
    photo: '/demo/avatars/jonas.svg',
  },
  {
    email: 'aiko@groovy-hats.test',
    name: 'Aiko Tanaka',
    role: 'agent',
    tags: ['fashion-support', 'returns'],
    photo: '/demo/avatars/aiko.svg',
  },
];

/** The demo shop's catalog (apps/demo-shop/catalog.json), so agents can push its products. */
export const DEMO_PRODUCTS: readonly ProductInput[] = demoCatalog.products.map((p) => ({
  sku: p.sku,
  externalId: p.externalId,
  name: p.name,
  price: p.price,
  currency: p.currency,
  imageUrl: p.imageUrl,
  pageUrl: p.pageUrl,
}));

export interface SeedResult {
  channelId: string;
  created: boolean;
}

/** Creates whatever of the demo data is missing. */
export async function seedDemo(
  storage: Storage,
  hashPassword: (password: string) => Promise<string>,
  options: { publicUrl?: string } = {},
): Promise<SeedResult> {
  let channel = await storage.getChannelBySlug(DEMO_CHANNEL_SLUG);
  const created = channel === null;
  channel ??= await storage.createChannel({
    slug: DEMO_CHANNEL_SLUG,
    name: DEMO_CHANNEL_NAME,
    allowLocalhost: true,
  });
  if (!channel.allowLocalhost)
    channel = await storage.updateChannel(channel.id, { allowLocalhost: true });

  // the shop is served by this server: allow its public origin too (localhost is always allowed)
  if (options.publicUrl !== undefined) {
    const origin = new URL(options.publicUrl).origin.toLowerCase();
    if (!(await storage.isOriginAllowed(channel.id, origin)))
      await storage.addOrigin(channel.id, origin);
  }

  if ((await storage.findApiKey(channel.id, DEMO_API_KEY)) === null) {
    await storage.createApiKey(channel.id, 'Demo shop (demo only)', DEMO_API_KEY);
  }

  let hash: string | null = null;
  for (const u of DEMO_USERS) {
    if ((await storage.getUserAuth(channel.id, u.email)) !== null) continue;
    hash ??= await hashPassword(DEMO_PASSWORD);
    await storage.createUser({
      channelId: channel.id,
      email: u.email,
      name: u.name,
      role: u.role,
      passwordHash: hash,
      tags: u.tags,
      ...(u.photo === '' ? {} : { profilePhotoUrl: u.photo }),
    });
  }

  const wanted = DEMO_PRODUCTS.flatMap((p) => [p.sku, p.externalId]).filter(
    (x): x is string => typeof x === 'string',
  );
  const { unknownIds } = await storage.resolveProducts(channel.id, wanted);
  const missing = DEMO_PRODUCTS.filter(
    (p) =>
      (p.sku == null || unknownIds.includes(p.sku)) &&
      (p.externalId == null || unknownIds.includes(p.externalId)),
  );
  if (missing.length > 0) await storage.upsertProducts(channel.id, missing);
  return { channelId: channel.id, created };
}

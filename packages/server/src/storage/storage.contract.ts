/**
 * The storage contract: one suite, run against every adapter (sqlite.integration.test.ts,
 * postgres.integration.test.ts). Each test works in its own channel, so tests share one
 * database per adapter.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FluxError, type VisitorUser } from '@flux/protocol';
import { ENDED_AGENT, type NewCall, type Storage, type StoredChannel } from './Storage.ts';

export interface ContractTarget {
  storage: Storage;
  /** A second storage on the same database (another pool / connection), for concurrency. */
  second: Storage;
  cleanup(): Promise<void>;
}

const slug = () => `c-${randomBytes(5).toString('hex')}`;
/** The value, or a test failure when it is missing. */
function must<T>(v: T | null | undefined): T {
  if (v === null || v === undefined) throw new Error('expected a value');
  return v;
}

const visitor: VisitorUser = { name: 'Vera Visitor', email: 'vera@example.test' };

export function storageContract(name: string, factory: () => Promise<ContractTarget>): void {
  describe(`Storage contract: ${name}`, () => {
    let t: ContractTarget;
    let s: Storage;

    beforeAll(async () => {
      t = await factory();
      s = t.storage;
    });
    afterAll(async () => {
      await t.cleanup();
    });

    async function channel(): Promise<StoredChannel> {
      return s.createChannel({ slug: slug(), name: 'Test shop' });
    }
    /** A call request with no page, visitor details or products. */
    function bareCall(channelId: string, agentId: string, at: Date): NewCall {
      return {
        channelId,
        agentId,
        pageUrl: null,
        visitor: {},
        productIds: [],
        unknownProductIds: [],
        at,
      };
    }
    async function onlineAgent(channelId: string, name = 'Agent') {
      const u = await s.createUser({
        channelId,
        email: `${randomBytes(4).toString('hex')}@agents.test`,
        name,
        role: 'agent',
        passwordHash: 'x',
        tags: ['a'],
      });
      return must(await s.updateUser(u.id, { status: 'online' }));
    }

    it('migrates idempotently and answers ping', async () => {
      await s.migrate();
      await s.migrate();
      await expect(s.ping()).resolves.toBeUndefined();
    });

    it('creates channels with default settings, finds them by id and slug, refuses a duplicate slug', async () => {
      const c = await s.createChannel({ slug: slug(), name: 'Hats', allowLocalhost: true });
      expect(c.settings).toEqual({
        ringTimeoutSeconds: 30,
        missesBeforeOffline: 3,
        openingHours: null,
      });
      expect(c.allowLocalhost).toBe(true);
      expect(await s.getChannel(c.id)).toEqual(c);
      expect(await s.getChannelBySlug(c.slug)).toEqual(c);
      expect(await s.getChannelBySlug('nope-nope')).toBeNull();
      await expect(s.createChannel({ slug: c.slug, name: 'Again' })).rejects.toMatchObject({
        code: 'FLX_ERR_CONFLICT',
      });
      const u = await s.updateChannel(c.id, { name: 'Caps', settings: { ringTimeoutSeconds: 45 } });
      expect(u.name).toBe('Caps');
      expect(u.settings.ringTimeoutSeconds).toBe(45);
      expect(u.settings.missesBeforeOffline).toBe(3);
      expect((await s.getChannel(c.id))?.settings.ringTimeoutSeconds).toBe(45);
    });

    it('keeps one server secret per name, shared by every connection', async () => {
      const name = `secret-${randomBytes(3).toString('hex')}`;
      const [a, b] = await Promise.all([
        s.getOrCreateSecret(name),
        t.second.getOrCreateSecret(name),
      ]);
      expect(a).toBe(b);
      expect(a.length).toBeGreaterThanOrEqual(32);
      expect(await s.getOrCreateSecret(name)).toBe(a);
    });

    it("keeps each process's last beat until a later run takes the earlier ones", async () => {
      const [a, b, c] = ['a', 'b', 'c'].map((n) => `${n}-${randomBytes(3).toString('hex')}`);
      await s.recordProcessBeat(must(a), new Date(1_000));
      await s.recordProcessBeat(must(a), new Date(5_000));
      await s.recordProcessBeat(must(b), new Date(3_000));
      await t.second.recordProcessBeat(must(c), new Date(9_000));
      // c's run takes what a and b noted: the latest of them, and they are gone after
      expect(await s.takeEarlierProcessBeat(must(c))).toEqual(new Date(5_000));
      expect(await s.takeEarlierProcessBeat(must(a))).toEqual(new Date(9_000));
      expect(await t.second.takeEarlierProcessBeat(must(a))).toBeNull();
    });

    it('stores API keys hashed, finds them per channel, revokes them', async () => {
      const c = await channel();
      const other = await channel();
      const { apiKey, key } = await s.createApiKey(c.id, 'Shop');
      expect(key).toMatch(/^pk_/);
      expect(apiKey.prefix).toBe(key.slice(0, 10));
      expect(await s.findApiKey(c.id, key)).toEqual({ apiKey, revoked: false });
      expect(await s.findApiKey(other.id, key)).toBeNull();
      expect(await s.findApiKey(c.id, key + 'x')).toBeNull();
      const fixed = await s.createApiKey(
        c.id,
        'Fixed',
        `pk_fixed_${randomBytes(4).toString('hex')}`,
      );
      expect((await s.findApiKey(c.id, fixed.key))?.revoked).toBe(false);
      const revoked = await s.revokeApiKey(c.id, apiKey.id, new Date(1_700_000_000_000));
      expect(revoked?.revokedAt).toBe(new Date(1_700_000_000_000).toISOString());
      expect((await s.findApiKey(c.id, key))?.revoked).toBe(true);
      expect(await s.revokeApiKey(other.id, fixed.apiKey.id, new Date())).toBeNull();
      expect((await s.listApiKeys(c.id)).map((k) => k.label)).toEqual(['Shop', 'Fixed']);
    });

    it('keeps allowed origins unique per channel', async () => {
      const c = await channel();
      const o = await s.addOrigin(c.id, 'https://Shop.example');
      expect(o.origin).toBe('https://shop.example');
      await expect(s.addOrigin(c.id, 'https://shop.example')).rejects.toMatchObject({
        code: 'FLX_ERR_CONFLICT',
      });
      expect(await s.isOriginAllowed(c.id, 'https://shop.example')).toBe(true);
      expect(await s.isOriginAllowed(c.id, 'https://other.example')).toBe(false);
      expect(await s.listOrigins(c.id)).toEqual([o]);
      expect(await s.removeOrigin(c.id, o.id)).toBe(true);
      expect(await s.removeOrigin(c.id, o.id)).toBe(false);
      expect(await s.isOriginAllowed(c.id, 'https://shop.example')).toBe(false);
    });

    it('creates users with a unique email per channel and updates them', async () => {
      const c = await channel();
      const other = await channel();
      const u = await s.createUser({
        channelId: c.id,
        email: 'Ann@Shop.test',
        name: 'Ann',
        role: 'agent',
        passwordHash: 'h1',
        tags: ['x', 'y'],
      });
      expect(u).toMatchObject({
        email: 'ann@shop.test',
        status: 'offline',
        active: true,
        profilePhotoUrl: '',
      });
      await expect(
        s.createUser({
          channelId: c.id,
          email: 'ann@shop.test',
          name: 'B',
          role: 'agent',
          passwordHash: 'h',
        }),
      ).rejects.toMatchObject({ code: 'FLX_ERR_CONFLICT' });
      await s.createUser({
        channelId: other.id,
        email: 'ann@shop.test',
        name: 'B',
        role: 'agent',
        passwordHash: 'h',
      });
      expect(await s.getUserAuth(c.id, 'ANN@shop.test')).toEqual({ user: u, passwordHash: 'h1' });
      const v = await s.updateUser(u.id, {
        name: 'Anna',
        tags: ['z'],
        profilePhotoUrl: '/p.png',
        status: 'online',
      });
      expect(v).toMatchObject({
        name: 'Anna',
        tags: ['z'],
        profilePhotoUrl: '/p.png',
        status: 'online',
      });
      expect((await s.updateUser(u.id, { profilePhotoUrl: '' }))?.profilePhotoUrl).toBe('');
      expect(await s.getPasswordHash(u.id)).toBe('h1');
      expect(await s.updateUser('missing', { name: 'x' })).toBeNull();
    });

    it('lists users in pages with opaque cursors, and online active agents by name', async () => {
      const c = await channel();
      for (const n of ['Zed', 'Amy', 'Bob', 'Cid', 'Dee']) await onlineAgent(c.id, n);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 5; i++) {
        const page = await s.listUsers(c.id, { limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((u) => u.name));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(['Zed', 'Amy', 'Bob', 'Cid', 'Dee']);
      const all = await s.listUsers(c.id, { limit: 100 });
      await s.updateUser(must(all.items[1]).id, { active: false });
      await s.updateUser(must(all.items[2]).id, { status: 'offline' });
      expect((await s.listOnlineAgents(c.id)).map((u) => u.name)).toEqual(['Cid', 'Dee', 'Zed']);
      await expect(s.listUsers(c.id, { limit: 2, cursor: 'garbage!' })).rejects.toBeInstanceOf(
        FluxError,
      );
    });

    it('keeps sessions hashed, expiring, and gone for deactivated users', async () => {
      const c = await channel();
      const u = await onlineAgent(c.id);
      const now = new Date();
      const token = await s.createSession(u.id, new Date(now.getTime() + 60_000));
      expect((await s.getSessionUser(token, now))?.id).toBe(u.id);
      expect(await s.getSessionUser(token, new Date(now.getTime() + 120_000))).toBeNull();
      expect(await s.getSessionUser(token + 'x', now)).toBeNull();
      await s.deleteSession(token);
      expect(await s.getSessionUser(token, now)).toBeNull();
      const t2 = await s.createSession(u.id, new Date(now.getTime() + 60_000));
      await s.updateUser(u.id, { active: false });
      expect(await s.getSessionUser(t2, now)).toBeNull();
    });

    it('stores photo bytes', async () => {
      const c = await channel();
      const u = await onlineAgent(c.id);
      const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
      const p = await s.savePhoto(u.id, 'image/png', bytes, new Date());
      const back = await s.getPhoto(p.id);
      expect(back?.contentType).toBe('image/png');
      expect(back?.bytes.equals(bytes)).toBe(true);
      expect(await s.getPhoto('nope')).toBeNull();
      const next = await s.savePhoto(u.id, 'image/webp', Buffer.from('RIFF0000WEBP'), new Date());
      expect(await s.getPhoto(p.id)).toBeNull();
      expect((await s.getPhoto(next.id))?.contentType).toBe('image/webp');
    });

    it('stores products with unique SKU and external ID per channel, searches and resolves them', async () => {
      const c = await channel();
      const a = await s.createProduct(c.id, {
        sku: 'SKU-1',
        name: 'Blue 100% Shirt',
        price: 4900,
        currency: 'EUR',
      });
      const b = await s.createProduct(c.id, {
        externalId: 'EXT-1',
        name: 'Red Pants',
        price: 5900,
        currency: 'EUR',
        imageUrl: '/r.svg',
      });
      await expect(
        s.createProduct(c.id, { sku: 'SKU-1', name: 'Dup', price: 1, currency: 'EUR' }),
      ).rejects.toMatchObject({
        code: 'FLX_ERR_CONFLICT',
      });
      expect(await s.getProduct(c.id, a.id)).toEqual(a);
      const r = await s.resolveProducts(c.id, ['EXT-1', 'NOPE', 'SKU-1', 'EXT-1']);
      expect(r.products.map((p) => p.id)).toEqual([b.id, a.id]);
      expect(r.unknownIds).toEqual(['NOPE']);
      expect((await s.listProducts(c.id, { q: 'shirt', limit: 10 })).items).toEqual([a]);
      expect((await s.listProducts(c.id, { q: 'ext-', limit: 10 })).items).toEqual([b]);
      expect((await s.listProducts(c.id, { q: '100%', limit: 10 })).items).toEqual([a]);
      expect((await s.listProducts(c.id, { q: '%', limit: 10 })).items).toEqual([a]);
      const p1 = await s.listProducts(c.id, { limit: 1 });
      expect(p1.items).toEqual([a]);
      const p2 = await s.listProducts(c.id, { limit: 1, cursor: must(p1.nextCursor) });
      expect(p2).toEqual({ items: [b], nextCursor: null });
      expect((await s.updateProduct(c.id, b.id, { price: 6000, imageUrl: null }))?.price).toBe(
        6000,
      );
      await expect(s.updateProduct(c.id, b.id, { sku: 'SKU-1' })).rejects.toMatchObject({
        code: 'FLX_ERR_CONFLICT',
      });
      expect(await s.deleteProduct(c.id, b.id)).toBe(true);
      expect(await s.deleteProduct(c.id, b.id)).toBe(false);
    });

    it('upserts products by SKU, else by external ID, all or nothing', async () => {
      const c = await channel();
      await s.createProduct(c.id, {
        sku: 'S1',
        externalId: 'E1',
        name: 'One',
        price: 1,
        currency: 'EUR',
      });
      const n = await s.upsertProducts(c.id, [
        { sku: 'S1', name: 'One v2', price: 2, currency: 'EUR' },
        { externalId: 'E2', name: 'Two', price: 3, currency: 'USD' },
      ]);
      expect(n).toBe(2);
      const names = async () =>
        (await s.listProducts(c.id, { limit: 10 })).items.map((p) => `${p.name}:${p.price}`);
      expect(await names()).toEqual(['One v2:2', 'Two:3']);
      await s.upsertProducts(c.id, [
        { externalId: 'E2', name: 'Two v2', price: 4, currency: 'USD' },
      ]);
      expect(await names()).toEqual(['One v2:2', 'Two v2:4']);
      // a conflicting row rolls the whole batch back
      await expect(
        s.upsertProducts(c.id, [
          { sku: 'S3', name: 'Three', price: 5, currency: 'EUR' },
          { sku: 'S1', externalId: 'E2', name: 'Clash', price: 6, currency: 'EUR' },
        ]),
      ).rejects.toBeDefined();
      expect(await names()).toEqual(['One v2:2', 'Two v2:4']);
    });

    it('reserves an agent atomically, moves calls through the transition table, releases on end', async () => {
      const c = await channel();
      const agent = await onlineAgent(c.id, 'Mia');
      const p = await s.createProduct(c.id, {
        sku: 'P1',
        name: 'Hat',
        price: 100,
        currency: 'EUR',
      });
      const at = new Date(1_750_000_000_000);
      const r = await s.reserveAgentAndCreateCall({
        channelId: c.id,
        agentId: agent.id,
        pageUrl: 'https://shop.test/product/1',
        visitor,
        productIds: [p.id],
        unknownProductIds: ['X'],
        at,
      });
      if (!r.ok) throw new Error('expected ok');
      expect(r.call).toMatchObject({
        status: 'requested',
        agentName: 'Mia',
        visitor,
        unknownProductIds: ['X'],
        requestedAt: at.toISOString(),
        ringingAt: null,
        durationSeconds: null,
        notes: '',
        rating: null,
      });
      expect(r.call.products.map((x) => x.id)).toEqual([p.id]);
      expect(await s.getAgentCurrentCall(agent.id)).toBe(r.call.id);
      const again = await s.reserveAgentAndCreateCall(bareCall(c.id, agent.id, at));
      expect(again).toEqual({ ok: false, reason: 'busy' });
      expect(await s.reserveAgentAndCreateCall(bareCall(c.id, 'nobody', at))).toEqual({
        ok: false,
        reason: 'not_found',
      });

      expect(await s.transitionCall(r.call.id, 'connected', at)).toBeNull(); // not from requested
      expect(
        (await s.transitionCall(r.call.id, 'ringing', new Date(at.getTime() + 1000)))?.status,
      ).toBe('ringing');
      expect(await s.transitionCall(r.call.id, 'ringing', at)).toBeNull();
      await s.transitionCall(r.call.id, 'connected', new Date(at.getTime() + 2000));
      const ended = await s.transitionCall(r.call.id, 'ended', new Date(at.getTime() + 62_000), {
        reason: 'visitor_hangup',
      });
      expect(ended).toMatchObject({
        status: 'ended',
        endReason: 'visitor_hangup',
        endDetail: null,
        durationSeconds: 60,
      });
      expect(await s.getAgentCurrentCall(agent.id)).toBeNull();
      expect(await s.transitionCall(r.call.id, 'ended', at, { reason: 'lost' })).toBeNull();
      expect((await s.setCallRating(r.call.id, 5))?.rating).toBe(5);
      expect((await s.setCallNotes(r.call.id, 'wants a bigger size'))?.notes).toBe(
        'wants a bigger size',
      );
      await s.recordProductEvent(r.call.id, p.id, 'click', at);

      // offline or deactivated agents cannot be reserved
      await s.updateUser(agent.id, { status: 'offline' });
      expect((await s.reserveAgentAndCreateCall(bareCall(c.id, agent.id, at))).ok).toBe(false);
    });

    it("keeps each side's weak spells of a connected call: ended ones summed, one still open counted to the end", async () => {
      const c = await channel();
      const agent = await onlineAgent(c.id, 'Mia');
      const t0 = 1_750_000_000_000;
      const at = (sec: number) => new Date(t0 + sec * 1000);
      const r = await s.reserveAgentAndCreateCall(bareCall(c.id, agent.id, at(0)));
      if (!r.ok) throw new Error('expected ok');
      expect(r.call.weakSeconds).toEqual({ visitor: 0, agent: 0 });
      await s.transitionCall(r.call.id, 'ringing', at(1));
      await s.recordLinkQuality(r.call.id, 'visitor', 'poor', at(1.5)); // not connected: ignored
      await s.transitionCall(r.call.id, 'connected', at(2));
      const weakOnly = () => s.listCalls({ channelId: c.id, weakLink: true, limit: 5 });
      expect((await weakOnly()).items).toEqual([]);
      await s.recordLinkQuality(r.call.id, 'visitor', 'poor', at(10));
      expect((await weakOnly()).items.map((x) => x.id)).toEqual([r.call.id]);
      await s.recordLinkQuality(r.call.id, 'visitor', 'poor', at(12)); // re-sent: the spell began at 10
      await s.recordLinkQuality(r.call.id, 'visitor', 'good', at(30));
      await s.recordLinkQuality(r.call.id, 'visitor', 'good', at(31)); // re-sent: nothing open
      await s.recordLinkQuality(r.call.id, 'agent', 'poor', at(40));
      await s.recordLinkQuality(r.call.id, 'visitor', 'poor', at(50));
      expect((await s.getCall(r.call.id))?.weakSeconds.visitor).toBeGreaterThanOrEqual(20 + 12);
      const ended = await s.transitionCall(r.call.id, 'ended', at(62), { reason: 'agent_hangup' });
      expect(ended?.weakSeconds).toEqual({ visitor: 20 + 12, agent: 22 });
      // after the end nothing moves: the open spells ended with the call
      await s.recordLinkQuality(r.call.id, 'agent', 'good', at(70));
      await s.recordLinkQuality(r.call.id, 'visitor', 'good', at(70));
      const read = await s.getCall(r.call.id);
      expect(read?.weakSeconds).toEqual({ visitor: 32, agent: 22 });
      expect(read?.durationSeconds).toBe(60);
      const listed = await s.listCalls({ channelId: c.id, limit: 5 });
      expect(listed.items.find((x) => x.id === r.call.id)?.weakSeconds).toEqual({
        visitor: 32,
        agent: 22,
      });
    });

    it('counts a weak spell shorter than a second as one, so the badge agrees with the filter', async () => {
      const c = await channel();
      const agent = await onlineAgent(c.id, 'Mia');
      const t0 = 1_750_000_000_000;
      const at = (ms: number) => new Date(t0 + ms);
      const r = await s.reserveAgentAndCreateCall(bareCall(c.id, agent.id, at(0)));
      if (!r.ok) throw new Error('expected ok');
      await s.transitionCall(r.call.id, 'ringing', at(100));
      await s.transitionCall(r.call.id, 'connected', at(2_000));
      await s.recordLinkQuality(r.call.id, 'agent', 'poor', at(10_000));
      await s.recordLinkQuality(r.call.id, 'agent', 'good', at(10_300));
      // one still open at the end: 0.2 s
      await s.recordLinkQuality(r.call.id, 'visitor', 'poor', at(19_800));
      const ended = await s.transitionCall(r.call.id, 'ended', at(20_000), {
        reason: 'agent_hangup',
      });
      expect(ended?.weakSeconds).toEqual({ visitor: 1, agent: 1 });
      const weak = await s.listCalls({ channelId: c.id, weakLink: true, limit: 5 });
      expect(weak.items.map((x) => [x.id, x.weakSeconds])).toEqual([
        [r.call.id, { visitor: 1, agent: 1 }],
      ]);
    });

    it('stores a reservation made with ringing: true as ringing in one write; the move to ended returns the agent state', async () => {
      const c = await channel();
      const agent = await onlineAgent(c.id, 'Mia');
      const p = await s.createProduct(c.id, { sku: 'P1', name: 'Hat', price: 1, currency: 'EUR' });
      const at = new Date(1_750_000_000_000);
      // batched with a plain reservation for another agent (PostgreSQL: one statement)
      const other = await onlineAgent(c.id, 'Jonas');
      const [r, plain] = await Promise.all([
        s.reserveAgentAndCreateCall({
          channelId: c.id,
          agentId: agent.id,
          pageUrl: null,
          visitor,
          productIds: [p.id],
          unknownProductIds: [],
          at,
          ringing: true,
        }),
        s.reserveAgentAndCreateCall({
          channelId: c.id,
          agentId: other.id,
          pageUrl: null,
          visitor,
          productIds: [],
          unknownProductIds: [],
          at,
        }),
      ]);
      if (!r.ok || !plain.ok) throw new Error('expected ok');
      const stored = {
        status: 'ringing',
        requestedAt: at.toISOString(),
        ringingAt: at.toISOString(),
      };
      expect(r.call).toMatchObject(stored);
      expect(await s.getCall(r.call.id)).toMatchObject(stored);
      expect((await s.getCall(r.call.id))?.products.map((x) => x.id)).toEqual([p.id]);
      expect(await s.getCall(plain.call.id)).toMatchObject({
        status: 'requested',
        ringingAt: null,
      });
      // the ringing move is already stored: a second one matches nothing, connecting works
      expect(await s.transitionCall(r.call.id, 'ringing', at)).toBeNull();
      const connected = await s.transitionCall(r.call.id, 'connected', at);
      expect(connected?.status).toBe('connected');
      expect(connected?.[ENDED_AGENT]).toBeUndefined();
      // the move to ended returns the agent's state with the call, never on the wire
      await s.updateUser(agent.id, { status: 'offline' });
      const [ended, otherEnded] = await Promise.all([
        s.transitionCall(r.call.id, 'ended', at, { reason: 'visitor_hangup' }),
        s.transitionCall(plain.call.id, 'ended', at, { reason: 'cancelled' }),
      ]);
      expect(ended?.[ENDED_AGENT]).toEqual({ status: 'offline', active: true });
      expect(otherEnded?.[ENDED_AGENT]).toEqual({ status: 'online', active: true });
      expect(JSON.stringify(ended)).not.toContain('offline');
      await s.updateUser(agent.id, { status: 'online' });
      // alone (PostgreSQL: the single-reservation statement)
      const alone = await s.reserveAgentAndCreateCall({
        channelId: c.id,
        agentId: agent.id,
        pageUrl: null,
        visitor,
        productIds: [],
        unknownProductIds: [],
        at,
        ringing: true,
      });
      if (!alone.ok) throw new Error('expected ok');
      expect(await s.getCall(alone.call.id)).toMatchObject(stored);
      const aloneEnded = await s.transitionCall(alone.call.id, 'ended', at, {
        reason: 'cancelled',
      });
      expect(aloneEnded?.[ENDED_AGENT]).toEqual({ status: 'online', active: true });
    });

    it('gives exactly one of 50 concurrent reservations for one agent, across connections', async () => {
      const c = await channel();
      const agent = await onlineAgent(c.id);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? s : t.second).reserveAgentAndCreateCall({
            channelId: c.id,
            agentId: agent.id,
            pageUrl: null,
            visitor: { name: `v${i}` },
            productIds: [],
            unknownProductIds: [],
            at: new Date(),
          }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'busy')).toHaveLength(49);
      const open = await s.listOpenCalls(c.id);
      expect(open).toHaveLength(1);
      // ending it frees the agent for exactly one next caller
      const winner = must(open[0]);
      await s.transitionCall(winner.id, 'ended', new Date(), { reason: 'cancelled' });
      const next = await Promise.all(
        Array.from({ length: 10 }, () =>
          t.second.reserveAgentAndCreateCall(bareCall(c.id, agent.id, new Date())),
        ),
      );
      expect(next.filter((r) => r.ok)).toHaveLength(1);
    });

    it('lets exactly one of two concurrent transitions win', async () => {
      const c = await channel();
      const agent = await onlineAgent(c.id);
      const r = await s.reserveAgentAndCreateCall(bareCall(c.id, agent.id, new Date()));
      if (!r.ok) throw new Error('expected ok');
      await s.transitionCall(r.call.id, 'ringing', new Date());
      const [a, b] = await Promise.all([
        s.transitionCall(r.call.id, 'ended', new Date(), { reason: 'declined' }),
        t.second.transitionCall(r.call.id, 'ended', new Date(), { reason: 'missed' }),
      ]);
      expect([a, b].filter((x) => x !== null)).toHaveLength(1);
      const winner = a ?? b;
      expect((await s.getCall(r.call.id))?.endReason).toBe(winner?.endReason);
    });

    it('answers many moves made at once on one storage each with its own call, one winner per call', async () => {
      // moves made in the same turn share a batch (SQLite: one transaction; PostgreSQL: one
      // statement per target status): each caller must still get its own answer
      const c = await channel();
      const agents = await Promise.all([0, 1, 2, 3].map((i) => onlineAgent(c.id, `B${i}`)));
      const p = await s.createProduct(c.id, { sku: 'BX', name: 'Box', price: 5, currency: 'EUR' });
      const reserved = await Promise.all(
        agents.map((a, i) =>
          s.reserveAgentAndCreateCall({
            channelId: c.id,
            agentId: a.id,
            pageUrl: null,
            visitor: { name: `v${i}` },
            productIds: i % 2 === 0 ? [p.id] : [],
            unknownProductIds: [],
            at: new Date(3_000_000),
          }),
        ),
      );
      const calls = reserved.map((r) => {
        if (!r.ok) throw new Error('expected ok');
        return r.call;
      });
      const rung = await Promise.all([
        ...calls.map((call, i) => s.transitionCall(call.id, 'ringing', new Date(3_001_000 + i))),
        s.transitionCall('no-such-call', 'ringing', new Date(3_001_000)),
      ]);
      expect(rung.map((x) => x?.id ?? null)).toEqual([...calls.map((x) => x.id), null]);
      rung.slice(0, 4).forEach((x, i) => {
        expect(x).toMatchObject({
          status: 'ringing',
          agentName: `B${i}`,
          ringingAt: new Date(3_001_000 + i).toISOString(),
          visitor: { name: `v${i}` },
        });
        expect(x?.products.map((q) => q.sku)).toEqual(i % 2 === 0 ? ['BX'] : []);
      });
      // two different endings of every call at once: exactly one each, and the stored one
      const ends = await Promise.all(
        calls.flatMap((call) => [
          s.transitionCall(call.id, 'ended', new Date(3_002_000), { reason: 'declined' }),
          s.transitionCall(call.id, 'ended', new Date(3_002_000), {
            reason: 'missed',
            detail: 'timeout',
          }),
        ]),
      );
      for (const [i, call] of calls.entries()) {
        const pair = [ends[2 * i], ends[2 * i + 1]].filter((x) => x !== null);
        expect(pair).toHaveLength(1);
        const stored = must(await s.getCall(call.id));
        expect(stored.endReason).toBe(pair[0]?.endReason);
        expect(stored.endDetail).toBe(pair[0]?.endReason === 'missed' ? 'timeout' : null);
        expect(await s.getAgentCurrentCall(call.agentId)).toBeNull();
      }
    });

    it('fails only the write that fails when several are made at once, and keeps none of it', async () => {
      const c = await channel();
      const agents = await Promise.all([0, 1, 2].map((i) => onlineAgent(c.id, `F${i}`)));
      const settled = await Promise.allSettled(
        agents.map((a, i) =>
          s.reserveAgentAndCreateCall({
            channelId: c.id,
            agentId: a.id,
            pageUrl: null,
            visitor: {},
            // the middle one links a product that does not exist: a foreign key violation
            productIds: i === 1 ? ['no-such-product'] : [],
            unknownProductIds: [],
            at: new Date(4_000_000),
          }),
        ),
      );
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(
        settled.map((r) =>
          r.status === 'fulfilled' && r.value.ok ? r.value.call.agentName : null,
        ),
      ).toEqual(['F0', null, 'F2']);
      // the failed one reserved nothing and created no call
      expect(await s.getAgentCurrentCall(must(agents[1]).id)).toBeNull();
      expect((await s.listOpenCalls(c.id)).map((x) => x.agentName).sort()).toEqual(['F0', 'F2']);
    });

    it('lists calls with filters, newest first, paginated; sets call products in order', async () => {
      const c = await channel();
      const a1 = await onlineAgent(c.id, 'A1');
      const a2 = await onlineAgent(c.id, 'A2');
      const p1 = await s.createProduct(c.id, { sku: 'A', name: 'A', price: 1, currency: 'EUR' });
      const p2 = await s.createProduct(c.id, { sku: 'B', name: 'B', price: 1, currency: 'EUR' });
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const agent = i % 2 === 0 ? a1 : a2;
        const r = await s.reserveAgentAndCreateCall(
          bareCall(c.id, agent.id, new Date(1_000_000 + i * 1000)),
        );
        if (!r.ok) throw new Error('expected ok');
        ids.push(r.call.id);
        await s.transitionCall(r.call.id, 'ended', new Date(1_000_500 + i * 1000), {
          reason: i === 4 ? 'missed' : 'declined',
          detail: 'd',
        });
      }
      expect(await s.setCallProducts(must(ids[0]), [p2.id, p1.id])).toEqual([p2, p1]);
      expect((await s.getCall(must(ids[0])))?.products.map((p) => p.sku)).toEqual(['B', 'A']);
      const all = await s.listCalls({ channelId: c.id, limit: 2 });
      expect(all.items.map((x) => x.id)).toEqual([ids[4], ids[3]]);
      const page2 = await s.listCalls({ channelId: c.id, limit: 2, cursor: must(all.nextCursor) });
      expect(page2.items.map((x) => x.id)).toEqual([ids[2], ids[1]]);
      const page3 = await s.listCalls({
        channelId: c.id,
        limit: 2,
        cursor: must(page2.nextCursor),
      });
      expect(page3).toMatchObject({ nextCursor: null });
      expect(page3.items.map((x) => x.id)).toEqual([ids[0]]);
      expect(
        (await s.listCalls({ channelId: c.id, agentId: a2.id, limit: 10 })).items.map((x) => x.id),
      ).toEqual([ids[3], ids[1]]);
      expect(
        (await s.listCalls({ channelId: c.id, endReason: 'missed', limit: 10 })).items.map(
          (x) => x.id,
        ),
      ).toEqual([ids[4]]);
      expect((await s.listCalls({ channelId: c.id, status: 'ringing', limit: 10 })).items).toEqual(
        [],
      );
      const ranged = await s.listCalls({
        channelId: c.id,
        from: new Date(1_001_000),
        to: new Date(1_003_000),
        limit: 10,
      });
      expect(ranged.items.map((x) => x.id)).toEqual([ids[2], ids[1]]);
      expect(await s.listOpenCalls(c.id)).toEqual([]);
    });

    it('counts missed calls in a row and resets them', async () => {
      const c = await channel();
      const a = await onlineAgent(c.id);
      expect(await s.bumpMissedCalls(a.id, false)).toBe(1);
      expect(await s.bumpMissedCalls(a.id, false)).toBe(2);
      expect(await s.bumpMissedCalls(a.id, true)).toBe(0);
    });

    it('stores callback requests, lists them newest first and by status, updates them', async () => {
      const c = await channel();
      const a = await onlineAgent(c.id);
      const cb1 = await s.createCallback({
        channelId: c.id,
        name: 'V1',
        contact: 'v1@x.test',
        at: new Date(1000),
      });
      const cb2 = await s.createCallback({
        channelId: c.id,
        name: 'V2',
        contact: '+49 1',
        note: 'hi',
        pageUrl: '/p',
        at: new Date(2000),
      });
      expect(cb1).toMatchObject({
        status: 'open',
        note: '',
        pageUrl: null,
        callId: null,
        takenBy: null,
      });
      const page = await s.listCallbacks(c.id, { limit: 1 });
      expect(page.items).toEqual([cb2]);
      expect(
        (await s.listCallbacks(c.id, { limit: 1, cursor: must(page.nextCursor) })).items,
      ).toEqual([cb1]);
      const taken = await s.updateCallback(c.id, cb1.id, { status: 'taken', takenBy: a.id });
      expect(taken).toMatchObject({ status: 'taken', takenBy: a.id });
      expect((await s.listCallbacks(c.id, { status: 'open', limit: 10 })).items).toEqual([cb2]);
      const other = await channel();
      expect(await s.updateCallback(other.id, cb1.id, { status: 'done' })).toBeNull();
    });

    it('stores webhooks, queues an event per webhook, claims each delivery once, records attempts', async () => {
      const c = await channel();
      const h1 = await s.createWebhook(
        c.id,
        'https://a.test/hook',
        'whsec_aaaaaaaaaaaa',
        new Date(1000),
      );
      const h2 = await s.createWebhook(
        c.id,
        'https://b.test/hook',
        'whsec_bbbbbbbbbbbb',
        new Date(2000),
      );
      expect(h1).toMatchObject({ url: 'https://a.test/hook', secretPrefix: 'whsec_aaaa' });
      expect(JSON.stringify(h1)).not.toContain('whsec_aaaaaaaaaaaa');
      expect((await s.listWebhooks(c.id)).map((h) => h.id)).toEqual([h1.id, h2.id]);
      const other = await channel();
      expect(await s.listWebhooks(other.id)).toEqual([]);
      expect(await s.deleteWebhook(other.id, h1.id)).toBe(false);

      const eventId = `evt_${randomBytes(6).toString('hex')}`;
      const at = new Date(5000);
      expect(
        await s.enqueueWebhookEvent({
          channelId: c.id,
          eventId,
          event: 'call.ended',
          payload: '{"x":1}',
          at,
        }),
      ).toBe(2);
      expect(
        await s.enqueueWebhookEvent({
          channelId: other.id,
          eventId: 'none',
          event: 'call.ended',
          payload: '{}',
          at,
        }),
      ).toBe(0);

      // two storages claim concurrently: each delivery goes to exactly one of them
      const lease = new Date(65_000);
      const [a, b] = await Promise.all([
        s.claimWebhookDeliveries(new Date(6000), lease, 100),
        t.second.claimWebhookDeliveries(new Date(6000), lease, 100),
      ]);
      const mine = [...a, ...b].filter((d) => d.eventId === eventId);
      expect(mine.map((d) => d.url).sort()).toEqual(['https://a.test/hook', 'https://b.test/hook']);
      expect(mine[0]).toMatchObject({ event: 'call.ended', payload: '{"x":1}', attempts: 0 });
      // leased: not due again before the lease ends
      const again = await s.claimWebhookDeliveries(new Date(7000), lease, 100);
      expect(again.filter((d) => d.eventId === eventId)).toEqual([]);

      const d1 = must(mine.find((d) => d.url.startsWith('https://a.')));
      const d2 = must(mine.find((d) => d.url.startsWith('https://b.')));
      await s.recordWebhookAttempt(d1.id, {
        at: new Date(8000),
        statusCode: 500,
        error: 'HTTP 500',
        outcome: 'retry',
        retryAt: new Date(9000),
      });
      await s.recordWebhookAttempt(d2.id, {
        at: new Date(8000),
        statusCode: 204,
        error: null,
        outcome: 'delivered',
      });
      const page1 = await s.listWebhookDeliveries(c.id, h1.id, { limit: 10 });
      expect(page1.items).toEqual([
        expect.objectContaining({
          id: d1.id,
          status: 'pending',
          attempts: 1,
          lastStatusCode: 500,
          lastError: 'HTTP 500',
          nextAttemptAt: new Date(9000).toISOString(),
        }),
      ]);
      expect((await s.listWebhookDeliveries(c.id, h2.id, { limit: 10 })).items[0]).toMatchObject({
        status: 'delivered',
        attempts: 1,
        deliveredAt: new Date(8000).toISOString(),
        nextAttemptAt: null,
      });
      expect((await s.listWebhookDeliveries(other.id, h1.id, { limit: 10 })).items).toEqual([]);
      const retry = await s.claimWebhookDeliveries(new Date(9500), new Date(70_000), 100);
      expect(retry.filter((d) => d.eventId === eventId).map((d) => [d.id, d.attempts])).toEqual([
        [d1.id, 1],
      ]);
      await s.recordWebhookAttempt(d1.id, {
        at: new Date(10_000),
        statusCode: null,
        error: 'connect ECONNREFUSED',
        outcome: 'failed',
      });
      expect((await s.listWebhookDeliveries(c.id, h1.id, { limit: 10 })).items[0]).toMatchObject({
        status: 'failed',
        attempts: 2,
        lastStatusCode: null,
        nextAttemptAt: null,
      });

      // deleting a webhook deletes its deliveries
      expect(await s.deleteWebhook(c.id, h1.id)).toBe(true);
      expect((await s.listWebhooks(c.id)).map((h) => h.id)).toEqual([h2.id]);
      expect((await s.listWebhookDeliveries(c.id, h1.id, { limit: 10 })).items).toEqual([]);
    });
  });
}

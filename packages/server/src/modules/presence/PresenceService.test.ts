/**
 * The roster push on the real app and sockets: a change after a quiet window goes out at
 * once (leading edge), the changes made during the window go out together at its end
 * (one push, the latest state), and every subscriber gets the same unsequenced frame.
 * The window is long here (3 s) so that "during the window" does not depend on timing, and
 * "at once" means well before the window's end.
 */
import { describe, expect, it } from 'vitest';
import { agent, must, seed, sleep, suiteServer, visitor } from '../realtime/testing/harness.ts';

const server = suiteServer({ realtime: { coalesceMs: 3000 } });

describe('presence roster pushes', () => {
  it('pushes a change at once, then the changes of the window together at its end', async () => {
    const fx = await seed(server.storage, {
      agents: [{ name: 'Ada' }, { name: 'Ben' }],
    });
    const [ada, ben] = [must(fx.agents[0]), must(fx.agents[1])];
    const consoles = [await agent(server, fx, 0), await agent(server, fx, 1)];
    const subscribers = [(await visitor(server, fx)).ws, (await visitor(server, fx)).ws];
    for (const v of subscribers) {
      expect((await v.request({ type: 'presence.subscribe' })).agents).toHaveLength(2);
    }
    const rosters = (i: number): string[][] =>
      must(subscribers[i])
        .messages.filter((m) => m.type === 'presence.roster')
        .map((m) => m.agents.map((a) => a.name));
    // let the window the consoles' connects opened run out: the next change is a quiet one
    await sleep(3100);
    const before = rosters(0).length;

    const presence = server.app.ctx.presence;
    await server.storage.updateUser(ada.id, { status: 'offline' });
    presence.agentChanged(fx.channel.id, ada.id);
    presence.agentChanged(fx.channel.id, ada.id); // same turn: merged into one push
    const first = await must(subscribers[0]).next(
      'presence.roster',
      (m) => m.agents.length === 1,
      2500, // less than the window: a push held to the window's end fails here
    );
    expect(first.agents.map((a) => a.name)).toEqual(['Ben']);
    expect(first.seq).toBe(0);

    // inside the window: two changes, pushed once, as they stand at its end
    await server.storage.updateUser(ben.id, { status: 'offline' });
    presence.agentChanged(fx.channel.id, ben.id);
    await server.storage.updateUser(ada.id, { status: 'online' });
    presence.agentChanged(fx.channel.id, ada.id);
    await must(subscribers[0]).next(
      'presence.roster',
      (m) => m.agents.length === 1 && m.agents[0]?.name === 'Ada',
      6000,
    );
    expect(rosters(0).slice(before)).toEqual([['Ben'], ['Ada']]);
    // the other subscriber got the very same frames
    await must(subscribers[1]).next('presence.roster', (m) => m.agents[0]?.name === 'Ada');
    expect(rosters(1)).toEqual(rosters(0));
    for (const c of [...consoles, ...subscribers]) c.close();
  });
});

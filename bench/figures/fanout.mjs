/**
 * Figure 4: presence fan-out. 10,000 sockets; one event; per socket, the time from the
 * trigger until the message arrives, measured in the load generator; p99 per round.
 * Baseline: bare `ws`, POST /broadcast sends one 180-byte message to every socket.
 * Ours: 10,000 visitor sessions subscribed to presence; the agent mia (console connected)
 * sets her status through PATCH /api/v1/me; every socket waits for `presence.roster`.
 */
import { clearTcpMetrics, sleep } from '../lib/proc.mjs';
import {
  api,
  DEMO,
  productAvailable,
  publicAgents,
  signIn,
  startProduct,
} from '../lib/product.mjs';
import { summarize } from '../lib/stats.mjs';
import { check, startBare, startLoad } from './common.mjs';

async function bareRounds(n, warmup, rounds, log) {
  clearTcpMetrics();
  const server = await startBare();
  const load = await startLoad();
  try {
    const r = check(
      await load.request({ cmd: 'open', n, mode: 'bare', url: server.wsUrl }),
      'open',
    );
    if (r.opened < n * 0.98)
      throw new Error(`only ${r.opened}/${n} sockets: ${JSON.stringify(r.errors)}`);
    const out = [];
    // the first rounds warm up and are not counted, for both alike (see fanout())
    for (let i = 0; i < warmup + rounds; i++) {
      await sleep(500);
      const f = check(
        await load.request({
          cmd: 'fanout',
          match: '"presence.roster"',
          trigger: { url: `${server.url}/broadcast?bytes=180`, method: 'POST' },
          timeoutMs: 15_000,
        }),
        'fanout',
      );
      log(
        `  fanout bare round ${i}${i < warmup ? ' (warm-up)' : ''}: p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, ${f.received}/${f.expected}`,
      );
      if (i >= warmup) out.push(f);
    }
    return out;
  } finally {
    await server.stop();
    await load.stop('SIGKILL');
  }
}

async function productRounds(n, warmup, rounds, log) {
  clearTcpMetrics();
  const server = await startProduct();
  const load = await startLoad();
  try {
    const cookie = await signIn(server.url, DEMO.agents[0]);
    check(
      await load.request({
        cmd: 'open',
        n: 1,
        mode: 'agent',
        url: server.wsUrl,
        cookies: [cookie],
        origin: server.url,
      }),
      'open agent',
    );
    await api(server.url, cookie, 'PATCH', '/me', { status: 'online' });
    const pub = await publicAgents(server.url);
    const r = check(
      await load.request(
        {
          cmd: 'open',
          n,
          mode: 'visitor',
          url: server.wsUrl,
          token: pub.visitorToken,
          origin: server.url,
        },
        600_000,
      ),
      'open visitors',
    );
    if (r.opened < n * 0.98)
      throw new Error(`only ${r.opened}/${n} visitor sessions: ${JSON.stringify(r.errors)}`);
    const out = [];
    let status = 'offline';
    // the first rounds warm up and are not counted, for both alike (see fanout())
    for (let i = 0; i < warmup + rounds; i++) {
      await sleep(500);
      const f = check(
        await load.request({
          cmd: 'fanout',
          mode: 'visitor',
          match: '"presence.roster"',
          trigger: {
            url: `${server.url}/api/v1/me`,
            method: 'PATCH',
            headers: { cookie, 'x-flux-console': '1', 'content-type': 'application/json' },
            body: JSON.stringify({ status }),
          },
          timeoutMs: 15_000,
        }),
        'fanout',
      );
      log(
        `  fanout ours round ${i}${i < warmup ? ' (warm-up)' : ''} (${status}): p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, ` +
          `${f.received}/${f.expected}, PATCH answered in ${f.triggerMs.toFixed(1)} ms (HTTP ${f.status})`,
      );
      if (i >= warmup) out.push(f);
      status = status === 'offline' ? 'online' : 'offline';
    }
    return out;
  } finally {
    await server.stop();
    await load.stop('SIGKILL');
  }
}

export async function fanout(ctx) {
  const n = ctx.subscribers ?? (ctx.quick ? 2000 : 10_000);
  const rounds = ctx.quick ? 3 : 8;
  // Rounds not counted, for both alike. The first rounds on fresh connections run slower in
  // both processes (JIT, first frames on each TCP connection): the bare broadcast's rounds 1
  // and 2 took 170–230 ms where the later ones took 105–125, ours its round 1 150–190 ms.
  const warmup = ctx.quick ? 1 : 3;
  const reps = ctx.repeat ?? (ctx.quick ? 1 : 2);
  const bare = [];
  const ours = [];
  const errors = [];
  for (let r = 0; r < reps; r++) {
    bare.push(...(await bareRounds(n, warmup, rounds, ctx.log)));
    if (productAvailable()) {
      try {
        ours.push(...(await productRounds(n, warmup, rounds, ctx.log)));
      } catch (e) {
        ctx.log(`  fanout ours failed: ${e.message.split('\n')[0]}`);
        errors.push(e.message.slice(0, 2000));
      }
    }
  }
  const complete = (x) => x.received >= x.expected;
  const b = summarize(bare.filter(complete).map((x) => x.p99));
  const o = summarize(ours.filter(complete).map((x) => x.p99));
  const incomplete = ours.filter((x) => !complete(x)).length;
  const rows = [
    {
      id: 'fanout.p99',
      figure: `Presence fan-out to ${n} sockets, p99 (ms)`,
      unit: 'ms',
      ours: productAvailable() ? o : null,
      baseline: b,
      ratio: o.median / b.median,
      target: '≤ 1.1× bare p99',
      pass: productAvailable() ? o.n > 0 && o.median / b.median <= 1.1 && incomplete === 0 : null,
      note:
        `p50 ours ${summarize(ours.map((x) => x.p50)).median.toFixed(1)} ms vs bare ` +
        `${summarize(bare.map((x) => x.p50)).median.toFixed(1)} ms; ours includes the PATCH /me request` +
        (incomplete ? `; ${incomplete} round(s) did not reach every socket` : '') +
        (errors.length ? `; errors: ${errors.map((e) => e.split('\n')[0]).join(' | ')}` : ''),
    },
  ];
  return { rows, raw: { bare, ours, errors } };
}

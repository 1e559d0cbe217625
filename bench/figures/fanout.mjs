/**
 * Figure 4: presence fan-out. 10,000 sockets; one event; per socket, the time from the
 * trigger until the message arrives, measured in the load generator; p99 per round.
 * Baseline: bare `ws`, POST /broadcast sends one 180-byte message to every socket.
 * Ours: 10,000 visitor sessions subscribed to presence; the agent mia (console connected)
 * sets her status through PATCH /api/v1/me; every socket waits for `presence.roster`.
 * Both run at once, each with its own load generator, their events interleaved (since
 * 2026-12-04; before, all of bare's rounds came before all of ours).
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

/** The bare server with n sockets open; `event()` broadcasts once and measures it. */
async function openBare(n) {
  const server = await startBare();
  const load = await startLoad();
  const side = {
    name: 'bare',
    async stop() {
      await server.stop();
      await load.stop('SIGKILL');
    },
  };
  try {
    const r = check(
      await load.request({ cmd: 'open', n, mode: 'bare', url: server.wsUrl }),
      'open',
    );
    if (r.opened < n * 0.98)
      throw new Error(`only ${r.opened}/${n} sockets: ${JSON.stringify(r.errors)}`);
  } catch (e) {
    await side.stop();
    throw e;
  }
  side.event = async () => {
    const f = check(
      await load.request({
        cmd: 'fanout',
        match: '"presence.roster"',
        trigger: { url: `${server.url}/broadcast?bytes=180`, method: 'POST' },
        timeoutMs: 15_000,
      }),
      'fanout',
    );
    return {
      f,
      line: `p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, ${f.received}/${f.expected}`,
    };
  };
  return side;
}

/**
 * Our server with n visitor sessions subscribed to presence and mia's console; `event()`
 * sets her status (alternately offline and online) and measures the roster's arrival.
 */
async function openOurs(n) {
  const server = await startProduct();
  const load = await startLoad();
  const side = {
    name: 'ours',
    async stop() {
      await server.stop();
      await load.stop('SIGKILL');
    },
  };
  let cookie;
  try {
    cookie = await signIn(server.url, DEMO.agents[0]);
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
  } catch (e) {
    await side.stop();
    throw e;
  }
  let status = 'offline';
  side.event = async () => {
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
    const line =
      `(${status}) p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, ` +
      `${f.received}/${f.expected}, PATCH answered in ${f.triggerMs.toFixed(1)} ms (HTTP ${f.status})`;
    status = status === 'offline' ? 'online' : 'offline';
    return { f, line };
  };
  return side;
}

/**
 * One repetition: both servers up at once, each with its own load generator and sockets, and
 * their events interleaved (the order alternating from round to round), so that the two are
 * measured over the same minute of a shared machine whose speed drifts.
 */
async function interleavedRounds(n, warmup, rounds, log, errors) {
  clearTcpMetrics();
  const out = { bare: [], ours: [] };
  const bare = await openBare(n);
  let ours = null; // null once it failed: the rounds go on with the bare side alone
  let oursStarted = null;
  try {
    if (productAvailable()) {
      try {
        ours = oursStarted = await openOurs(n);
      } catch (e) {
        log(`  fanout ours failed: ${e.message.split('\n')[0]}`);
        errors.push(e.message.slice(0, 2000));
      }
    }
    for (let i = 0; i < warmup + rounds; i++) {
      const order = ours ? (i % 2 ? [ours, bare] : [bare, ours]) : [bare];
      for (const side of order) {
        await sleep(500);
        let result;
        try {
          result = await side.event();
        } catch (e) {
          if (side === bare) throw e;
          log(`  fanout ours failed: ${e.message.split('\n')[0]}`);
          errors.push(e.message.slice(0, 2000));
          ours = null;
          break;
        }
        log(`  fanout ${side.name} round ${i}${i < warmup ? ' (warm-up)' : ''}: ${result.line}`);
        if (i >= warmup) out[side.name].push(result.f);
      }
    }
    return out;
  } finally {
    await bare.stop();
    await oursStarted?.stop();
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
    const got = await interleavedRounds(n, warmup, rounds, ctx.log, errors);
    bare.push(...got.bare);
    ours.push(...got.ours);
  }
  const complete = (x) => x.received >= x.expected;
  const b = summarize(bare.filter(complete).map((x) => x.p99));
  const o = summarize(ours.filter(complete).map((x) => x.p99));
  const incomplete = ours.filter((x) => !complete(x)).length;
  // rounds pair up by index unless ours failed part-way
  const paired = summarize(
    (ours.length === bare.length ? ours : []).flatMap((x, i) =>
      bare[i] && complete(x) && complete(bare[i]) ? [x.p99 / bare[i].p99] : [],
    ),
  );
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
        `${summarize(bare.map((x) => x.p50)).median.toFixed(1)} ms; ours includes the PATCH /me request; ` +
        (paired.n
          ? `events interleaved, ours / bare of the same round: median ${paired.median.toFixed(2)}× (${paired.min.toFixed(2)}–${paired.max.toFixed(2)})`
          : 'events interleaved') +
        (incomplete ? `; ${incomplete} round(s) did not reach every socket` : '') +
        (errors.length ? `; errors: ${errors.map((e) => e.split('\n')[0]).join(' | ')}` : ''),
    },
  ];
  return { rows, raw: { bare, ours, errors } };
}

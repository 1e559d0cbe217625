/** Shared pieces of the figures: starting the bare server and a load generator. */
import { join } from 'node:path';
import { BENCH_DIR, freePort, PROBE, startNode, waitForHttp } from '../lib/proc.mjs';

export async function startBare(extraArgs = []) {
  const port = await freePort();
  const proc = startNode(join(BENCH_DIR, 'servers/bare-ws.mjs'), ['--port', port, ...extraArgs], {
    nodeArgs: ['--expose-gc', '--import', PROBE],
  });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, proc);
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    proc,
    stop: () => proc.stop('SIGKILL'),
  };
}

export async function startLoad(script = 'load/ws-clients.mjs', args = []) {
  const proc = startNode(join(BENCH_DIR, script), args);
  await proc.message((m) => m && m.ready === true, 30_000);
  return proc;
}

/** Throws with the load generator's answer when it reports an error. */
export function check(reply, what) {
  if (reply && typeof reply.error === 'string') throw new Error(`${what}: ${reply.error}`);
  return reply;
}

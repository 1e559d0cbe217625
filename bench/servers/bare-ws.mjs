/**
 * The bare baseline server: node:http + `ws` (noServer, like the product's endpoint), nothing
 * else. It is what the product's server is compared with in the same run:
 * - idle sockets (memory per connection): every socket is kept in a Set, nothing more;
 * - broadcast (fan-out): POST /broadcast?bytes=180 sends one prebuilt message of that size
 *   to every socket, the way a minimal pub/sub would;
 * - relay (call setups, browser calls): a socket names itself with {"hello":"<id>"} and any
 *   {"to":"<id>",…} is forwarded verbatim to that socket;
 * - static files (browser baseline pages) from --static DIR.
 *
 *   node bench/servers/bare-ws.mjs --port 8000 [--static bench/browser/pages]
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    static: { type: 'string' },
  },
});

const sockets = new Set();
const byId = new Map();
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript' };

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/healthz') {
    res.end(JSON.stringify({ sockets: sockets.size }));
    return;
  }
  if (url.pathname === '/broadcast' && req.method === 'POST') {
    const bytes = Number(url.searchParams.get('bytes') ?? 180);
    const head = JSON.stringify({ type: 'presence.roster', seq: 1, t: Date.now(), pad: '' });
    const msg = head.replace('"pad":""', `"pad":"${'x'.repeat(Math.max(0, bytes - head.length))}"`);
    let n = 0;
    for (const ws of sockets) {
      ws.send(msg);
      n++;
    }
    res.end(JSON.stringify({ sent: n, bytes: Buffer.byteLength(msg) }));
    return;
  }
  if (values.static && req.method === 'GET') {
    const file = normalize(join(values.static, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!file.startsWith(normalize(values.static))) {
      res.statusCode = 403;
      res.end();
      return;
    }
    readFile(file).then(
      (body) => {
        res.setHeader('content-type', TYPES[extname(file)] ?? 'application/octet-stream');
        res.end(body);
      },
      () => {
        res.statusCode = 404;
        res.end('not found');
      },
    );
    return;
  }
  res.statusCode = 404;
  res.end();
});

server.on('upgrade', (req, socket, head) => {
  if (!req.url?.startsWith('/ws')) {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.add(ws);
    let id = null;
    ws.on('message', (data) => {
      let m;
      try {
        m = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (typeof m.hello === 'string') {
        id = m.hello;
        byId.set(id, ws);
        ws.send(JSON.stringify({ welcome: id }));
      } else if (typeof m.to === 'string') {
        byId.get(m.to)?.send(data.toString());
      }
    });
    ws.on('close', () => {
      sockets.delete(ws);
      if (id !== null && byId.get(id) === ws) byId.delete(id);
    });
    ws.on('error', () => {});
  });
});

server.listen(Number(values.port), values.host, () => {
  const a = server.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : ''}\n`);
});
process.on('SIGTERM', () => process.exit(0));

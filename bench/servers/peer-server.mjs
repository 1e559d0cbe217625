/**
 * PeerJS's own signaling server (npm `peer`), the second baseline of the browser benchmark.
 *   node bench/servers/peer-server.mjs --port 9000
 */
import { parseArgs } from 'node:util';
import { PeerServer } from 'peer';

const { values } = parseArgs({ options: { port: { type: 'string', default: '9000' } } });
PeerServer({ port: Number(values.port), path: '/', allow_discovery: false }, () => {
  process.stdout.write(`listening ${values.port}\n`);
});
process.on('SIGTERM', () => process.exit(0));

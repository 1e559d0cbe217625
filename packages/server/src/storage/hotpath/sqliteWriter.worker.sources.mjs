// The writer thread's entry when the server runs from its TypeScript sources (vitest,
// `node --import tsx`): installs tsx's loader in this thread, then loads the .ts entry. On
// Node 20 a worker's `execArgv: ['--import', 'tsx']` does not reach the worker's own module
// loading (nodejs/node#47747), so the loader is registered here, through tsx's documented
// `register()` API. Nothing else belongs in this file; the built server never loads it.
import { register } from 'tsx/esm/api';

register();
await import('./sqliteWriter.worker.ts');

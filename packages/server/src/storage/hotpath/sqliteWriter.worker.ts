/**
 * The writer thread's entry (`WorkerExecutor` starts it): its own connection to the database
 * file, opened as the adapter opens its own (WAL, the adapter's `synchronous`, foreign keys,
 * busy timeout); runs one batch per message and answers with plain data. Built as
 * dist/sqlite-writer.js next to dist/main.js; from sources it runs under tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  makeWriter,
  plainError,
  type FromWriterWorker,
  type ToWriterWorker,
  type WriterWorkerData,
} from './sqliteWriter.core.ts';

const port = parentPort;
if (!port) throw new Error('sqliteWriter.worker.ts runs as a worker thread only');
const data = workerData as WriterWorkerData;

const db = new Database(data.file);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${data.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
const writer = makeWriter(db, data.sql);

const reply = (m: FromWriterWorker): void => {
  port.postMessage(m);
};

port.on('message', (m: ToWriterWorker) => {
  if (m.t === 'batch') {
    const out = writer.runBatch(m.jobs);
    if (!out.ok) {
      reply({ t: 'failed', error: plainError(out.error) });
      return;
    }
    reply({
      t: 'done',
      results: out.results.map((r) => (r.ok ? r : { ok: false, error: plainError(r.error) })),
    });
  } else {
    db.close();
    reply({ t: 'closed' });
  }
});

// The embedded database's thread: PGlite (PostgreSQL compiled to WebAssembly)
// runs here, so that a long statement or a large write never holds the thread
// that answers HTTP requests. Plain JavaScript: nothing to compile at start.
// Messages: {id, op: 'open', dataDir, snapshot} | {id, op: 'query', sql, params} | {id, op: 'ping'} | {id, op: 'dump', file} | {id, op: 'close'}.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

let pglite;

/** A database error's fields as data (an Error does not cross threads with its properties). */
function errorData(error) {
  const e = error ?? {};
  const out = { message: typeof e.message === 'string' ? e.message : String(error), name: typeof e.name === 'string' ? e.name : 'Error' };
  // Codes and names only: the query's parameters and `detail` can hold what a citizen typed.
  for (const key of ['code', 'severity', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine']) {
    if (e[key] !== undefined) {
      try {
        out[key] = structuredClone(e[key]);
      } catch {
        // a field that cannot be copied is left behind
      }
    }
  }
  return out;
}

async function handle(job) {
  switch (job.op) {
    case 'open':
      // A snapshot (tests): an in-memory database restored from a dump, four times faster than initdb.
      if (job.snapshot && existsSync(job.snapshot)) {
        pglite = await PGlite.create({ loadDataDir: new Blob([readFileSync(job.snapshot)]) });
        return { restored: true };
      }
      pglite = await PGlite.create(job.dataDir ?? undefined);
      return {};
    case 'dump': {
      const dump = await pglite.dumpDataDir('none');
      // Written aside then renamed: another process reading it sees all of it or nothing.
      const partial = `${job.file}.${process.pid}.${job.id}.partial`;
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      renameSync(partial, job.file);
      return {};
    }
    case 'query': {
      const { rows, affectedRows } = await pglite.query(job.sql, job.params, { rowMode: 'object' });
      return { rows, affectedRows };
    }
    case 'ping':
      // Answered between two statements, without waiting for the connection (healthz during large writes).
      if (!pglite || pglite.closed || !pglite.ready) throw new Error('the embedded database is not open');
      return {};
    case 'close':
      if (pglite && !pglite.closed) await pglite.close();
      return {};
    default:
      throw new Error(`unknown operation ${job.op}`);
  }
}

parentPort.on('message', (job) => {
  handle(job).then(
    (result) => parentPort.postMessage({ id: job.id, ...result }),
    (error) => parentPort.postMessage({ id: job.id, error: errorData(error) }),
  );
});

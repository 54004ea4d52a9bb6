/**
 * A Mailer that composes in its own thread (see mail-worker.ts) and hands
 * the bytes over from this one: the final step of a handover has to be taken
 * in the thread that commits the outbox's transaction (see Handover). The
 * thread starts with the first message, not with the server: a second V8
 * isolate and nodemailer cost about 16 MB that a server sending no mail
 * (most of its life) need not hold.
 */
import { Worker } from 'node:worker_threads';
import { createTransport, type Mailer, type MailerOptions, type OutgoingMail, type RawMessage } from './mailer.ts';

interface Reply {
  id: number;
  message?: { from: string; to: string[]; raw: Uint8Array };
  error?: { code?: unknown };
}

/** Compiled (scripts/build.js), the thread runs mail-worker.js itself; from the sources, an entry that loads tsx first. */
function workerEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './mail-worker-entry.js' : './mail-worker.js', import.meta.url);
}

export function createWorkerMailer(options: MailerOptions): Mailer {
  const transport = createTransport(options);
  let worker: Worker | undefined;
  const pending = new Map<number, { resolve: (m: RawMessage) => void; reject: (e: unknown) => void }>();
  let next = 0;

  function started(): Worker {
    if (worker) return worker;
    const w = new Worker(workerEntry(), { workerData: { from: options.from } });
    w.unref();
    w.on('message', (reply: Reply) => {
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if (!p) return;
      if (reply.message) p.resolve({ from: reply.message.from, to: reply.message.to, raw: Buffer.from(reply.message.raw.buffer, reply.message.raw.byteOffset, reply.message.raw.byteLength) });
      else p.reject(Object.assign(new Error('mail not composed'), reply.error));
    });
    w.on('error', (error) => {
      for (const p of pending.values()) p.reject(error);
      pending.clear();
      // A thread that failed is started afresh for the next message.
      if (worker === w) worker = undefined;
    });
    worker = w;
    return w;
  }

  const compose = (w: Worker, mail: OutgoingMail) =>
    new Promise<RawMessage>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, mail });
    }).finally(() => {
      if (pending.size === 0) w.unref();
    });
  return {
    prepare: async (mail) => transport.prepare(await compose(started(), mail)),
    async close() {
      const w = worker;
      worker = undefined;
      await transport.close();
      if (w) await w.terminate();
    },
  };
}

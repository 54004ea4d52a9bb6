/**
 * A Mailer whose work runs in its own thread (see mail-worker.ts); same
 * contract as createMailer. The thread starts with the first message, not
 * with the server: a second V8 isolate and nodemailer cost about 16 MB that a
 * server sending no mail (most of its life) need not hold.
 */
import { Worker } from 'node:worker_threads';
import type { Mailer, MailerOptions, OutgoingMail } from './mailer.ts';

interface Reply {
  id: number;
  error?: { code?: unknown; responseCode?: unknown; permanent?: unknown };
}

/** Compiled (scripts/build.js), the thread runs mail-worker.js itself; from the sources, an entry that loads tsx first. */
function workerEntry(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './mail-worker-entry.js' : './mail-worker.js', import.meta.url);
}

export function createWorkerMailer(options: MailerOptions): Mailer {
  let worker: Worker | undefined;
  const pending = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  let next = 0;

  function started(): Worker {
    if (worker) return worker;
    const w = new Worker(workerEntry(), { workerData: options });
    w.unref();
    w.on('message', (reply: Reply) => {
      const p = pending.get(reply.id);
      pending.delete(reply.id);
      if (!p) return;
      if (reply.error) p.reject(Object.assign(new Error('mail not delivered'), reply.error));
      else p.resolve();
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

  const call = (w: Worker, job: { mail?: OutgoingMail; close?: true }) =>
    new Promise<void>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, ...job });
    }).finally(() => {
      if (pending.size === 0) w.unref();
    });
  return {
    send: (mail) => call(started(), { mail }),
    async close() {
      const w = worker;
      if (!w) return;
      worker = undefined;
      await call(w, { close: true });
      await w.terminate();
    },
  };
}

/** A Mailer whose work runs in its own thread (see mail-worker.ts); same contract as createMailer. */
import { Worker } from 'node:worker_threads';
import type { Mailer, MailerOptions, OutgoingMail } from './mailer.ts';

interface Reply {
  id: number;
  error?: { code?: unknown; responseCode?: unknown; permanent?: unknown };
}

export function createWorkerMailer(options: MailerOptions): Mailer {
  const worker = new Worker(new URL('./mail-worker-entry.js', import.meta.url), { workerData: options });
  worker.unref();
  const pending = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  let next = 0;
  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (!p) return;
    if (reply.error) p.reject(Object.assign(new Error('mail not delivered'), reply.error));
    else p.resolve();
  });
  worker.on('error', (error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  });
  const call = (job: { mail?: OutgoingMail; close?: true }) =>
    new Promise<void>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...job });
    }).finally(() => {
      if (pending.size === 0) worker.unref();
    });
  return {
    send: (mail) => call({ mail }),
    async close() {
      await call({ close: true });
      await worker.terminate();
    },
  };
}

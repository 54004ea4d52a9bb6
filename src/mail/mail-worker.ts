/**
 * The mailer's thread. Composing a message (MIME, quoted-printable) costs
 * most of a millisecond of CPU: done here, it never competes with the
 * request thread that answers citizens. The bytes go back to be sent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { composeMessage } from './compose.ts';
import type { OutgoingMail } from './mailer.ts';

interface Job {
  id: number;
  mail: OutgoingMail;
}

const { from } = workerData as { from: string };

parentPort!.on('message', (job: Job) => {
  composeMessage(from, job.mail).then(
    (m) => {
      // A copy of its own size: a view would carry its whole (pooled) buffer across.
      const raw = new Uint8Array(m.raw);
      parentPort!.postMessage({ id: job.id, message: { from: m.from, to: m.to, raw } });
    },
    // Only a code: never the message or the address.
    (error: { code?: unknown }) => parentPort!.postMessage({ id: job.id, error: { code: typeof error?.code === 'string' ? error.code : 'ECOMPOSE' } }),
  );
});

/**
 * The mailer's thread. Composing a message (MIME, quoted-printable) and
 * writing or sending it costs about a millisecond of CPU: done here, it
 * never competes with the request thread that answers citizens.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createMailer, type MailerOptions, type OutgoingMail } from './mailer.ts';

interface Job {
  id: number;
  mail?: OutgoingMail;
  close?: true;
}

const mailer = createMailer(workerData as MailerOptions);

parentPort!.on('message', (job: Job) => {
  const work = job.close ? mailer.close() : mailer.send(job.mail!);
  work.then(
    () => parentPort!.postMessage({ id: job.id }),
    // Only what the queue needs to decide on a retry: never the message or the address.
    (error: { code?: unknown; responseCode?: unknown; permanent?: unknown }) =>
      parentPort!.postMessage({ id: job.id, error: { code: error?.code, responseCode: error?.responseCode, permanent: error?.permanent } }),
  );
});

/**
 * A few SMTP connections kept open and lent one message at a time. A
 * connection is held from `prepare` to the server's answer to the final
 * line; one that failed, or a message abandoned, is closed rather than lent
 * again.
 */
import type { Handover, Transport } from './mailer.ts';
import { SmtpConnection, smtpSettings, type SmtpSettings } from './smtp-connection.ts';

export interface SmtpTransportOptions {
  maxConnections?: number;
  settings?: Partial<SmtpSettings>;
}

export function smtpTransport(url: string, options: SmtpTransportOptions = {}): Transport {
  const settings = smtpSettings(url, options.settings);
  const max = options.maxConnections ?? 3;
  const idle: SmtpConnection[] = [];
  const waiting: (() => void)[] = [];
  let open = 0;
  // A connection lent before `close` is closed when it comes back; the transport itself can send again.
  let generation = 0;
  const born = new WeakMap<SmtpConnection, number>();

  async function acquire(): Promise<SmtpConnection> {
    for (;;) {
      const conn = idle.pop();
      if (conn) {
        if (!conn.usable) {
          open--;
          continue;
        }
        conn.ref();
        return conn;
      }
      if (open < max) {
        open++;
        try {
          const opened = await SmtpConnection.open(settings);
          born.set(opened, generation);
          return opened;
        } catch (e) {
          open--;
          waiting.shift()?.();
          throw e;
        }
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  }

  function release(conn: SmtpConnection, reusable: boolean): void {
    if (reusable && conn.usable && born.get(conn) === generation) {
      // An idle connection does not keep the process alive; the server ends it after a while.
      conn.unref();
      idle.push(conn);
    } else {
      conn.destroy();
      open--;
    }
    waiting.shift()?.();
  }

  return {
    async prepare(message): Promise<Handover> {
      const conn = await acquire();
      try {
        await conn.begin(message.from, message.to, message.raw);
      } catch (e) {
        // A refused envelope leaves the connection fit for the next one once reset.
        const refused = (e as { responseCode?: unknown }).responseCode !== undefined && conn.usable;
        release(conn, refused && (await conn.reset().then(() => true, () => false)));
        throw e;
      }
      let settled = false;
      return {
        get ready() {
          return !settled && conn.usable;
        },
        complete() {
          if (settled) return { handed: false, answer: Promise.reject(new Error('message already handed over')) };
          settled = true;
          const { handed, answer } = conn.finish();
          return {
            handed,
            answer: answer.then(
              () => release(conn, true),
              (e: unknown) => {
                release(conn, (e as { responseCode?: unknown }).responseCode !== undefined);
                throw e;
              },
            ),
          };
        },
        abandon() {
          if (settled) return;
          settled = true;
          release(conn, false);
        },
      };
    },
    async close() {
      generation++;
      const leaving = idle.splice(0);
      open -= leaving.length;
      await Promise.all(leaving.map((c) => c.quit()));
    },
  };
}

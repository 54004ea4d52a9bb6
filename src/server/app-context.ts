/** What route modules receive from the server: shared services, never globals. */
import type { Config } from '../config/config.ts';
import type { MasterKeyring } from '../crypto/master-keyring.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import { MailQueue, type WarnLogger } from '../mail/mail-queue.ts';
import type { Mailer } from '../mail/mailer.ts';
import { createWorkerMailer } from '../mail/worker-mailer.ts';
import { RegisterDirectory } from '../register/register-directory.ts';

export type AppConfig = Pick<Config, 'publicUrl' | 'submissionsPerMinute'> & Partial<Pick<Config, 'trackingLookupsPerMinute'>>;

export interface AppContext {
  database: Database;
  registers: RegisterDirectory;
  keys: TenantKeys;
  mail: MailQueue;
  config: AppConfig;
  close(): Promise<void>;
}

export interface AppContextOptions {
  database: Database;
  keyring: MasterKeyring;
  config: AppConfig & Pick<Config, 'smtpUrl' | 'mailFrom'>;
  outboxDir: string;
  logger: WarnLogger;
  /** How long the register in force is trusted before it is re-read (tests: 0). */
  registerTtlMs?: number;
  mailRetryDelaysMs?: readonly number[];
}

export function createAppContext(options: AppContextOptions): AppContext {
  const mailer: Mailer = createWorkerMailer({ smtpUrl: options.config.smtpUrl, outboxDir: options.outboxDir, from: options.config.mailFrom });
  const mail = new MailQueue(mailer, { logger: options.logger, ...(options.mailRetryDelaysMs ? { retryDelaysMs: options.mailRetryDelaysMs } : {}) });
  return {
    database: options.database,
    registers: new RegisterDirectory(options.database.db, options.registerTtlMs === undefined ? {} : { ttlMs: options.registerTtlMs }),
    keys: new TenantKeys(options.database.db, options.keyring),
    mail,
    config: options.config,
    async close() {
      await mail.drain();
      await mailer.close();
    },
  };
}

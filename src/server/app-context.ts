/** What route modules receive from the server: shared services, never globals. */
import type { Config } from '../config/config.ts';
import type { MasterKeyring } from '../crypto/master-keyring.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import type { Database } from '../db/database.ts';
import type { Mailer } from '../mail/mailer.ts';
import { OutboxWorker, type OutboxLogger } from '../mail/outbox-worker.ts';
import { createWorkerMailer } from '../mail/worker-mailer.ts';
import { RegisterDirectory } from '../register/register-directory.ts';
import { RateLimits } from '../web/rate-limits.ts';
import { HitBuffer } from '../audience/hit-buffer.ts';
import { VisitorKeys } from '../audience/visitor-key.ts';

export type AppConfig = Pick<Config, 'publicUrl' | 'submissionsPerMinute'> &
  Partial<Pick<Config, 'trackingLookupsPerMinute' | 'trustProxy' | 'hitsPerMinute'>> & {
    /** Failed bearer tokens from one address before it must wait (tests raise it). */
    authFailuresPerMinute?: number;
    /** Rights requests from one address in an hour (page and API together). */
    rightsRequestsPerHour?: number;
  };

export interface AppContext {
  database: Database;
  registers: RegisterDirectory;
  keys: TenantKeys;
  /** Only to check at start that it opens the tenants' data keys (/healthz). */
  keyring: MasterKeyring;
  /** Sends what submissions queued in the outbox table; `nudge` after queuing. */
  mail: OutboxWorker;
  config: AppConfig;
  /** Per purpose and client address, whichever route a request came through. */
  limits: RateLimits;
  /** Audience hits waiting for their batched insert. */
  hits: HitBuffer;
  /** The day keys that turn a visitor cookie into the day's visitor hash. */
  visitorKeys: VisitorKeys;
  close(): Promise<void>;
}

export interface AppContextOptions {
  database: Database;
  keyring: MasterKeyring;
  config: AppConfig & Pick<Config, 'smtpUrl' | 'mailFrom'> & Partial<Pick<Config, 'mailLeaseSeconds'>>;
  outboxDir: string;
  logger: OutboxLogger;
  /** How long the register in force is trusted before it is re-read (tests: 0). */
  registerTtlMs?: number;
  mailRetryDelaysMs?: readonly number[];
  /** Another way out for e-mail (the benchmark's `--mail off`); default SMTP or the outbox folder. */
  mailer?: Mailer;
}

/** Failed bearer tokens from one address before it is made to wait: enough for typing mistakes, not for guessing. */
const AUTH_FAILURES_PER_MINUTE = 10;
const DEFAULT_TRACKING_PER_MINUTE = 20;
/** A person makes a few rights requests; a flood from one address is refused before it reaches anyone's mailbox. */
const RIGHTS_REQUESTS_PER_HOUR = 10;
/** A visitor changes its choices a few times; a script posting proofs in a loop is refused. */
const CONSENTS_PER_MINUTE = 30;
/**
 * Hits are counted per truncated address (a /16 or a /48: the full address is never kept, not even here),
 * so the limit covers many visitors behind one prefix: generous for people, bounded for a flood.
 */
const HITS_PER_MINUTE = 600;

export function rateLimitsFor(config: AppConfig): RateLimits {
  const perMinute = (max: number) => ({ max, windowMs: 60_000 });
  return new RateLimits({
    submission: perMinute(config.submissionsPerMinute),
    draft: perMinute(config.submissionsPerMinute),
    tracking: perMinute(config.trackingLookupsPerMinute ?? DEFAULT_TRACKING_PER_MINUTE),
    'auth-failure': perMinute(config.authFailuresPerMinute ?? AUTH_FAILURES_PER_MINUTE),
    rights: { max: config.rightsRequestsPerHour ?? RIGHTS_REQUESTS_PER_HOUR, windowMs: 3_600_000 },
    consent: perMinute(CONSENTS_PER_MINUTE),
    hit: perMinute(config.hitsPerMinute ?? HITS_PER_MINUTE),
  });
}

export function createAppContext(options: AppContextOptions): AppContext {
  const mailer: Mailer = options.mailer ?? createWorkerMailer({ smtpUrl: options.config.smtpUrl, outboxDir: options.outboxDir, from: options.config.mailFrom });
  const keys = new TenantKeys(options.database.db, options.keyring);
  const mail = new OutboxWorker({
    db: options.database.db,
    keys,
    mailer,
    logger: options.logger,
    ...(options.mailRetryDelaysMs ? { retryDelaysMs: options.mailRetryDelaysMs } : {}),
    ...(options.config.mailLeaseSeconds ? { leaseMs: options.config.mailLeaseSeconds * 1000 } : {}),
  });
  mail.start();
  const hits = new HitBuffer(options.database.db, { onError: (err, lost) => options.logger.error({ err, lost }, 'audience hits not stored') });
  return {
    database: options.database,
    registers: new RegisterDirectory(options.database.db, options.registerTtlMs === undefined ? {} : { ttlMs: options.registerTtlMs }),
    keys,
    keyring: options.keyring,
    mail,
    config: options.config,
    limits: rateLimitsFor(options.config),
    hits,
    visitorKeys: new VisitorKeys(keys),
    async close() {
      await hits.flush();
      // What is not sent yet stays in the outbox for the next start.
      await mail.stop();
      await mailer.close();
    },
  };
}

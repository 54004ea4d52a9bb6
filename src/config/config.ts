/**
 * The environment, parsed once into a typed object. Nothing else in the code
 * reads `process.env`; every problem is reported at start-up, all at once.
 */
import { z } from 'zod';

const Env = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'doit commencer par postgres:// ou postgresql://')
    .optional(),
  BASTIDE_DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Set behind a TLS-terminating proxy so that cookies get `Secure` and HSTS is sent. */
  BASTIDE_PUBLIC_URL: z.string().url().optional(),
  /**
   * Which peers may set X-Forwarded-For / X-Forwarded-Host (with a public URL):
   * `loopback` (a proxy on the same machine), `uniquelocal`, addresses or
   * CIDR ranges separated by commas, or a number of proxy hops. Anyone else's
   * forwarded headers are ignored: a client cannot choose its own address.
   */
  BASTIDE_TRUST_PROXY: z
    .string()
    .regex(/^(\d{1,2}|[0-9a-zA-Z.:/,\s]+)$/, 'attendu : loopback, uniquelocal, des adresses ou plages CIDR séparées par des virgules, ou un nombre de relais')
    .default('loopback'),
  /** Base64 of 32 random bytes; or a key file (one `id:base64` per line, the first is current). */
  BASTIDE_MASTER_KEY: z.string().min(1).optional(),
  BASTIDE_MASTER_KEY_FILE: z.string().min(1).optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'doit commencer par smtp:// ou smtps://').optional(),
  BASTIDE_MAIL_FROM: z.string().min(3).default('Bastide <ne-pas-repondre@localhost>'),
  /** Submissions accepted per minute from one address (forms and API). */
  BASTIDE_SUBMISSIONS_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Tracking-code look-ups per minute from one address (page and API): codes cannot be guessed by trying. */
  BASTIDE_TRACKING_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** Audience hits counted per minute from one truncated address (a /16 or a /48: many visitors); beyond, ignored. */
  BASTIDE_HITS_PER_MINUTE: z.coerce.number().int().positive().default(600),
  /**
   * How long an instance holds an e-mail it is sending before another may take
   * it over (the holder may have died): longer than the SMTP time-outs.
   */
  BASTIDE_MAIL_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(90),
});

export interface Config {
  /** PostgreSQL server, or undefined for the embedded database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  publicUrl: string | undefined;
  /** Fastify's trustProxy: a number of hops, or proxy-addr's list. */
  trustProxy: string | number;
  masterKey: string | undefined;
  masterKeyFile: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  submissionsPerMinute: number;
  trackingLookupsPerMinute: number;
  hitsPerMinute: number;
  mailLeaseSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration invalide :\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Options given on the command line win over the environment. */
export interface ConfigOverrides {
  dataDir?: string | undefined;
  port?: number | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv, overrides: ConfigOverrides = {}): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: overrides.dataDir ?? e.BASTIDE_DATA_DIR,
    port: overrides.port ?? e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    publicUrl: e.BASTIDE_PUBLIC_URL,
    trustProxy: /^\d+$/.test(e.BASTIDE_TRUST_PROXY) ? Number(e.BASTIDE_TRUST_PROXY) : e.BASTIDE_TRUST_PROXY,
    masterKey: e.BASTIDE_MASTER_KEY,
    masterKeyFile: e.BASTIDE_MASTER_KEY_FILE,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.BASTIDE_MAIL_FROM,
    submissionsPerMinute: e.BASTIDE_SUBMISSIONS_PER_MINUTE,
    trackingLookupsPerMinute: e.BASTIDE_TRACKING_PER_MINUTE,
    hitsPerMinute: e.BASTIDE_HITS_PER_MINUTE,
    mailLeaseSeconds: e.BASTIDE_MAIL_LEASE_SECONDS,
  };
}

/**
 * The database as Kysely sees it. Every table is keyed by tenant first, so
 * that a distributed PostgreSQL (Citus) can shard it by tenant later.
 */
import type { ColumnType } from 'kysely';

/** A timestamptz the database fills in by default. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TenantsTable {
  id: string;
  name: string;
  /** Version of the register in force; null only between creation and first version. */
  current_version: number | null;
  /** The register version the records' expiry dates follow (src/retention/expiry-changes.ts). */
  expiries_version: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: CreatedAt;
}

export interface RegisterVersionsTable {
  tenant_id: string;
  version: number;
  /** SHA-256 of the canonical JSON: a comment or layout change is not a new version. */
  content_hash: string;
  /** The YAML as the DPO wrote it, comments included, for the record. */
  source: string;
  /** The checked register (defaults filled in), as the platform uses it. */
  register: ColumnType<unknown, string, string>;
  loaded_at: CreatedAt;
  loaded_by: string;
}

export type RecordStatus = 'received' | 'in-progress' | 'done' | 'rejected';

export interface TenantKeysTable {
  tenant_id: string;
  version: number;
  /** The tenant's data key, encrypted under a master key (never stored in clear). */
  wrapped: string;
  master_key_id: string;
  created_at: CreatedAt;
}

export interface AgentsTable {
  tenant_id: string;
  id: string;
  email: string;
  role: 'agent' | 'dpo' | 'admin';
  password_hash: string | null;
  created_at: CreatedAt;
  disabled_at: Date | null;
  /** How colleagues see who holds a request; the e-mail when unset. */
  display_name: ColumnType<string | null, string | null | undefined, string | null>;
  failed_sign_ins: ColumnType<number, number | undefined, number>;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The TOTP secret, sealed under the tenant key; set at enrolment, confirmed by `totp_enabled_at`. */
  totp_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  totp_key_version: ColumnType<number | null, number | null | undefined, number | null>;
  totp_enabled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The last time step accepted: a code is good once. */
  totp_last_step: ColumnType<string | null, number | null | undefined, number | null>;
}

export interface AgentServicesTable {
  tenant_id: string;
  agent_id: string;
  service_id: string;
}

export interface ApiTokensTable {
  tenant_id: string;
  /** SHA-256 of the token: a stolen database does not yield usable tokens. */
  token_hash: string;
  /** `tok_` and 12 hex digits: names the token (list, revoke) without its secret. */
  public_id: string;
  agent_id: string;
  created_at: CreatedAt;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  revoked_at: Date | null;
}

export interface RecordsTable {
  tenant_id: string;
  id: string;
  processing_id: string;
  form_id: string;
  service_id: string;
  register_version: number;
  status: ColumnType<RecordStatus, RecordStatus | undefined, RecordStatus>;
  /** Values of fields that are not encrypted, by field name (groups as arrays of objects). */
  data: ColumnType<Record<string, unknown>, string, string>;
  /** Encrypted fields (health, `encrypted: true`), sealed together under the tenant key. */
  sealed: string | null;
  key_version: number | null;
  tracking_hash: string;
  /** One submission, one record: a replayed form token or Idempotency-Key finds this row. */
  submission_key: string | null;
  /** Keyed hash of the request an Idempotency-Key came with: a replay gets the first answer back. */
  request_digest: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  closed_at: Date | null;
  expires_at: Date | null;
  frozen: ColumnType<boolean, boolean | undefined, boolean>;
  /** The agent handling the request, so that two colleagues do not both do it. */
  claimed_by: ColumnType<string | null, string | null | undefined, string | null>;
  claimed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Set when retention anonymised the record (src/retention/anonymise.ts). */
  anonymised_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** What retention does at expires_at (the rule that gave the date); null only before the first recomputation after upgrading. */
  expiry_action: ColumnType<'delete' | 'anonymise' | 'archive' | null, 'delete' | 'anonymise' | 'archive' | null | undefined, 'delete' | 'anonymise' | 'archive' | null>;
  /** When retention archived it: from then on only the DPO reads it, until expires_at (its final deletion). */
  archived_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** When the notice before deletion was queued for the current expires_at (retention.notifyBefore). */
  deletion_notice_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type AccountKind = 'agent' | 'citizen';

export interface SessionsTable {
  tenant_id: string;
  /** SHA-256 of the cookie's id: a copy of the table opens no session. */
  id_hash: string;
  account_kind: AccountKind;
  account_id: string;
  /** Signed in with a password, still owing a second factor, or an enrolment in it. */
  stage: 'second-factor' | 'enrol' | 'active';
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, Date | string, Date | string>;
  idle_expires_at: ColumnType<Date, Date | string, Date | string>;
  absolute_expires_at: ColumnType<Date, Date | string, Date | string>;
  ended_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface RecoveryCodesTable {
  tenant_id: string;
  agent_id: string;
  code_hash: string;
  used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface AccountLinksTable {
  tenant_id: string;
  token_hash: string;
  purpose: 'reset' | 'invitation' | 'confirmation';
  account_kind: AccountKind;
  account_id: string;
  created_at: CreatedAt;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** A private note of the service's agents, or a reply sent to the citizen: sealed like the record. */
export interface RecordMessagesTable {
  tenant_id: string;
  id: string;
  record_id: string;
  author_id: string | null;
  author: string;
  sealed: string;
  key_version: number;
  created_at: CreatedAt;
}

/** A citizen's account: the e-mail sealed, found by its blind index (the one `record_subjects` holds). */
export interface CitizensTable {
  tenant_id: string;
  id: string;
  email_index: string;
  /** Blind index of a new address waiting for its confirmation. */
  pending_index: ColumnType<string | null, string | null | undefined, string | null>;
  /** `{email, pendingEmail?}` sealed under the tenant key. */
  sealed: string;
  key_version: number;
  password_hash: string;
  confirmed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  failed_sign_ins: ColumnType<number, number | undefined, number>;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
  last_sign_in_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** When the account goes: unconfirmed, a week after sign-up; else the register's retention after the last sign-in. */
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

/** A request sent while signed in, linked to the account. */
export interface CitizenRecordsTable {
  tenant_id: string;
  citizen_id: string;
  record_id: string;
  tracking_sealed: string | null;
  key_version: number | null;
  created_at: CreatedAt;
}

export interface RecordSubjectsTable {
  tenant_id: string;
  blind_index: string;
  record_id: string;
  field: string;
}

export interface DraftsTable {
  tenant_id: string;
  id: string;
  form_id: string;
  token_hash: string;
  sealed: string;
  key_version: number;
  created_at: CreatedAt;
  updated_at: CreatedAt;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface UploadsTable {
  tenant_id: string;
  id: string;
  record_id: string | null;
  draft_id: string | null;
  field: string;
  media_type: string;
  size: number;
  sealed_name: string;
  sealed: Buffer;
  key_version: number;
  created_at: CreatedAt;
}

export interface JournalTable {
  tenant_id: string;
  seq: ColumnType<string, string | number | bigint, never>;
  at: ColumnType<Date, Date | string, never>;
  actor_id: string | null;
  actor: string;
  action: string;
  record_id: string | null;
  purpose: string;
  prev_hash: string;
  hash: string;
}

/** The records one journal entry names when it names many (an export): see src/journal/journal-records.ts. */
export interface JournalRecordsTable {
  tenant_id: string;
  seq: ColumnType<string, string | number | bigint, never>;
  record_id: string;
  /** Place in the list's order, from 1 (before 2026-12-07: in id order). */
  position: number;
}

export interface JournalHeadsTable {
  tenant_id: string;
  seq: ColumnType<string, string | number | bigint, string | number | bigint>;
  hash: string;
}

/** A legal hold on a record (src/retention/holds.ts): it is not deleted while the hold lasts. */
export interface RecordHoldsTable {
  tenant_id: string;
  record_id: string;
  reason: string;
  set_by: string;
  set_at: CreatedAt;
}

export type RetentionAction = 'delete' | 'anonymise' | 'archive';

/** A retention run; once finished, its purge certificate (src/retention/certificates.ts). */
export interface RetentionRunsTable {
  tenant_id: string;
  id: string;
  as_of: ColumnType<Date, Date | string, Date | string>;
  register_version: number;
  started_at: CreatedAt;
  lease_until: ColumnType<Date, Date | string, Date | string>;
  lease_owner: string;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  seq: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  certificate: string | null;
  prev_hash: string | null;
  hash: string | null;
  security_log_deleted: ColumnType<string, never, string | number>;
  journal_pruned: ColumnType<string, never, string | number>;
  consent_proofs_deleted: ColumnType<string, never, string | number>;
  audience_days_deleted: ColumnType<string, never, string | number>;
}

/** Where the access journal starts once retention pruned its oldest entries: see src/retention/log-retention.ts. */
export interface JournalCheckpointsTable {
  tenant_id: string;
  seq: ColumnType<string, string | number | bigint, string | number | bigint>;
  hash: string;
  pruned: ColumnType<string, string | number | bigint, string | number | bigint>;
  run_id: string;
  at: ColumnType<Date, Date | string, Date | string>;
}

/** Every erasure of a record, ids only: by a retention run (run_id), or by anyone else (null: a citizen deleting its account, say). */
export interface ErasureLedgerTable {
  tenant_id: string;
  record_id: string;
  run_id: string | null;
  processing_id: string;
  action: RetentionAction;
  at: CreatedAt;
}

export interface SecurityLogTable {
  tenant_id: string;
  id: string;
  at: CreatedAt;
  event: string;
  ip: string;
  processing_id: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface MailOutboxTable {
  tenant_id: string;
  id: string;
  /** The record the message is about: erasing the record erases its pending mail. */
  record_id: string | null;
  /** `{to, subject, text, html}` sealed under the tenant key; emptied once sent. */
  sealed: string | null;
  key_version: number;
  created_at: CreatedAt;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** While set in the future, one worker holds the message (its lease). */
  locked_until: Date | null;
  /** Which claim holds the message: a worker whose lease ran out and was taken over can no longer mark it sent. */
  lease: ColumnType<string | null, never, string | null>;
  sent_at: Date | null;
  /** Given up (a permanent refusal, or every retry spent). */
  failed_at: Date | null;
  /** SMTP code of the last failure, never its text (replies quote addresses). */
  last_error: string | null;
  /** When the row itself goes (sent or not). */
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export type RightsRequestType = 'access' | 'rectification' | 'erasure' | 'restriction' | 'objection' | 'portability';
export type RightsRequestState = 'awaiting-verification' | 'open' | 'done';

/** A request to exercise a GDPR right (src/rights/): the address found by its blind index, everything personal sealed. */
export interface RightsRequestsTable {
  tenant_id: string;
  id: string;
  type: RightsRequestType;
  state: RightsRequestState;
  subject_index: string;
  phone_index: string | null;
  scope_processing: string | null;
  scope_tracking_hash: string | null;
  /** Asked from a citizen account about one of its requests. */
  scope_record_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** `{email, phone?, details, notes…}` sealed under the tenant key (src/rights/request-secrets.ts). */
  sealed: string;
  key_version: number;
  received_at: ColumnType<Date, Date | string, Date | string>;
  verify_token_hash: string | null;
  verify_expires_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  verified_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** `lien` (the link in the e-mail) or the DPO's account id. */
  verified_by: ColumnType<string | null, string | null | undefined, string | null>;
  due_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  extended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  reminded_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  fulfilled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  fulfilled_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Ids and the register's reasons only (src/rights/outcome.ts). */
  outcome: ColumnType<unknown, string | null | undefined, string | null>;
  answer_token_hash: ColumnType<string | null, string | null | undefined, string | null>;
  answer_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  answer_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  answer_key_version: ColumnType<number | null, number | null | undefined, number | null>;
  restriction_lifted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

/** An access or portability answer's records, a few hundred per sealed part (src/rights/answer-parts.ts). */
export interface RightsAnswerPartsTable {
  tenant_id: string;
  request_id: string;
  seq: number;
  sealed: string;
  key_version: number;
}

/** One choice a visitor made about cookies and third-party content: the proof, with nothing about the person. */
export interface ConsentProofsTable {
  tenant_id: string;
  id: ColumnType<string, never, never>;
  consent_id: string;
  /** Every declared service and category as allowed (true) or refused (false). */
  choices: ColumnType<Record<string, boolean>, string, string>;
  register_version: number;
  /** Hash of the register's cookies and embeds: a choice made under another set is asked again. */
  config_hash: string;
  /** SHA-256 of the exact text the visitor read before choosing (null: posted through the API without our texts). */
  text_hash: string | null;
  lang: 'fr' | 'en';
  source: 'banner' | 'panel' | 'page' | 'embed' | 'api';
  /** The authority's site where the choice was made (an origin), not the visitor. */
  site: string;
  created_at: Date;
}

/** A page view before the daily aggregation: no IP address, and a visitor hash that changes every day. */
export interface AudienceHitsTable {
  tenant_id: string;
  at: Date;
  /** Keyed hash of the cookie's id and the day (null when the browser keeps no cookie). */
  visitor: ColumnType<string | null, string | number | bigint | null, never>;
  new_visitor: boolean;
  path: string;
  /** Host of the site the visitor came from, when it is not the authority's own. */
  referrer: string | null;
  form_id: string | null;
  event: 'form-viewed' | 'form-submitted' | null;
}

interface AudienceAggregate {
  tenant_id: string;
  day: ColumnType<string, string, string>;
  /** The service whose agents read the statistics (the audience processing's). */
  service_id: string;
}

export interface AudienceDaysTable extends AudienceAggregate {
  page_views: ColumnType<string, number | string, number | string>;
  visits: ColumnType<string, number | string, number | string>;
  visitors: ColumnType<string, number | string, number | string>;
  new_visitors: ColumnType<string, number | string, number | string>;
}

export interface AudiencePagesTable extends AudienceAggregate {
  path: string;
  views: ColumnType<string, number | string, number | string>;
}

export interface AudienceReferrersTable extends AudienceAggregate {
  host: string;
  visits: ColumnType<string, number | string, number | string>;
}

export interface AudienceFormsTable extends AudienceAggregate {
  form_id: string;
  viewed: ColumnType<string, number | string, number | string>;
  submitted: ColumnType<string, number | string, number | string>;
}

export interface Tables {
  tenants: TenantsTable;
  register_versions: RegisterVersionsTable;
  tenant_keys: TenantKeysTable;
  agents: AgentsTable;
  agent_services: AgentServicesTable;
  api_tokens: ApiTokensTable;
  records: RecordsTable;
  record_subjects: RecordSubjectsTable;
  drafts: DraftsTable;
  uploads: UploadsTable;
  journal: JournalTable;
  journal_heads: JournalHeadsTable;
  journal_records: JournalRecordsTable;
  record_holds: RecordHoldsTable;
  retention_runs: RetentionRunsTable;
  journal_checkpoints: JournalCheckpointsTable;
  erasure_ledger: ErasureLedgerTable;
  security_log: SecurityLogTable;
  mail_outbox: MailOutboxTable;
  sessions: SessionsTable;
  recovery_codes: RecoveryCodesTable;
  account_links: AccountLinksTable;
  record_notes: RecordMessagesTable;
  record_replies: RecordMessagesTable;
  citizens: CitizensTable;
  citizen_records: CitizenRecordsTable;
  rights_requests: RightsRequestsTable;
  rights_answer_parts: RightsAnswerPartsTable;
  consent_proofs: ConsentProofsTable;
  audience_hits: AudienceHitsTable;
  audience_days: AudienceDaysTable;
  audience_pages: AudiencePagesTable;
  audience_referrers: AudienceReferrersTable;
  audience_forms: AudienceFormsTable;
}

/**
 * Every form processing of the two demo registers, as its notice states it
 * (the durations below are written from the registers' text, not read from
 * them): each request's deletion date, then a run years ahead that deletes
 * them all except those waiting for closure and those on hold.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { withPrincipal } from '../db/principal.ts';
import { testDatabaseKinds, uniqueTenantId } from '../db/testing.ts';
import { decodeJsonFiles } from '../forms/json-files.ts';
import { validData } from '../forms/testing.ts';
import { changeStatus } from '../records/record-status.ts';
import { submitForm } from '../records/submit-form.ts';
import { addDuration, parseDuration } from '../register/duration.ts';
import { RegisterDirectory } from '../register/register-directory.ts';
import { loadRegister } from '../register/register-loader.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { EXAMPLE_REGISTERS, startTestServer, type TestServer } from '../server/testing.ts';
import { verifyCertificates } from './certificates.ts';
import { runRetention } from './retention-run.ts';

interface Expected {
  duration: string;
  from: 'created' | 'closed';
  /** A conditional rule: the field's value that selects it, and its duration. */
  rule?: { field: string; equals: string; duration: string };
}

const DEMO: Record<'commune' | 'departement', { id: string; processings: Record<string, Expected> }> = {
  commune: {
    id: 'val-fleuri',
    processings: {
      'lettre-information': { duration: 'P3Y', from: 'created' },
      'alertes-sms': { duration: 'P3Y', from: 'created' },
      contact: { duration: 'P2Y', from: 'created' },
      'signalement-voirie': { duration: 'P2Y', from: 'created' },
      'enfance-jeunesse': { duration: 'P5Y', from: 'created', rule: { field: 'tarif', equals: 'quotient-familial', duration: 'P10Y' } },
      urbanisme: { duration: 'P2Y', from: 'created' },
      'etat-civil-actes': { duration: 'P2Y', from: 'created' },
      'recensement-citoyen': { duration: 'P2Y', from: 'created' },
      'inscription-electorale': { duration: 'P2Y', from: 'created' },
      candidature: { duration: 'P2Y', from: 'closed' },
    },
  },
  departement: {
    id: 'haute-vallee',
    processings: {
      contact: { duration: 'P5Y', from: 'created' },
      'acces-dossier-ase': { duration: 'P5Y', from: 'closed' },
      'transport-eleves-handicap': { duration: 'P2Y', from: 'created', rule: { field: 'modeTransport', equals: 'remboursement', duration: 'P5Y' } },
      'apa-domicile': { duration: 'P5Y', from: 'closed' },
    },
  },
};

const plus = (date: Date, text: string) => {
  const d = parseDuration(text);
  assert.ok(d.ok);
  return addDuration(date, d.duration);
};

interface Submitted {
  id: string;
  processingId: string;
  /** The deletion date the register promises; null while the request waits for closure. */
  expected: Date | null;
  kept: boolean;
}

for (const kind of testDatabaseKinds()) {
  for (const [name, demo] of Object.entries(DEMO)) {
    describe(`retention of every ${demo.id} form processing (${kind})`, () => {
      let server: TestServer;
      let loaded: LoadedRegister;
      const tenantId = uniqueTenantId(`demo-${name}`);
      const db = () => server.database.db;
      const system = { kind: 'system' as const, tenantId };
      const submitted: Submitted[] = [];

      before(async () => {
        server = await startTestServer({ kind });
        const yaml = readFileSync(EXAMPLE_REGISTERS[name as keyof typeof DEMO], 'utf8').replace(`id: ${demo.id}`, `id: ${tenantId}`);
        assert.ok((await loadRegister(db(), new TextEncoder().encode(yaml), 'test')).ok);
        loaded = (await new RegisterDirectory(db(), { ttlMs: 0 }).current(tenantId))!;
        const deps = { db: db(), keys: server.ctx.keys };
        const submit = async (formId: string, data: Record<string, unknown>) => {
          const r = await submitForm(deps, loaded, formId, decodeJsonFiles(data), { baseUrl: 'http://localhost' });
          assert.ok(r.ok, `${formId}: ${JSON.stringify(!r.ok && r)}`);
          const row = await withPrincipal(db(), system, (trx) => trx.selectFrom('records').select(['created_at']).where('tenant_id', '=', tenantId).where('id', '=', r.stored.recordId).executeTakeFirstOrThrow());
          return { id: r.stored.recordId, createdAt: new Date(row.created_at) };
        };
        for (const p of loaded.register.processings) {
          const e = demo.processings[p.id];
          if (!e) continue;
          for (const form of p.forms) {
            const data = validData(form);
            const ruleField = e.rule && form.fields.find((f) => f.name === e.rule!.field);
            // The default path: any other value of the rule's field.
            if (ruleField) data[ruleField.name] = ruleField.options!.find((o) => o.value !== e.rule!.equals)!.value;
            const plain = await submit(form.id, data);
            if (e.from === 'created') submitted.push({ id: plain.id, processingId: p.id, expected: plus(plain.createdAt, e.duration), kept: false });
            else {
              submitted.push({ id: plain.id, processingId: p.id, expected: null, kept: true });
              const closed = await submit(form.id, data);
              const change = await changeStatus(deps, system, loaded.register, closed.id, 'done');
              assert.ok(change);
              const at = await withPrincipal(db(), system, (trx) => trx.selectFrom('records').select('closed_at').where('tenant_id', '=', tenantId).where('id', '=', closed.id).executeTakeFirstOrThrow());
              submitted.push({ id: closed.id, processingId: p.id, expected: plus(new Date(at.closed_at!), e.duration), kept: false });
            }
            if (ruleField) {
              const ruled = await submit(form.id, { ...data, [ruleField.name]: e.rule!.equals });
              submitted.push({ id: ruled.id, processingId: p.id, expected: plus(ruled.createdAt, e.rule!.duration), kept: false });
            }
          }
        }
        // One request under a legal hold, whatever its processing: kept.
        const held = submitted.find((s) => !s.kept)!;
        held.kept = true;
        await withPrincipal(db(), system, (trx) => trx.insertInto('record_holds').values({ tenant_id: tenantId, record_id: held.id, reason: 'Recours contentieux en cours', set_by: 'dpo' }).execute());
      });
      after(() => server.close());

      it('knows every form processing of the register', () => {
        const withForms = loaded.register.processings.filter((p) => p.forms.length > 0).map((p) => p.id);
        assert.deepEqual(withForms.sort(), Object.keys(demo.processings).sort(), 'a new demo processing needs its expected retention here');
      });

      it('dates each request’s deletion as the register says, conditional rules and closure included', async () => {
        const rows = await withPrincipal(db(), system, (trx) => trx.selectFrom('records').select(['id', 'expires_at']).where('tenant_id', '=', tenantId).execute());
        const actual = new Map(rows.map((r) => [r.id, r.expires_at ? new Date(r.expires_at).toISOString() : null]));
        for (const s of submitted) assert.equal(actual.get(s.id), s.expected?.toISOString() ?? null, `${s.processingId} (${s.id})`);
        for (const e of Object.values(demo.processings).filter((x) => x.rule)) {
          const years = Number(e.rule!.duration.slice(1, -1));
          assert.ok(submitted.some((s) => s.expected && s.expected.getUTCFullYear() - new Date().getUTCFullYear() === years), `the ${e.rule!.duration} rule (${e.rule!.field}) is among them`);
        }
      });

      it('a day before its date a request is not due, a day after it is; years ahead all go but the open and the held', async () => {
        const day = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);
        for (const s of submitted.filter((x) => x.expected)) {
          const due = (asOf: Date) => runRetention(db(), tenantId, { asOf, dryRun: true });
          const before = (await due(day(s.expected!, -1))).processings.find((p) => p.processingId === s.processingId)!;
          const after = (await due(day(s.expected!, 1))).processings.find((p) => p.processingId === s.processingId)!;
          assert.ok(after.deleted + after.held > before.deleted + before.held, `${s.processingId}: due between the day before and the day after ${s.expected!.toISOString()}`);
        }
        const asOf = plus(new Date(), 'P11Y');
        const dry = await runRetention(db(), tenantId, { asOf, dryRun: true });
        const run = await runRetention(db(), tenantId, { asOf, keys: () => server.ctx.keys });
        const left = new Set((await withPrincipal(db(), system, (trx) => trx.selectFrom('records').select('id').where('tenant_id', '=', tenantId).execute())).map((r) => r.id));
        for (const s of submitted) assert.equal(left.has(s.id), s.kept, `${s.processingId} (${s.id}) ${s.kept ? 'kept' : 'deleted'}`);
        for (const p of run.processings) {
          const expected = submitted.filter((s) => s.processingId === p.processingId && !s.kept).length;
          assert.equal(p.deleted, expected, `${p.processingId}: the certificate counts its deletions`);
          assert.equal(dry.processings.find((d) => d.processingId === p.processingId)!.deleted, expected, `${p.processingId}: the dry run announced them`);
        }
        assert.equal(run.processings.reduce((n, p) => n + p.held, 0), 1, 'the held request is reported');
        assert.equal((await withPrincipal(db(), system, (trx) => verifyCertificates(trx, tenantId))).ok, true);
      });
    });
  }
}

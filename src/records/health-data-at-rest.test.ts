/**
 * Health data is sealed before it reaches the database: a child's allergy
 * typed into the school enrolment form of the demo commune cannot be found
 * in any file of the embedded data folder, while the agent of the school
 * service reads it back, decrypted, through the API. A clear value of the
 * same record is found in those files, which shows the scan would see it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { openDatabase } from '../db/database.ts';
import { buildApp } from '../server/app.ts';
import { createAppContext } from '../server/app-context.ts';
import { testKeyring } from '../server/testing.ts';
import { accountWithToken, enrolmentData, loadCommune, pdf } from './testing.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function filesContaining(dir: string, needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  return filesUnder(dir).filter((f) => readFileSync(f).includes(bytes));
}

it('keeps health values out of every file of the embedded database, yet shows them to the school service', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bastide-at-rest-'));
  const database = await openDatabase({ kind: 'pglite', dataDir, command: 'test' });
  const ctx = createAppContext({
    database,
    keyring: testKeyring(),
    config: { publicUrl: undefined, submissionsPerMinute: 100, smtpUrl: undefined, mailFrom: 'Bastide <test@localhost>' },
    // Where `serve` writes e-mails without SMTP: inside the data folder, scanned too.
    outboxDir: join(dataDir, 'outbox'),
    logger: { warn: () => {}, error: () => {} },
    registerTtlMs: 0,
  });
  const app = await buildApp(ctx);
  try {
    const loaded = await loadCommune(database.db, 'val-fleuri');
    const submitted = await app.inject({
      method: 'POST',
      url: '/api/v1/val-fleuri/forms/inscription-enfance/submissions',
      payload: { data: enrolmentData({ prenom: 'PrenomW7K', allergies: 'ArachideZ9Q : stylo d’adrénaline dans le sac', vaccinations: { filename: 'carnet-VaccinNomK4.pdf', bytes: pdf('VaccinContenuJ8') } }) },
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const { id } = submitted.json() as { id: string };

    const school = await accountWithToken(database.db, loaded, 'agent', ['scolaire']);
    const read = await app.inject({ method: 'GET', url: `/api/v1/val-fleuri/records/${id}`, headers: { authorization: `Bearer ${school.token}` } });
    assert.equal(read.statusCode, 200, read.body);
    const record = read.json() as { data: { enfants: Array<Record<string, unknown>> }; files: Array<{ filename: string; url: string }> };
    assert.equal(record.data.enfants[0]!['allergies'], 'ArachideZ9Q : stylo d’adrénaline dans le sac');
    assert.equal(record.data.enfants[0]!['lunettes'], true);
    assert.equal(record.data.enfants[0]!['prenom'], 'PrenomW7K');
    assert.deepEqual(record.files.map((f) => f.filename), ['carnet-VaccinNomK4.pdf']);
    const file = await app.inject({ method: 'GET', url: record.files[0]!.url, headers: { authorization: `Bearer ${school.token}` } });
    assert.ok(file.rawPayload.includes(Buffer.from('VaccinContenuJ8')));
  } finally {
    await app.close();
    await database.close();
  }

  assert.ok(filesUnder(dataDir).length > 10, 'the data folder holds the database files');
  assert.notDeepEqual(filesContaining(dataDir, 'PrenomW7K'), [], 'a value stored in clear is found by the scan');
  for (const secret of ['ArachideZ9Q', 'adrénaline', 'VaccinNomK4', 'VaccinContenuJ8'])
    assert.deepEqual(filesContaining(dataDir, secret), [], `« ${secret} » must not be found in the data folder`);
});

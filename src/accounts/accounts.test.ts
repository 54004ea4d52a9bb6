import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, it } from 'node:test';
import { describeEachDatabase, uniqueTenantId } from '../db/testing.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import { loadCommune } from '../records/testing.ts';
import { recordsPrincipal, dpoPrincipal, resolveActor } from './actor.ts';
import { addAgent } from './add-agent.ts';
import { findAgentByEmail } from './agents-repository.ts';
import { issueToken, parseTokenTtl, tokenAgentId } from './api-tokens.ts';
import { authenticateBearer } from './bearer-auth.ts';
import { verifyPassword } from './password-hash.ts';

describeEachDatabase('back-office accounts and API tokens', (database) => {
  let loaded: LoadedRegister;
  let other: LoadedRegister;
  before(async () => {
    loaded = await loadCommune(database().db, uniqueTenantId('acc'));
    other = await loadCommune(database().db, uniqueTenantId('acc'));
  });

  it('creates an agent of declared services, its e-mail lower-cased and its password hashed with argon2id', async () => {
    const db = database().db;
    const result = await addAgent(db, loaded, { email: ' Agent.Accueil@Mairie.FR ', role: 'agent', services: ['accueil', 'techniques', 'accueil'], password: 'Rivière-2026!' });
    assert.ok(result.ok);
    assert.deepEqual([result.agent.email, result.agent.services], ['agent.accueil@mairie.fr', ['accueil', 'techniques']]);
    const row = await db.selectFrom('agents').select('password_hash').where('id', '=', result.agent.id).executeTakeFirstOrThrow();
    assert.match(row.password_hash ?? '', /^\$argon2id\$/);
    assert.equal(await verifyPassword(row.password_hash!, 'Rivière-2026!'), true);
    assert.equal(await verifyPassword(row.password_hash!, 'Riviere-2026!'), false);
    assert.deepEqual((await findAgentByEmail(db, loaded.tenantId, 'AGENT.accueil@mairie.fr'))?.services, ['accueil', 'techniques']);
  });

  it('refuses, in French, a service the register in force does not declare, an agent without service, a weak password and a second account', async () => {
    const db = database().db;
    const add = (input: Partial<Parameters<typeof addAgent>[2]>) => addAgent(db, loaded, { email: 'x@mairie.fr', role: 'agent', services: ['accueil'], ...input });
    const problem = async (input: Partial<Parameters<typeof addAgent>[2]>) => {
      const r = await add(input);
      return r.ok ? '' : r.problem;
    };
    assert.match(await problem({ services: ['accueil', 'piscine'] }), /^service inconnu dans le registre en vigueur de acc-\w+ : piscine \(services déclarés : accueil, communication,/);
    assert.match(await problem({ services: [] }), /^un agent doit être rattaché à au moins un service/);
    assert.match(await problem({ password: 'motdepasse' }), /^mot de passe trop faible/);
    assert.match(await problem({ role: 'maire' }), /^rôle inconnu « maire »/);
    assert.match(await problem({ email: 'pas-une-adresse' }), /^adresse électronique invalide/);
    assert.ok((await add({})).ok);
    assert.match(await problem({ email: 'X@Mairie.fr' }), /^un compte existe déjà pour x@mairie\.fr/);
    assert.ok((await addAgent(db, other, { email: 'x@mairie.fr', role: 'agent', services: ['accueil'] })).ok, 'the same e-mail in another tenant is another account');
  });

  it('resolves an administrator to no service unless it is also an agent, and only a DPO to the DPO principal', async () => {
    const db = database().db;
    const admin = await addAgent(db, loaded, { email: 'admin@mairie.fr', role: 'admin', services: [] });
    const dpo = await addAgent(db, loaded, { email: 'dpo@mairie.fr', role: 'dpo', services: [] });
    assert.ok(admin.ok && dpo.ok);
    const adminActor = (await resolveActor(db, loaded.tenantId, admin.agent.id))!;
    assert.deepEqual(recordsPrincipal(adminActor), { kind: 'agent', tenantId: loaded.tenantId, agentId: admin.agent.id, services: [] });
    assert.equal(dpoPrincipal(adminActor), undefined);
    assert.deepEqual(dpoPrincipal((await resolveActor(db, loaded.tenantId, dpo.agent.id))!), { kind: 'dpo', tenantId: loaded.tenantId, agentId: dpo.agent.id });
    assert.equal(await resolveActor(db, other.tenantId, admin.agent.id), undefined, 'an account exists in its own tenant only');
  });

  it('stores only a hash of a token, which opens its own tenant until it expires', async () => {
    const db = database().db;
    const added = await addAgent(db, loaded, { email: `t-${randomBytes(3).toString('hex')}@mairie.fr`, role: 'agent', services: ['rh'] });
    assert.ok(added.ok);
    const now = new Date('2026-03-01T10:00:00Z');
    const { token, expiresAt } = await issueToken(db, { tenantId: loaded.tenantId, agentId: added.agent.id, ttl: 'P7D', now });
    assert.match(token, /^bst_[A-Za-z0-9_-]{43}$/);
    assert.equal(expiresAt.toISOString(), '2026-03-08T10:00:00.000Z');
    const stored = await db.selectFrom('api_tokens').selectAll().where('agent_id', '=', added.agent.id).execute();
    assert.equal(stored.length, 1);
    assert.ok(!JSON.stringify(stored).includes(token.slice(4)), 'the token itself is not stored');
    assert.equal(await tokenAgentId(db, loaded.tenantId, token, new Date('2026-03-08T09:59:59Z')), added.agent.id);
    assert.equal(await tokenAgentId(db, loaded.tenantId, token, new Date('2026-03-08T10:00:00Z')), undefined);
    assert.equal(await tokenAgentId(db, other.tenantId, token, now), undefined);
    const bearer = await authenticateBearer(db, loaded.tenantId, `Bearer ${token}`, now);
    assert.ok(bearer.ok && bearer.actor.agentId === added.agent.id && bearer.actor.services.join() === 'rh');
    assert.deepEqual(await authenticateBearer(db, loaded.tenantId, undefined, now), { ok: false, reason: 'missing' });
    assert.deepEqual(await authenticateBearer(db, loaded.tenantId, `Bearer ${token}x`, now), { ok: false, reason: 'invalid' });
  });

  it('accepts token lifetimes in days to a year, and refuses hours or longer in French', () => {
    assert.ok(parseTokenTtl('P1D').ok && parseTokenTtl('P3M').ok && parseTokenTtl('P1Y').ok);
    const hours = parseTokenTtl('PT8H');
    assert.match(hours.ok ? '' : hours.problem, /^--ttl : durée invalide « PT8H ».*les heures et minutes ne sont pas admises, exprimez la durée en jours/);
    const long = parseTokenTtl('P2Y');
    assert.match(long.ok ? '' : long.problem, /au plus un an/);
  });
});

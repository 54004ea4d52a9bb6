import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passwordProblem } from './password-policy.ts';

describe('the back-office password rule (CNIL, password alone)', () => {
  it('accepts 12 characters mixing upper case, lower case, digits and special characters', () => {
    assert.equal(passwordProblem('Rivière-2026!'), undefined);
    assert.equal(passwordProblem('aB3$efgh1jkL'), undefined);
  });

  it('accepts 14 characters of upper case, lower case and digits', () => {
    assert.equal(passwordProblem('Bastide2026Mairie'), undefined);
  });

  it('accepts a passphrase of seven distinct words', () => {
    assert.equal(passwordProblem('cheval agrafe correct pile lune bateau orange'), undefined);
    assert.equal(passwordProblem('cheval-agrafe-correct-pile-lune-bateau-orange'), undefined);
  });

  it('refuses shorter or less mixed passwords with a French message naming the rule', () => {
    for (const weak of ['Azerty123!', 'azertyuiop1234', 'AZERTYUIOP1234!', 'Bastide2026Ma', 'un un un un un un un', 'six mots ne suffisent pas ici'])
      assert.match(passwordProblem(weak) ?? '', /^mot de passe trop faible : il faut au moins 12 caractères .* 7 mots \(recommandation CNIL/, weak);
  });

  it('refuses a password that contains the account’s e-mail name', () => {
    assert.match(passwordProblem('claire.martin-2026!', 'claire.martin@mairie.fr') ?? '', /adresse électronique du compte/);
  });

  it('refuses a password too long to hash in bounded time', () => {
    assert.match(passwordProblem(`Aa1!${'x'.repeat(300)}`) ?? '', /trop long/);
  });
});

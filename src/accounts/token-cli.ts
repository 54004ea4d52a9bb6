/** `bastide token list` and `bastide token revoke`: thin, each calls token-list.ts and prints. */
import type { Command } from 'commander';
import { CliError, globalOptions, printJson, withDatabase } from '../cli/cli-context.ts';
import type { Database } from '../db/database.ts';
import { findAgentByEmail } from './agents-repository.ts';
import { isTokenPublicId, listTokens, revokeAgentTokens, revokeToken, type TokenInfo } from './token-list.ts';

async function accountOf(database: Database, tenant: string, email: string) {
  const agent = await findAgentByEmail(database.db, tenant, email);
  if (!agent) throw new CliError(`erreur : aucun compte ${email.trim().toLowerCase()} dans ${tenant}`);
  return agent;
}

function state(t: TokenInfo, now: Date): string {
  if (t.revokedAt) return `révoqué le ${t.revokedAt.toISOString()}`;
  return t.expiresAt <= now ? 'expiré' : 'valide';
}

export function tokenCommands(token: Command): void {
  token
    .command('list')
    .description('liste les jetons d’un compte (identifiant, création, expiration, état), jamais leur secret')
    .requiredOption('--tenant <id>', 'collectivité')
    .requiredOption('--email <email>', 'adresse électronique du compte')
    .action(async (opts: { tenant: string; email: string }, command: Command) => {
      const tokens = await withDatabase(command, async (database) => listTokens(database.db, opts.tenant, (await accountOf(database, opts.tenant, opts.email)).id));
      const now = new Date();
      if (globalOptions(command).json)
        printJson(tokens.map((t) => ({ id: t.publicId, createdAt: t.createdAt.toISOString(), expiresAt: t.expiresAt.toISOString(), revokedAt: t.revokedAt?.toISOString() ?? null, state: state(t, now).split(' ')[0] })));
      else if (tokens.length === 0) process.stderr.write(`aucun jeton pour ${opts.email.trim().toLowerCase()}\n`);
      else for (const t of tokens) process.stdout.write(`${t.publicId}\t${t.createdAt.toISOString()}\t${t.expiresAt.toISOString()}\t${state(t, now)}\n`);
    });

  token
    .command('revoke')
    .description('révoque un jeton (--id) ou tous ceux d’un compte (--email … --all) : refusés dès la requête suivante')
    .requiredOption('--tenant <id>', 'collectivité')
    .option('--id <id>', 'identifiant du jeton (tok_…, voir token list)')
    .option('--email <email>', 'adresse électronique du compte (avec --all)')
    .option('--all', 'tous les jetons du compte')
    .action(async (opts: { tenant: string; id?: string; email?: string; all?: boolean }, command: Command) => {
      if (opts.id !== undefined && (opts.email !== undefined || opts.all)) throw new CliError('erreur : donnez soit --id, soit --email avec --all, pas les deux');
      if (opts.id === undefined && !(opts.email !== undefined && opts.all)) throw new CliError('erreur : donnez --id ID, ou --email E --all');
      const id = opts.id;
      if (id !== undefined && !isTokenPublicId(id)) throw new CliError(`erreur : identifiant de jeton invalide « ${id} » (attendu : tok_ suivi de 12 chiffres hexadécimaux, voir token list)`);
      const revoked = await withDatabase(command, async (database) =>
        id !== undefined ? revokeToken(database.db, opts.tenant, id) : revokeAgentTokens(database.db, opts.tenant, (await accountOf(database, opts.tenant, opts.email!)).id),
      );
      if (id !== undefined && revoked === 0) throw new CliError(`erreur : aucun jeton non révoqué ${id} dans ${opts.tenant}`);
      if (globalOptions(command).json) printJson({ revoked });
      else process.stdout.write(id !== undefined ? `jeton ${id} révoqué\n` : `${revoked} jeton${revoked > 1 ? 's' : ''} de ${opts.email!.trim().toLowerCase()} révoqué${revoked > 1 ? 's' : ''}\n`);
    });
}

/** `bastide agent add` and `bastide token create`: thin, each calls the accounts module and prints. */
import { Command, Option } from 'commander';
import { CliError, globalOptions, printJson, withDatabase } from '../cli/cli-context.ts';
import { readSecretFromStdin } from '../cli/read-stdin.ts';
import type { Database } from '../db/database.ts';
import { currentVersionNumber, loadVersion } from '../register/register-repository.ts';
import { addAgent } from './add-agent.ts';
import { AGENT_ROLES, findAgentByEmail } from './agents-repository.ts';
import { DEFAULT_TOKEN_TTL, issueToken, parseTokenTtl } from './api-tokens.ts';
import { tokenCommands } from './token-cli.ts';

async function registerInForce(database: Database, tenantId: string) {
  const version = await currentVersionNumber(database.db, tenantId);
  const loaded = version === undefined ? undefined : await loadVersion(database.db, tenantId, version);
  if (!loaded) throw new CliError(`collectivité inconnue : ${tenantId} (chargez d'abord son registre : bastide register load FICHIER)`);
  return loaded;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function accountCommands(program: Command): void {
  program
    .command('agent')
    .description('comptes du back-office')
    .command('add')
    .description('crée un compte : agent d’un ou plusieurs services, DPO ou administrateur')
    .requiredOption('--tenant <id>', 'collectivité')
    .requiredOption('--email <email>', 'adresse électronique du compte')
    .addOption(new Option('--role <role>', 'rôle').choices([...AGENT_ROLES]).makeOptionMandatory())
    .option('--service <id>', 'service dont le compte lit les demandes (répétable ; obligatoire pour un agent)', collect, [])
    .option('--password-stdin', 'lit le mot de passe sur l’entrée standard (sans lui, le compte n’utilise que des jetons)')
    .action(async (opts: { tenant: string; email: string; role: string; service: string[]; passwordStdin?: boolean }, command: Command) => {
      // Read before the database is opened: the data folder is not held while someone types.
      const password = opts.passwordStdin ? await readSecretFromStdin() : undefined;
      const result = await withDatabase(command, async (database) =>
        addAgent(database.db, await registerInForce(database, opts.tenant), { email: opts.email, role: opts.role, services: opts.service, password }),
      );
      if (!result.ok) throw new CliError(`erreur : ${result.problem}`);
      const { agent } = result;
      if (globalOptions(command).json) printJson({ id: agent.id, tenant: agent.tenantId, email: agent.email, role: agent.role, services: agent.services, password: password !== undefined });
      else
        process.stdout.write(
          `compte ${agent.email} créé dans ${agent.tenantId} : ${agent.role}${agent.services.length > 0 ? `, services ${agent.services.join(', ')}` : ', aucun service (ne lit aucune demande)'}${password === undefined ? ', sans mot de passe' : ''}\n`,
        );
    });

  const token = program.command('token').description('jetons d’accès à l’API');
  token
    .command('create')
    .description('affiche un jeton d’accès (Authorization: Bearer …) pour ce compte ; il n’est montré qu’une fois')
    .requiredOption('--tenant <id>', 'collectivité')
    .requiredOption('--email <email>', 'adresse électronique du compte')
    .option('--ttl <duration>', 'durée de validité ISO 8601 en jours, semaines, mois ou années (P1D, P7D, P3M ; au plus P1Y)', DEFAULT_TOKEN_TTL)
    .action(async (opts: { tenant: string; email: string; ttl: string }, command: Command) => {
      const ttl = parseTokenTtl(opts.ttl);
      if (!ttl.ok) throw new CliError(`erreur : ${ttl.problem}`);
      const issued = await withDatabase(command, async (database) => {
        await registerInForce(database, opts.tenant);
        const agent = await findAgentByEmail(database.db, opts.tenant, opts.email);
        if (!agent) throw new CliError(`erreur : aucun compte ${opts.email.trim().toLowerCase()} dans ${opts.tenant} (bastide agent add)`);
        if (agent.disabled) throw new CliError(`erreur : le compte ${agent.email} est désactivé`);
        return { agent, ...(await issueToken(database.db, { tenantId: opts.tenant, agentId: agent.id, ttl: opts.ttl })) };
      });
      if (globalOptions(command).json) printJson({ token: issued.token, id: issued.publicId, expiresAt: issued.expiresAt.toISOString(), tenant: opts.tenant, email: issued.agent.email });
      else {
        // Only the token on stdout, so that TOKEN=$(bastide token create …) works.
        process.stdout.write(`${issued.token}\n`);
        process.stderr.write(`jeton de ${issued.agent.email} valable jusqu’au ${issued.expiresAt.toISOString()} (identifiant ${issued.publicId})\n`);
      }
    });
  tokenCommands(token);
}

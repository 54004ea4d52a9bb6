/** `bastide serve`: runs the HTTP server, optionally loading registers first (the demo does). */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliError, configFor, masterKeyringFor } from '../cli/cli-context.ts';
import { tenantKeysRefusal, verifyTenantKeys } from '../crypto/verify-tenant-keys.ts';
import { openDatabase, targetFromConfig } from '../db/database.ts';
import { formatProblem } from '../register/problem.ts';
import { readRegisterFile } from '../register/read-register-file.ts';
import { loadRegister } from '../register/register-loader.ts';
import { syncExpiries } from '../retention/expiry-changes.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import { ensureDemoAgents } from '../accounts/demo-agents.ts';
import { loadVersion } from '../register/register-repository.ts';
import { buildApp } from './app.ts';
import { createAppContext } from './app-context.ts';
import { loggerOptions } from './log-redaction.ts';

const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

async function exampleRegisters(): Promise<string[]> {
  return (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(EXAMPLES_DIR, f));
}

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('démarre le serveur HTTP')
    .option('--port <n>', 'port d’écoute (par défaut PORT ou 3000)')
    .option('--demo', 'charge d’abord les registres de démonstration (examples/)')
    .option('--register <file...>', 'charge d’abord ces registres')
    .action(async (opts: { port?: string; demo?: boolean; register?: string[] }, command: Command) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new CliError(`port invalide : ${opts.port}`);
      const config = configFor(command, { port });
      // Embedded demo only: a key file beside the data, so `npm start` needs no set-up.
      const { keyring, generatedFile } = masterKeyringFor(config, { generate: true });
      if (generatedFile) process.stdout.write(`clé maîtresse créée dans ${generatedFile} : sauvegardez-la à part\n`);
      const database = await openDatabase(targetFromConfig(config, 'bastide serve'));
      // A master key that does not open the tenants' data keys would start a server failing every form.
      const keyFailures = await verifyTenantKeys(database.db, keyring);
      if (keyFailures.length > 0) {
        await database.close();
        throw new CliError(tenantKeysRefusal(keyFailures), 2);
      }
      const files = [...(opts.demo ? await exampleRegisters() : []), ...(opts.register ?? [])];
      const loadedTenants: string[] = [];
      const demoAgents: string[] = [];
      for (const file of files) {
        const read = await readRegisterFile(file);
        const result = 'problem' in read ? { ok: false as const, problems: [read.problem] } : await loadRegister(database.db, read.bytes, `serve:${file}`);
        if (!result.ok) {
          await database.close();
          throw new CliError(`${file} :\n${result.problems.map(formatProblem).join('\n')}`);
        }
        loadedTenants.push(result.tenantId);
        process.stdout.write(`registre ${result.tenantId} : version ${result.version}${result.created ? ' (nouvelle)' : ''}\n`);
        const moved = (await syncExpiries(database.db, () => new TenantKeys(database.db, keyring), result.tenantId)).reduce((n, m) => n + m.earlier + m.later, 0);
        if (moved > 0) process.stdout.write(`  ${moved} date(s) de suppression recalculée(s) selon cette version\n`);
        if (opts.demo) {
          const loaded = await loadVersion(database.db, result.tenantId, result.version);
          for (const a of await ensureDemoAgents(database.db, loaded!))
            demoAgents.push(`  ${result.tenantId}  ${a.email.padEnd(42)} ${(a.role === 'dpo' ? 'DPO' : a.services.join(',')).padEnd(14)} ${a.token}`);
        }
      }
      const logger = loggerOptions(config.logLevel);
      const app = await buildApp(
        createAppContext({ database, keyring, config, outboxDir: join(config.dataDir, 'outbox'), logger: { warn: (obj, msg) => app.log.warn(obj, msg), error: (obj, msg) => app.log.error(obj, msg) } }),
        { logger },
      );
      if (!config.publicUrl)
        process.stderr.write("attention : BASTIDE_PUBLIC_URL n'est pas défini ; les liens des courriels pointeront vers l'adresse d'écoute du serveur (à définir en production)\n");
      if (!config.smtpUrl) process.stdout.write(`courriels : pas de SMTP_URL, ils sont écrits dans ${join(config.dataDir, 'outbox')}\n`);
      const stop = async () => {
        await app.close();
        await database.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await app.listen({ port: config.port, host: config.host });
      const shown = config.host === '0.0.0.0' ? 'localhost' : config.host;
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : config.port;
      process.stdout.write(`Bastide écoute sur http://${shown}:${actualPort} (${database.kind === 'pglite' ? `base embarquée ${config.dataDir}` : 'PostgreSQL'})\n`);
      for (const t of loadedTenants) process.stdout.write(`  http://${shown}:${actualPort}/${t}/donnees-personnelles\n`);
      if (demoAgents.length > 0) {
        process.stdout.write(`\nAgents de démonstration (jeton d'API valable 24 h, en-tête « Authorization: Bearer … ») :\n${demoAgents.join('\n')}\n`);
        process.stdout.write(`  par exemple : curl -H "Authorization: Bearer <jeton>" http://${shown}:${actualPort}/api/v1/val-fleuri/records\n`);
      }
    });
}

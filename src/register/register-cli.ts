/** `bastide register check|load|versions|export`. Thin: each calls the register module and prints. */
import { Command, Option } from 'commander';
import { CliError, globalOptions, masterKeyringFor, printJson, withDatabase } from '../cli/cli-context.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import { previewExpiries, syncExpiries, type ExpiryMove } from '../retention/expiry-changes.ts';
import { loadRegister } from './register-loader.ts';
import { exportRegisterCsv, exportRegisterHtml } from './register-export.ts';
import { parseRegister } from './parse.ts';
import { formatProblem, type Problem } from './problem.ts';
import { readRegisterFile } from './read-register-file.ts';
import { currentVersionNumber, listVersions, loadVersion } from './register-repository.ts';
import { userInfo } from 'node:os';

function printProblems(problems: Problem[], json: boolean): never {
  if (json) printJson({ ok: false, problems: problems.map(({ path, message, line }) => ({ path, message, line })) });
  else for (const p of problems) process.stderr.write(`${formatProblem(p)}\n`);
  throw new CliError(json ? '' : `${problems.length} erreur(s) : le registre n'est pas chargé.`, 1);
}

function printWarnings(warnings: Problem[]): void {
  for (const w of warnings) process.stderr.write(`avertissement : ${formatProblem(w)}\n`);
}

async function readOrFail(file: string, json: boolean): Promise<Uint8Array> {
  const read = await readRegisterFile(file);
  if ('problem' in read) printProblems([read.problem], json);
  return read.bytes;
}

function printExpiryMoves(moves: readonly ExpiryMove[]): void {
  for (const m of moves)
    process.stdout.write(
      `  traitement ${m.processingId} : ${m.earlier} date(s) de suppression avancée(s), ${m.later} reculée(s)${m.dueAtOnce > 0 ? `, dont ${m.dueAtOnce} demande(s) supprimable(s) dès maintenant` : ''}\n`,
    );
}

function printAgainstCurrent(version: number | null, moved: readonly ExpiryMove[]): void {
  if (version === null) return void process.stdout.write('  aucune version en vigueur dans la base : rien à comparer\n');
  if (moved.length === 0) return void process.stdout.write(`  par rapport à la version ${version} en vigueur : aucune date de suppression ne change\n`);
  process.stdout.write(`  par rapport à la version ${version} en vigueur :\n`);
  printExpiryMoves(moved);
  if (moved.some((m) => m.dueAtOnce > 0)) process.stdout.write('  le chargement demandera --confirm-retention : des demandes deviendraient supprimables dès maintenant\n');
}

export function registerCommands(program: Command): void {
  const register = program.command('register').description('registre des activités de traitement');

  register
    .command('check')
    .description('vérifie un registre sans le charger')
    .argument('<file>', 'fichier YAML du registre')
    .option('--against-current', 'compare aussi à la version en vigueur dans la base : combien de dates de suppression chaque changement avance ou recule')
    .action(async (file: string, opts: { againstCurrent?: boolean }, command: Command) => {
      const json = Boolean(globalOptions(command).json);
      const result = parseRegister(await readOrFail(file, json));
      if (!result.ok) printProblems(result.problems, json);
      const tenantId = result.register.tenant.id;
      const against = opts.againstCurrent
        ? await withDatabase(command, async (database, config) => {
            const keys = () => new TenantKeys(database.db, masterKeyringFor(config, { generate: false }).keyring);
            const version = await currentVersionNumber(database.db, tenantId);
            const current = version === undefined ? undefined : (await loadVersion(database.db, tenantId, version))?.register;
            return { version: version ?? null, moves: current ? await previewExpiries(database.db, keys, tenantId, current, result.register) : [] };
          })
        : undefined;
      const moved = against?.moves.filter((m) => m.earlier + m.later > 0) ?? [];
      const confirmationNeeded = moved.some((m) => m.dueAtOnce > 0);
      if (json)
        printJson({ ok: true, tenant: tenantId, hash: result.hash, warnings: result.warnings, ...(against && { currentVersion: against.version, expiries: moved, confirmationNeeded }) });
      else {
        printWarnings(result.warnings);
        process.stdout.write(`registre valide : ${tenantId} (${result.register.processings.length} traitements)\n`);
        if (against) printAgainstCurrent(against.version, moved);
      }
    });

  register
    .command('load')
    .description('crée ou met à jour la collectivité ; une nouvelle version seulement si le contenu a changé')
    .argument('<file>', 'fichier YAML du registre')
    .option('--by <name>', 'qui charge ce registre (pour l’historique des versions)')
    .option('--confirm-retention', 'confirme une durée de conservation raccourcie qui rend des demandes supprimables immédiatement')
    .action(async (file: string, opts: { by?: string; confirmRetention?: boolean }, command: Command) => {
      const json = Boolean(globalOptions(command).json);
      const bytes = await readOrFail(file, json);
      const parsed = parseRegister(bytes);
      if (!parsed.ok) printProblems(parsed.problems, json);
      const tenantId = parsed.register.tenant.id;
      const { result, moves } = await withDatabase(command, async (database, config) => {
        // Asked for only when a changed rule reads a sealed field.
        const keys = () => new TenantKeys(database.db, masterKeyringFor(config, { generate: false }).keyring);
        const version = await currentVersionNumber(database.db, tenantId);
        const current = version === undefined ? undefined : (await loadVersion(database.db, tenantId, version))?.register;
        if (current) {
          const preview = await previewExpiries(database.db, keys, tenantId, current, parsed.register);
          const atOnce = preview.filter((m) => m.dueAtOnce > 0);
          if (atOnce.length > 0 && !opts.confirmRetention)
            throw new CliError(
              `erreur : ce registre rend des demandes supprimables dès maintenant (${atOnce.map((m) => `traitement ${m.processingId} : ${m.dueAtOnce}`).join(', ')}) ; la prochaine purge les supprimera. Rien n’a été chargé : relancez avec --confirm-retention pour confirmer.`,
            );
        }
        const loaded = await loadRegister(database.db, bytes, opts.by ?? `cli:${userInfo().username}`);
        return { result: loaded, moves: loaded.ok ? await syncExpiries(database.db, keys, tenantId) : [] };
      });
      if (!result.ok) printProblems(result.problems, json);
      const moved = moves.filter((m) => m.earlier + m.later > 0);
      if (json) printJson({ tenant: result.tenantId, version: result.version, created: result.created, hash: result.hash, warnings: result.warnings, expiries: moved });
      else {
        printWarnings(result.warnings);
        process.stdout.write(`${result.tenantId} version ${result.version}${result.created ? '' : ' (inchangée)'}\n`);
        printExpiryMoves(moved);
      }
    });

  register
    .command('versions')
    .description('liste les versions du registre d’une collectivité')
    .requiredOption('--tenant <id>', 'collectivité')
    .action(async (opts: { tenant: string }, command: Command) => {
      const versions = await withDatabase(command, (database) => listVersions(database.db, opts.tenant));
      if (versions.length === 0) throw new CliError(`collectivité inconnue : ${opts.tenant}`);
      if (globalOptions(command).json) printJson(versions);
      else for (const v of versions) process.stdout.write(`${v.version}\t${v.loadedAt.toISOString()}\t${v.loadedBy}\t${v.hash.slice(0, 12)}\n`);
    });

  register
    .command('export')
    .description('exporte le registre (article 30) pour un contrôle de la CNIL')
    .requiredOption('--tenant <id>', 'collectivité')
    .addOption(new Option('--format <format>', 'format').choices(['csv', 'html']).default('csv'))
    .option('--version <n>', 'une version précise (par défaut : celle en vigueur)')
    .action(async (opts: { tenant: string; format: 'csv' | 'html'; version?: string }, command: Command) => {
      const loaded = await withDatabase(command, async (database) => {
        const version = opts.version ? Number(opts.version) : await currentVersionNumber(database.db, opts.tenant);
        if (version === undefined || !Number.isInteger(version)) return undefined;
        return loadVersion(database.db, opts.tenant, version);
      });
      if (!loaded) throw new CliError(`collectivité ou version inconnue : ${opts.tenant}${opts.version ? ` version ${opts.version}` : ''}`);
      process.stdout.write(opts.format === 'csv' ? exportRegisterCsv(loaded) : exportRegisterHtml(loaded));
    });
}

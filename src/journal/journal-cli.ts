/** `bastide journal verify [--tenant T]` and `bastide journal list --tenant T [--record ID]`. */
import type { Command } from 'commander';
import { CliError, globalOptions, printJson, withDatabase } from '../cli/cli-context.ts';
import { withPrincipal } from '../db/principal.ts';
import { isUuid } from '../db/uuid.ts';
import { listJournal } from './journal-repository.ts';
import { verifyJournal, type VerifyResult } from './journal-verify.ts';

export function journalCommands(program: Command): void {
  const journal = program.command('journal').description('journal des accès aux données personnelles');

  journal
    .command('verify')
    .description('vérifie la chaîne d’empreintes du journal ; sortie non nulle si une ligne a été modifiée, supprimée ou déplacée')
    .option('--tenant <id>', 'une seule collectivité (par défaut : toutes)')
    .action(async (opts: { tenant?: string }, command: Command) => {
      const results = await withDatabase(command, async (database) => {
        const tenants = await database.db.selectFrom('tenants').select('id').$if(opts.tenant !== undefined, (q) => q.where('id', '=', opts.tenant!)).orderBy('id').execute();
        if (opts.tenant !== undefined && tenants.length === 0) throw new CliError(`collectivité inconnue : ${opts.tenant}`);
        const out: VerifyResult[] = [];
        for (const t of tenants) out.push(await verifyJournal(database.db, t.id));
        return out;
      });
      const bad = results.filter((r) => !r.ok);
      if (globalOptions(command).json) printJson(results);
      else
        for (const r of results) {
          if (r.ok) process.stdout.write(`${r.tenantId} : journal intact (${r.rows} ligne${r.rows > 1 ? 's' : ''}${r.pruned > 0 ? `, après les ${r.pruned} plus anciennes supprimées par la purge` : ''})\n`);
          else process.stderr.write(`${r.tenantId} : journal ALTÉRÉ, première ligne en cause : ${r.firstBadSeq} (${r.problem})\n`);
        }
      if (bad.length > 0) throw new CliError(globalOptions(command).json ? '' : `journal altéré pour ${bad.map((r) => r.tenantId).join(', ')}`, 1);
    });

  journal
    .command('list')
    .description('affiche le journal : qui a lu quelle demande, quand et pourquoi')
    .requiredOption('--tenant <id>', 'collectivité')
    .option('--record <id>', 'une seule demande')
    .option('--after <seq>', 'lignes après ce numéro (page suivante)')
    .action(async (opts: { tenant: string; record?: string; after?: string }, command: Command) => {
      if (opts.record !== undefined && !isUuid(opts.record)) throw new CliError(`identifiant de demande invalide : ${opts.record}`);
      if (opts.after !== undefined && !/^\d{1,15}$/.test(opts.after)) throw new CliError(`--after : numéro de ligne attendu, pas « ${opts.after} »`);
      const rows = await withDatabase(command, async (database) => {
        const tenant = await database.db.selectFrom('tenants').select('id').where('id', '=', opts.tenant).executeTakeFirst();
        if (!tenant) throw new CliError(`collectivité inconnue : ${opts.tenant}`);
        // The operator at the command line reads the journal as maintenance does, one tenant at a time.
        return withPrincipal(database.db, { kind: 'system', tenantId: opts.tenant }, (trx) =>
          listJournal(trx, opts.tenant, { recordId: opts.record?.toLowerCase(), afterSeq: opts.after === undefined ? undefined : Number(opts.after) }),
        );
      });
      if (globalOptions(command).json) printJson(rows);
      else for (const r of rows) process.stdout.write(`${r.seq}\t${r.at}\t${r.actor}\t${r.action}\t${r.recordId ?? '-'}\t${r.purpose}\n`);
    });
}

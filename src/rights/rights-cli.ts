/**
 * `bastide rights list|show`: the DPO's queue on the command line. `list`
 * shows no personal data (type, state, dates); `show` opens the request's
 * address and details with the tenant key, a read the journal records.
 */
import type { Command } from 'commander';
import { CliError, globalOptions, masterKeyringFor, printJson, withDatabase } from '../cli/cli-context.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import { withPrincipal } from '../db/principal.ts';
import { appendJournal } from '../journal/journal.ts';
import { pendingNotices } from './recipient-notifications.ts';
import { STATE_LABELS, TYPE_LABELS } from './request-kinds.ts';
import { countByState, listRequests, lockRequest, secretsOf, toSummary } from './request-repository.ts';

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : '—');

export function rightsCommands(program: Command): void {
  const rights = program.command('rights').description('demandes d’exercice des droits (délégué à la protection des données)');

  rights
    .command('list')
    .description('liste les demandes : à traiter par échéance (en retard d’abord), puis en attente de vérification ; --all ajoute les traitées')
    .requiredOption('--tenant <id>', 'collectivité')
    .option('--all', 'inclure les demandes traitées')
    .action(async (opts: { tenant: string; all?: boolean }, command: Command) => {
      const now = new Date();
      const { counts, rows } = await withDatabase(command, (database) =>
        withPrincipal(database.db, { kind: 'system', tenantId: opts.tenant }, async (trx) => ({ counts: await countByState(trx, opts.tenant, now), rows: await listRequests(trx, opts.tenant, 10_000) })),
      );
      const items = rows.map((r) => toSummary(r, now)).filter((r) => opts.all || r.state !== 'done');
      if (globalOptions(command).json) return printJson({ counts, requests: items });
      process.stdout.write(`${opts.tenant} : ${counts.open} à traiter (dont ${counts.overdue} en retard), ${counts['awaiting-verification']} en attente de vérification, ${counts.done} traitées\n`);
      for (const r of items)
        process.stdout.write(`${r.id}\t${TYPE_LABELS[r.type]}\t${STATE_LABELS[r.state]}\treçue ${day(r.receivedAt)}\téchéance ${day(r.dueAt)}${r.overdue ? '\tEN RETARD' : ''}${r.lastError ? '\tétape à relancer' : ''}${pendingNotices(r.outcome).length > 0 ? '\tdestinataires à informer' : ''}\n`);
    });

  rights
    .command('show')
    .description('affiche une demande, avec l’adresse et les précisions du demandeur (lecture journalisée)')
    .requiredOption('--tenant <id>', 'collectivité')
    .argument('<id>', 'référence de la demande')
    .action(async (id: string, opts: { tenant: string }, command: Command) => {
      const shown = await withDatabase(command, async (database, config) => {
        const keys = new TenantKeys(database.db, masterKeyringFor(config, { generate: false }).keyring);
        // Before the transaction: the embedded database has one connection.
        await keys.all(opts.tenant);
        return withPrincipal(database.db, { kind: 'system', tenantId: opts.tenant }, async (trx) => {
          const row = await lockRequest(trx, opts.tenant, id);
          if (!row) throw new CliError(`demande inconnue pour ${opts.tenant} : ${id}`);
          await appendJournal(trx, opts.tenant, { actorId: null, actor: 'cli', action: 'rights', recordId: null, purpose: `demande d’exercice des droits ${row.id} consultée en ligne de commande` });
          return { ...toSummary(row, new Date()), requester: await secretsOf(keys, row) };
        });
      });
      if (globalOptions(command).json) return printJson(shown);
      const lines = [
        `${shown.id} – ${TYPE_LABELS[shown.type]}`,
        `état : ${STATE_LABELS[shown.state]}${shown.overdue ? ' (EN RETARD)' : ''}`,
        `reçue : ${shown.receivedAt.toISOString()}`,
        `identité vérifiée : ${shown.verifiedAt ? `${shown.verifiedAt.toISOString()} (${shown.verifiedBy === 'lien' ? 'lien envoyé à l’adresse' : 'par le délégué'})` : 'non'}`,
        `échéance : ${day(shown.dueAt)}${shown.extendedAt ? ' (prolongée)' : ''}`,
        `adresse : ${shown.requester.email}${shown.requester.phone ? `, téléphone ${shown.requester.phone}` : ''}`,
        `précisions : ${shown.requester.details || '—'}`,
        ...shown.requester.notes.map((n) => `${n.at} ${n.by} : ${n.text}`),
        ...(shown.outcome?.notifications ?? []).map((n) => `destinataire ${n.name} (${n.records.length} demande${n.records.length > 1 ? 's' : ''}) : ${n.notifiedAt ? `informé, enregistré le ${n.notifiedAt}` : 'À INFORMER (article 19)'}`),
        ...(shown.outcome ? [`résultat : ${JSON.stringify(shown.outcome)}`] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

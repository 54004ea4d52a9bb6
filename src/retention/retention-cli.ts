/**
 * `bastide retention run|certificates|hold|release|holds`: applying the
 * register's retention from the command line (for an external scheduler, or
 * as of another date with --now), checking the purge certificates, and the
 * DPO's legal holds.
 */
import type { Command } from 'commander';
import { CliError, globalOptions, masterKeyringFor, printJson, withDatabase } from '../cli/cli-context.ts';
import { asOfOption, tenantsOf } from '../cli/tenant-options.ts';
import { TenantKeys } from '../crypto/tenant-keys.ts';
import { progressBar } from '../cli/progress.ts';
import { withPrincipal } from '../db/principal.ts';
import type { Database } from '../db/database.ts';
import { listCertificates, verifyCertificates, type CertificatesCheck } from './certificates.ts';
import { listHolds, releaseHold, setHold } from './holds.ts';
import { RetentionBusy, RetentionRefused, runRetention, type RunReport } from './retention-run.ts';

const plural = (n: number, word: string) => `${n} ${word}${n > 1 ? 's' : ''}`;

function printRun(r: RunReport): void {
  const title = r.dryRun ? 'simulation (rien n’est modifié)' : r.resumed ? 'purge reprise là où elle s’était arrêtée' : 'purge';
  process.stdout.write(`${r.tenantId} : ${title} au ${r.asOf}, registre v${r.registerVersion}\n`);
  if (r.expiriesRecomputed > 0) process.stdout.write(`  ${plural(r.expiriesRecomputed, 'date')} de suppression recalculée${r.expiriesRecomputed > 1 ? 's' : ''} d’abord selon le registre en vigueur\n`);
  if (r.expiriesBehind !== null) process.stdout.write(`  attention : les dates de suppression suivent encore la version ${r.expiriesBehind} du registre ; la purge les recalculera d’abord\n`);
  const busy = r.processings.filter((p) => p.deleted + p.anonymised + p.archived + p.held + p.notApplied > 0);
  for (const p of busy) {
    const parts = [
      p.deleted > 0 && `${plural(p.deleted, 'demande')} ${r.dryRun ? 'à supprimer' : p.deleted > 1 ? 'supprimées' : 'supprimée'}`,
      p.anonymised > 0 && `${plural(p.anonymised, 'demande')} ${r.dryRun ? 'à anonymiser' : p.anonymised > 1 ? 'anonymisées' : 'anonymisée'}`,
      p.archived > 0 && `${plural(p.archived, 'demande')} ${r.dryRun ? 'à archiver' : p.archived > 1 ? 'archivées' : 'archivée'}`,
      p.held > 0 && `${plural(p.held, 'demande')} conservée${p.held > 1 ? 's' : ''} (gel ou conservation pour raison juridique)`,
      p.notApplied > 0 &&
        `${plural(p.notApplied, 'demande')} échue${p.notApplied > 1 ? 's' : ''} non traitée${p.notApplied > 1 ? 's' : ''} (${r.dryRun ? 'action à recalculer selon le registre : la purge le fera d’abord' : 'occupée au même moment : la prochaine purge la traitera'})`,
    ].filter(Boolean);
    process.stdout.write(`  ${p.processingId} (${p.rule.duration} à partir de ${p.rule.from}, puis ${p.rule.then}) : ${parts.join(' ; ')}\n`);
  }
  if (busy.length === 0) process.stdout.write('  aucune demande échue\n');
  if (r.outsideRegister > 0) process.stdout.write(`  ${plural(r.outsideRegister, 'demande')} échue${r.outsideRegister > 1 ? 's' : ''} d’un traitement retiré du registre : conservée${r.outsideRegister > 1 ? 's' : ''}, à examiner par le DPO\n`);
  if (r.logs && r.logs.securityLogDeleted + r.logs.journalPruned > 0) {
    const verb = (n: number) => (r.dryRun ? 'à supprimer' : n > 1 ? 'supprimées' : 'supprimée');
    process.stdout.write(
      `  ${r.logs.processingId} (${r.logs.rule.duration}) : ${plural(r.logs.securityLogDeleted, 'entrée')} du journal de sécurité ${verb(r.logs.securityLogDeleted)} ; ${plural(r.logs.journalPruned, 'entrée')} du journal des accès ${verb(r.logs.journalPruned)}${r.logs.journalCheckpoint && !r.dryRun ? ` (il commence désormais après la ligne ${r.logs.journalCheckpoint.seq})` : ''}\n`,
    );
  }
  const proofs = r.stores.consentProofs;
  if (proofs.deleted > 0)
    process.stdout.write(`  ${proofs.processingId ?? 'preuves de consentement'} (${proofs.duration}) : ${plural(proofs.deleted, 'preuve')} de choix de cookies ${r.dryRun ? 'à supprimer' : proofs.deleted > 1 ? 'supprimées' : 'supprimée'}\n`);
  const audience = r.stores.audience;
  if (audience.daysDeleted > 0)
    process.stdout.write(`  ${audience.processingId ?? 'mesure d’audience (plus au registre)'} (${audience.duration}) : statistiques d’audience de ${plural(audience.daysDeleted, 'jour')} ${r.dryRun ? 'à supprimer' : 'supprimées'}\n`);
  if (r.certificate) process.stdout.write(`  certificat de purge n° ${r.certificate.seq} (${r.runId}) : ${r.certificate.hash}\n`);
  if (r.deletionNotices) process.stdout.write(`  ${plural(r.deletionNotices, 'avis')} avant suppression mis en file d’envoi\n`);
  if (r.deletionNotices === null && !r.dryRun) process.stdout.write('  avis avant suppression non envoyés : la clé maîtresse est nécessaire pour les sceller (BASTIDE_MASTER_KEY ou BASTIDE_MASTER_KEY_FILE)\n');
}

export function retentionCommands(program: Command): void {
  const retention = program.command('retention').description('durées de conservation : purge, certificats, conservation pour raison juridique');

  retention
    .command('run')
    .description('applique les durées de conservation du registre : supprime ce qui est échu, écrit le certificat de purge')
    .option('--tenant <id>', 'une seule collectivité (par défaut : toutes)')
    .option('--now <date>', 'applique comme à cette date (ISO 8601)')
    .option('--dry-run', 'compte seulement, ne modifie rien')
    .action(async (opts: { tenant?: string; now?: string; dryRun?: boolean }, command: Command) => {
      const asOf = asOfOption(opts.now);
      const json = globalOptions(command).json === true;
      const reports = await withDatabase(command, async (database, config) => {
        const out: RunReport[] = [];
        // Asked for only if expiry dates must be recomputed from sealed fields first.
        const keys = () => new TenantKeys(database.db, masterKeyringFor(config, { generate: false }).keyring);
        for (const tenantId of await tenantsOf(database, opts.tenant)) {
          const bar = progressBar(`${tenantId} : demandes et journaux purgés`, { json });
          try {
            out.push(await runRetention(database.db, tenantId, { asOf, keys, publicUrl: config.publicUrl, dryRun: opts.dryRun === true, onProgress: (done, total) => bar.update(done, total) }));
          } catch (e) {
            if (e instanceof RetentionBusy || e instanceof RetentionRefused) throw new CliError(`erreur : ${e.message}`, e instanceof RetentionBusy ? 4 : 1);
            throw e;
          } finally {
            bar.stop();
          }
        }
        return out;
      });
      if (json) printJson(reports);
      else for (const r of reports) printRun(r);
    });

  retention
    .command('certificates')
    .description('liste les certificats de purge ; avec --verify, vérifie leur chaîne et leurs comptes (sortie non nulle si l’un a été altéré)')
    .option('--tenant <id>', 'une seule collectivité (par défaut : toutes)')
    .option('--verify', 'vérifie la chaîne d’empreintes et recompte chaque certificat')
    .action(async (opts: { tenant?: string; verify?: boolean }, command: Command) => {
      const json = globalOptions(command).json === true;
      const results = await withDatabase(command, async (database) => {
        const out: Array<{ tenantId: string; certificates: Awaited<ReturnType<typeof listCertificates>>; check: CertificatesCheck | undefined }> = [];
        for (const tenantId of await tenantsOf(database, opts.tenant))
          out.push(
            await withPrincipal(database.db, { kind: 'system', tenantId }, async (trx) => ({
              tenantId,
              certificates: await listCertificates(trx, tenantId),
              check: opts.verify ? await verifyCertificates(trx, tenantId) : undefined,
            })),
          );
        return out;
      });
      if (json) printJson(results.map((r) => ({ tenantId: r.tenantId, check: r.check, certificates: r.certificates.map(({ text: _text, ...c }) => c) })));
      else
        for (const r of results) {
          for (const c of r.certificates) {
            const erased = c.certificate.processings.reduce((n, p) => n + p.deleted + p.anonymised + p.archived, 0);
            const held = c.certificate.processings.reduce((n, p) => n + p.held, 0);
            process.stdout.write(`${r.tenantId}\tn° ${c.seq}\t${c.certificate.finishedAt}\tau ${c.certificate.asOf}\t${erased} effacée(s), ${held} conservée(s)\t${c.hash}\n`);
          }
          if (r.check?.ok) process.stdout.write(`${r.tenantId} : ${plural(r.check.certificates, 'certificat')} intact${r.check.certificates > 1 ? 's' : ''}\n`);
          else if (r.check) process.stderr.write(`${r.tenantId} : certificat n° ${r.check.seq} ALTÉRÉ (${r.check.runId}) : ${r.check.problem}\n`);
        }
      const bad = results.filter((r) => r.check && !r.check.ok);
      if (bad.length > 0) throw new CliError(json ? '' : `certificats altérés pour ${bad.map((r) => r.tenantId).join(', ')}`, 1);
    });

  retention
    .command('hold')
    .description('conserve une demande au-delà de sa durée (litige, impayé) : elle ne sera pas supprimée tant que la mesure dure')
    .requiredOption('--tenant <id>', 'collectivité')
    .requiredOption('--record <id>', 'identifiant de la demande')
    .requiredOption('--reason <texte>', 'motif (il figure dans la liste des mesures, jamais chez le citoyen)')
    .option('--by <qui>', 'qui décide (par défaut : cli)', 'cli')
    .action(async (opts: { tenant: string; record: string; reason: string; by: string }, command: Command) => {
      const result = await withDatabase(command, async (database) => {
        await tenantsOf(database, opts.tenant);
        return setHold(database.db, opts.tenant, opts.record, opts.reason, { actorId: null, actor: `cli:${opts.by}` });
      });
      if (!result.ok) throw new CliError(`erreur : ${result.problem}`);
      if (globalOptions(command).json) printJson(result.hold);
      else process.stdout.write(`${result.hold.recordId} : conservée (${result.replaced ? 'motif remplacé' : 'nouvelle mesure'}) — ${result.hold.reason}\n`);
    });

  retention
    .command('release')
    .description('lève la conservation d’une demande : elle suit de nouveau sa durée')
    .requiredOption('--tenant <id>', 'collectivité')
    .requiredOption('--record <id>', 'identifiant de la demande')
    .action(async (opts: { tenant: string; record: string }, command: Command) => {
      const released = await withDatabase(command, async (database) => {
        await tenantsOf(database, opts.tenant);
        return releaseHold(database.db, opts.tenant, opts.record, { actorId: null, actor: 'cli' });
      });
      if (!released) throw new CliError(`erreur : aucune mesure de conservation sur la demande ${opts.record}`);
      if (globalOptions(command).json) printJson({ recordId: opts.record.toLowerCase(), released: true });
      else process.stdout.write(`${opts.record.toLowerCase()} : mesure de conservation levée\n`);
    });

  retention
    .command('holds')
    .description('liste les demandes conservées pour raison juridique')
    .requiredOption('--tenant <id>', 'collectivité')
    .action(async (opts: { tenant: string }, command: Command) => {
      const holds = await withDatabase(command, async (database) => {
        await tenantsOf(database, opts.tenant);
        return listHolds(database.db, opts.tenant);
      });
      if (globalOptions(command).json) printJson(holds);
      else for (const h of holds) process.stdout.write(`${h.recordId}\t${h.processingId}\t${h.setAt.toISOString()}\t${h.setBy}\t${h.reason}\n`);
    });
}

/**
 * `bastide audience aggregate`: the daily aggregation from the command line
 * (an external scheduler, or a catch-up as of another date with --now), with
 * a progress bar of the hits on a terminal, quiet with --json.
 */
import type { Command } from 'commander';
import { CliError, globalOptions, printJson, withDatabase } from '../cli/cli-context.ts';
import { progressBar } from '../cli/progress.ts';
import { asOfOption, tenantsOf } from '../cli/tenant-options.ts';
import { RegisterDirectory } from '../register/register-directory.ts';
import { aggregateAudience, type AggregationReport } from './aggregate.ts';
import { audienceService } from './audience-service.ts';

export function audienceCommands(program: Command): void {
  const audience = program.command('audience').description('mesure d’audience : agrégation quotidienne des pages vues');
  audience
    .command('aggregate')
    .description('agrège les pages vues des jours passés en statistiques, puis supprime les pages vues brutes')
    .option('--tenant <id>', 'une seule collectivité (par défaut : toutes celles qui mesurent leur audience)')
    .option('--now <date>', 'agrège les jours antérieurs à celui de cette date (ISO 8601)')
    .action(async (opts: { tenant?: string; now?: string }, command: Command) => {
      const now = asOfOption(opts.now);
      const json = globalOptions(command).json === true;
      const reports = await withDatabase(command, async (database) => {
        const registers = new RegisterDirectory(database.db, { ttlMs: 0 });
        const out: AggregationReport[] = [];
        for (const tenantId of await tenantsOf(database, opts.tenant)) {
          const loaded = await registers.current(tenantId);
          const service = loaded && audienceService(loaded.register);
          if (!service) {
            if (opts.tenant) throw new CliError(`${tenantId} ne mesure pas son audience : son registre ne nomme pas de traitement audienceProcessing`);
            continue;
          }
          const bar = progressBar(`${tenantId} : pages vues agrégées`, { json });
          try {
            out.push(await aggregateAudience(database.db, tenantId, service, now, (done, total) => bar.update(done, total)));
          } finally {
            bar.stop();
          }
        }
        return out;
      });
      if (json) printJson(reports);
      else
        for (const r of reports)
          process.stdout.write(
            r.days.length === 0
              ? `${r.tenantId} : aucune page vue à agréger\n`
              : `${r.tenantId} : ${r.hits} page(s) vue(s) agrégée(s) sur ${r.days.length} jour(s), du ${r.days[0]} au ${r.days.at(-1)}\n`,
          );
    });
}

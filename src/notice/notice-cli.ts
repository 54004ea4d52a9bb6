/** `bastide notice render`: the notice of the register in force, as HTML, JSON or Markdown. */
import { Command, Option } from 'commander';
import { CliError, withDatabase } from '../cli/cli-context.ts';
import { currentVersionNumber, loadVersion } from '../register/register-repository.ts';
import { renderedNotice } from './notice-cache.ts';

export function noticeCommands(program: Command): void {
  const notice = program.command('notice').description('politique de données personnelles');
  notice
    .command('render')
    .description('affiche la politique générée depuis le registre en vigueur')
    .requiredOption('--tenant <id>', 'collectivité')
    .addOption(new Option('--format <format>', 'format').choices(['html', 'json', 'md']).default('html'))
    .action(async (opts: { tenant: string; format: 'html' | 'json' | 'md' }, command: Command) => {
      const loaded = await withDatabase(command, async (database) => {
        const version = await currentVersionNumber(database.db, opts.tenant);
        return version === undefined ? undefined : loadVersion(database.db, opts.tenant, version);
      });
      if (!loaded) throw new CliError(`collectivité inconnue : ${opts.tenant} (chargez d'abord son registre : bastide register load FICHIER)`);
      const rendered = renderedNotice(loaded);
      const out = opts.format === 'html' ? rendered.html.raw.toString('utf8') : opts.format === 'json' ? JSON.stringify(rendered.notice, null, 2) : rendered.markdown;
      process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
    });
}

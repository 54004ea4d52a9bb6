/** The `bastide` command: wires each module's commands, nothing more. */
import { Command } from 'commander';
import { noticeCommands } from '../notice/notice-cli.ts';
import { registerCommands } from '../register/register-cli.ts';
import { serveCommand } from '../server/serve-cli.ts';
import { accountCommands } from '../accounts/accounts-cli.ts';
import { journalCommands } from '../journal/journal-cli.ts';
import { keysCommands } from '../crypto/keys-cli.ts';
import { retentionCommands } from '../retention/retention-cli.ts';
import { rightsCommands } from '../rights/rights-cli.ts';
import { audienceCommands } from '../audience/audience-cli.ts';
import { reportError } from './cli-context.ts';

const program = new Command('bastide')
  .description('Bastide : téléservices et données personnelles des collectivités')
  .option('--data-dir <dir>', 'dossier de la base embarquée (par défaut BASTIDE_DATA_DIR ou ./data)')
  .option('--json', 'sortie lisible par une machine')
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);
noticeCommands(program);
serveCommand(program);
accountCommands(program);
journalCommands(program);
keysCommands(program);
retentionCommands(program);
rightsCommands(program);
audienceCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = (error as { code?: string }).code;
  if (code?.startsWith('commander.')) {
    // Commander has already printed its message (unknown option, --help…).
    process.exitCode = (error as { exitCode?: number }).exitCode ?? 1;
  } else {
    process.exitCode = reportError(error);
  }
}

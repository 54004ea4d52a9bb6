/**
 * `bastide keys rotate`: after a new master key is put first in the key file
 * (the old one kept below it), re-wraps every tenant's data key under it.
 * Data keys themselves do not change, so no record is re-encrypted and
 * servers over PostgreSQL keep running (they hold data keys in memory); once
 * it reports nothing left to do, the old master key can be removed.
 */
import type { Command } from 'commander';
import { CliError, globalOptions, masterKeyringFor, printJson, withDatabase } from '../cli/cli-context.ts';
import { rewrapAll } from './tenant-keys.ts';

export function keysCommands(program: Command): void {
  program
    .command('keys')
    .description('clés de chiffrement')
    .command('rotate')
    .description('re-chiffre les clés de données des collectivités sous la clé maîtresse courante (la première du fichier de clés)')
    .action(async (_opts, command: Command) => {
      const result = await withDatabase(command, async (database, config) => {
        const { keyring } = masterKeyringFor(config, { generate: false });
        try {
          return { ...(await rewrapAll(database.db, keyring)), current: keyring.currentId };
        } catch (e) {
          // A master key named by a stored data key is missing from the file.
          if (e instanceof Error && e.message.startsWith('la clé maîtresse')) throw new CliError(`erreur : ${e.message}`, 2);
          throw e;
        }
      });
      if (globalOptions(command).json) printJson(result);
      else if (result.rewrapped === 0)
        process.stdout.write(`rien à faire : ${result.already} clé${result.already > 1 ? 's' : ''} de données déjà chiffrée${result.already > 1 ? 's' : ''} sous la clé maîtresse « ${result.current} »\n`);
      else
        process.stdout.write(
          `${result.rewrapped} clé${result.rewrapped > 1 ? 's' : ''} de données re-chiffrée${result.rewrapped > 1 ? 's' : ''} sous la clé maîtresse « ${result.current} »` +
            `${result.already > 0 ? ` (${result.already} l’étaient déjà)` : ''} ; l’ancienne clé peut être retirée du fichier une fois ses sauvegardes expirées\n`,
        );
    });
}

/** Commands: bastide journal verify, bastide journal list. */
import type { Command } from 'commander';

export function journalCommands(_program: Command): void {}

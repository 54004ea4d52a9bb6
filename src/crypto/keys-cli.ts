/** Commands: bastide keys rotate. */
import type { Command } from 'commander';

export function keysCommands(_program: Command): void {}

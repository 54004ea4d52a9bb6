/** Commands: bastide agent add, bastide token create. */
import type { Command } from 'commander';

export function accountCommands(_program: Command): void {}

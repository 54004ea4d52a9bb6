/** Reads a register file from disk, refusing early what cannot be a register. */
import { readFile, stat } from 'node:fs/promises';
import { MAX_REGISTER_BYTES, tooLargeProblem } from './parse.ts';
import type { Problem } from './problem.ts';

export async function readRegisterFile(path: string): Promise<{ bytes: Uint8Array } | { problem: Problem }> {
  const at = { path: '(fichier)' };
  try {
    const info = await stat(path);
    if (!info.isFile()) return { problem: { ...at, message: `« ${path} » n'est pas un fichier` } };
    if (info.size > MAX_REGISTER_BYTES) return { problem: tooLargeProblem(info.size) };
    return { bytes: await readFile(path) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { problem: { ...at, message: `fichier introuvable : ${path}` } };
    if (code === 'EACCES') return { problem: { ...at, message: `lecture interdite : ${path}` } };
    throw e;
  }
}

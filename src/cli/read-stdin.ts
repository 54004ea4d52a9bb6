/** A secret given on standard input (`--password-stdin`): never an argument, which `ps` and shell history would show. */
import { CliError } from './cli-context.ts';

const MAX_BYTES = 4096;

export async function readSecretFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('mot de passe (une ligne, puis Entrée et Ctrl-D) : ');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BYTES) throw new CliError('mot de passe trop long sur l’entrée standard');
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new CliError('--password-stdin : aucun mot de passe reçu sur l’entrée standard');
  if (/[\r\n]/.test(text)) throw new CliError('--password-stdin : le mot de passe tient sur une seule ligne');
  return text;
}

/**
 * Master keys wrap each tenant's data key; they come from the environment
 * or a key file, never from the database or the repository. A key file may
 * hold several keys (`id:base64`, one per line, the first is current), so a
 * new master key can be introduced and `bastide keys rotate` re-wrap every
 * data key while the old one still opens what is not yet re-wrapped.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface MasterKeyring {
  currentId: string;
  keys: ReadonlyMap<string, Buffer>;
}

export class MasterKeyError extends Error {}

function decodeKey(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new MasterKeyError(`${where} : une clé de 32 octets encodée en base64 est attendue (openssl rand -base64 32)`);
  return key;
}

export function parseKeyFile(content: string, where: string): MasterKeyring {
  const keys = new Map<string, Buffer>();
  let currentId: string | undefined;
  content
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .forEach((line, i) => {
      const colon = line.indexOf(':');
      const [id, value] = colon > 0 ? [line.slice(0, colon), line.slice(colon + 1)] : [`k${i + 1}`, line];
      if (keys.has(id)) throw new MasterKeyError(`${where} : identifiant de clé « ${id} » en double`);
      keys.set(id, decodeKey(value, `${where}, ligne ${i + 1}`));
      currentId ??= id;
    });
  if (!currentId) throw new MasterKeyError(`${where} : aucune clé`);
  return { currentId, keys };
}

export interface MasterKeySource {
  masterKey?: string | undefined;
  masterKeyFile?: string | undefined;
  /** Embedded mode only: where to create a key file on first start. */
  generatedKeyFile?: string | undefined;
}

export function loadMasterKeyring(source: MasterKeySource): { keyring: MasterKeyring; generated: boolean } {
  if (source.masterKey) return { keyring: { currentId: 'env', keys: new Map([['env', decodeKey(source.masterKey, 'BASTIDE_MASTER_KEY')]]) }, generated: false };
  const file = source.masterKeyFile ?? source.generatedKeyFile;
  if (!file)
    throw new MasterKeyError('aucune clé maîtresse : définissez BASTIDE_MASTER_KEY ou BASTIDE_MASTER_KEY_FILE (obligatoire avec DATABASE_URL)');
  let generated = false;
  if (!source.masterKeyFile && !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, `# Clé maîtresse générée au premier démarrage. Sauvegardez-la à part : sans elle, les données chiffrées sont perdues.\nk1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    generated = true;
  }
  if (!existsSync(file)) throw new MasterKeyError(`fichier de clé introuvable : ${file}`);
  if ((statSync(file).mode & 0o077) !== 0) throw new MasterKeyError(`${file} est lisible par d'autres utilisateurs : chmod 600 ${file}`);
  return { keyring: parseKeyFile(readFileSync(file, 'utf8'), file), generated };
}

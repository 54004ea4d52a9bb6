/** The W3C Nu Html Checker (vnu.jar) over files written to disk: one JVM start for many documents. */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** vnu-jar's main export is the path of the jar (a String object). */
const VNU_JAR = String(require('vnu-jar'));
const JAVA = process.env.JAVA ?? 'java';

export interface VnuMessage {
  type: 'error' | 'info' | 'non-document-error';
  subType?: string;
  url?: string;
  firstLine?: number;
  lastLine?: number;
  firstColumn?: number;
  lastColumn?: number;
  message: string;
  extract?: string;
}

export function runVnu(files: string[]): Promise<VnuMessage[]> {
  const args = ['-jar', VNU_JAR, '--format', 'json', '--stdout', '--exit-zero-always', '--also-check-css', ...files];
  return new Promise((resolve, reject) => {
    execFile(JAVA, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${JAVA} -jar vnu.jar failed: ${error.message}\n${stderr}`));
      try {
        resolve((JSON.parse(stdout) as { messages: VnuMessage[] }).messages);
      } catch {
        reject(new Error(`vnu.jar did not answer JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

export function describeMessage(m: VnuMessage): string {
  const line = m.lastLine ?? m.firstLine;
  const where = line !== undefined ? `line ${line}${m.lastColumn !== undefined ? `, column ${m.lastColumn}` : ''}` : 'document';
  return `${where}: ${m.message}${m.extract ? ` [${m.extract.replace(/\s+/g, ' ').trim()}]` : ''}`;
}


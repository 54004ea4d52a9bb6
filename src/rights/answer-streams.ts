/**
 * The answer behind the link, streamed in the three forms it is given:
 * the HTML page, the JSON download and, for portability, the CSV one. Each
 * reads the records a part at a time (answer-parts.ts), so that a person
 * with thousands of records gets them without the server holding them all.
 */
import { Readable } from 'node:stream';
import { csvLine } from '../back-office/export/csv-export.ts';
import type { LoadedRegister } from '../register/register-repository.ts';
import type { OpenedAnswer } from './answer-link.ts';
import { answerFrame, answerRecordHtml, processingEnd, processingStart, type AnswerLinks } from './answer-page.ts';

const stream = (chunks: AsyncGenerator<string>) => Readable.from(chunks, { objectMode: false });

export function answerHtml(loaded: LoadedRegister, answer: OpenedAnswer, links: AnswerLinks): Readable {
  const [before, after] = answerFrame(loaded, answer.head, links);
  const processings = new Map(answer.head.processings.map((p) => [p.id, p]));
  async function* produce() {
    yield before;
    let current: string | undefined;
    for await (const part of answer.parts()) {
      let out = '';
      for (const r of part) {
        if (r.processingId !== current) {
          if (current !== undefined) out += processingEnd;
          current = r.processingId;
          out += processingStart(current, processings.get(current)).value;
        }
        out += answerRecordHtml(loaded, r).value;
      }
      yield out;
    }
    if (current !== undefined) yield processingEnd;
    yield after;
  }
  return stream(produce());
}

/** The same object the answer always had ({…head, records: […]}), one record per line. */
export function answerJson(answer: OpenedAnswer): Readable {
  async function* produce() {
    const head = JSON.stringify(answer.head, null, 2);
    yield `${head.slice(0, -2)},\n  "records": [`;
    let first = true;
    for await (const part of answer.parts()) {
      if (part.length === 0) continue;
      yield `${first ? '\n' : ',\n'}    ${part.map((r) => JSON.stringify(r)).join(',\n    ')}`;
      first = false;
    }
    yield first ? ']\n}\n' : '\n  ]\n}\n';
  }
  return stream(produce());
}

/** Portability for spreadsheets: one row per value (UTF-8 with BOM, `;`, formulas defused as in the back office's exports). */
export function answerCsv(answer: OpenedAnswer): Readable {
  const value = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : typeof v === 'boolean' ? (v ? 'Oui' : 'Non') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  async function* produce() {
    yield `\uFEFF${csvLine(['demande', 'démarche', 'envoyée le', 'champ', 'valeur'])}`;
    for await (const part of answer.parts()) {
      let out = '';
      for (const r of part) for (const [k, v] of Object.entries(r.data)) out += csvLine([r.id, r.formTitle, r.createdAt, k, value(v)]);
      if (out) yield out;
    }
  }
  return stream(produce());
}

// The code the simulated user types and the simulated model "knows": real-looking TypeScript
// (copies of three of Tandem's own source files, frozen here so results do not drift with the
// source) and two Python modules. Files end in .txt so the project's type-check and lint skip them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { languageIdForPath } from '../src/core/completion/languageIds';

export interface CorpusFile {
  name: string;
  languageId: string;
  text: string;
}

export const CORPUS_DIR = path.join(__dirname, 'corpus');

export function loadCorpus(dir = CORPUS_DIR): CorpusFile[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().map((f) => {
    const name = f.replace(/\.txt$/, '');
    return { name, languageId: languageIdForPath(name), text: fs.readFileSync(path.join(dir, f), 'utf8') };
  });
}

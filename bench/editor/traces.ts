// Seeded human typing traces for the editor benchmark: which real file, which stretch of it is
// typed, and the gap before every keystroke. The typed stretch is cut out of the file first, so the
// typist re-types the file's own text and the model double can answer with its true continuation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mulberry32 } from '../../test/support/mulberry32';

export type TraceName = 'random' | 'boundary';
export const TRACE_NAMES: readonly TraceName[] = ['random', 'boundary'];

export interface Keystroke {
  /** One character of the file; '\n' is typed as Enter. */
  ch: string;
  /** Wait before this key (after the previous one). */
  gapMs: number;
}

export interface Trace {
  name: TraceName;
  /** Corpus file (bench/corpus/<name>.txt) and the name it gets in the workspace. */
  corpusFile: string;
  fileName: string;
  /** The whole file as it really is. */
  truth: string;
  /** Where the typed stretch starts in `truth`. */
  start: number;
  keys: Keystroke[];
  /** Indexes of keys followed by a pause (the gap before the next key, or the end of the trace). */
  pauseAfter: number[];
  /** Rest after the last key before the run ends. */
  tailMs: number;
}

export const KEYSTROKES = 400;
/** A pause is any gap at least this long (the designed ones are 0.6-1.5 s). */
export const PAUSE_MIN_MS = 500;
const TYPICAL_GAP_MS = 140;
const GAP_SIGMA = 0.35;
const CORPUS = path.join(__dirname, '..', 'corpus');

/** Log-normal around the median: most gaps 90-220 ms, a few longer, as measured keystroke gaps are. */
function gap(rand: () => number): number {
  const u1 = Math.max(1e-9, rand());
  const u2 = rand();
  const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.round(Math.min(450, Math.max(45, TYPICAL_GAP_MS * Math.exp(GAP_SIGMA * normal))));
}

const pauseMs = (rand: () => number): number => Math.round(600 + rand() * 900);

/**
 * The first stretch of KEYSTROKES characters at or after `fraction` of the file that starts at a
 * line start and stops just before a line break, which stays in the file: the cursor then never
 * has text after it on its line (where completions would be mid-line insertions, which Tandem
 * skips, rather than the typing this replays).
 */
function stretch(corpusFile: string, fraction: number): { truth: string; start: number; text: string } {
  const truth = fs.readFileSync(path.join(CORPUS, corpusFile), 'utf8');
  for (let start = truth.lastIndexOf('\n', Math.floor(truth.length * fraction)) + 1; start > 0 || start === 0; start = truth.indexOf('\n', start) + 1) {
    const text = truth.slice(start, start + KEYSTROKES);
    if (text.length < KEYSTROKES) break;
    if (truth[start + KEYSTROKES] === '\n' && !/[\t\r]/.test(text)) return { truth, start, text };
    if (truth.indexOf('\n', start) < 0) break;
  }
  throw new Error(`${corpusFile}: no ${KEYSTROKES}-character stretch of whole lines after ${fraction}`);
}

/** The first trace: a 0.6-1.5 s pause every 15-30 keys, wherever it falls. */
export function randomPauseTrace(seed: number): Trace {
  const rand = mulberry32(seed);
  const { truth, start, text } = stretch('completionCache.ts.txt', 0.28);
  const pauseAfter: number[] = [];
  for (let i = 14 + Math.floor(rand() * 16); i < KEYSTROKES - 1; i += 15 + Math.floor(rand() * 16)) pauseAfter.push(i);
  return build('random', 'completionCache.ts.txt', 'completionCache.ts', truth, start, text, pauseAfter, rand);
}

const BOUNDARY_CHARS = new Set(['(', '=', ':', ',', '\n']);
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/**
 * Pauses where people pause: after `(`, `=`, `:`, `,`, Enter, or a finished word (the key after
 * it is not a word character). Spaced like the random trace: the first such place once 15-30 keys
 * have passed since the last pause.
 */
export function boundaryPauseTrace(seed: number): Trace {
  const rand = mulberry32(seed + 1000);
  const { truth, start, text } = stretch('inventory.py.txt', 0.27);
  const pauseAfter: number[] = [];
  let due = 14 + Math.floor(rand() * 16);
  for (let i = 0; i < KEYSTROKES - 1; i++) {
    if (i < due) continue;
    const c = text[i];
    const finishedWord = isWordChar(c) && !isWordChar(text[i + 1]);
    if (!BOUNDARY_CHARS.has(c) && !finishedWord) continue;
    pauseAfter.push(i);
    due = i + 15 + Math.floor(rand() * 16);
  }
  return build('boundary', 'inventory.py.txt', 'inventory.py', truth, start, text, pauseAfter, rand);
}

function build(name: TraceName, corpusFile: string, fileName: string, truth: string, start: number, text: string,
  pauseAfter: number[], rand: () => number): Trace {
  const pauses = new Map(pauseAfter.map((i) => [i, pauseMs(rand)]));
  const keys: Keystroke[] = [...text].map((ch, i) => ({ ch, gapMs: i === 0 ? 0 : pauses.get(i - 1) ?? gap(rand) }));
  return { name, corpusFile, fileName, truth, start, keys, pauseAfter, tailMs: 1500 };
}

export function traceByName(name: TraceName, seed: number): Trace {
  return name === 'random' ? randomPauseTrace(seed) : boundaryPauseTrace(seed);
}

/** The file as the typist finds it: the typed stretch cut out. */
export function startingText(t: Trace): string {
  return t.truth.slice(0, t.start) + t.truth.slice(t.start + t.keys.length);
}

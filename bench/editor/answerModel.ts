// What the model double answers in the editor benchmark. Like a real model it is right only some of
// the time: for a share `accuracy` of cursor positions (0.4 by default, as in `npm run bench`) it
// answers with the file's true continuation (the text the typist is about to type), so typing
// through the suggestion keeps it valid; elsewhere it answers with a few right characters and then
// code from another place in the file, which the next keys contradict. An oracle that is always
// right would let typing-through serve nearly every keystroke and hide what a wrong guess costs.
// Right or wrong is decided per cursor position from the seed, so asking again at the same place
// gets the same answer, as from a real model at low temperature. The harness tells which request
// a ghost text came from by where the request's cursor was and what it had streamed by then (no
// marker in the text: a marker would either show in the ghost text or change what post-processing
// keeps).
// Pluggable: `shape` decides how much of the continuation one answer holds (lines today; a block
// up to the next blank line for multi-line completions).
import type { Trace } from './traces';

export interface FimParts {
  prefix: string;
  suffix: string;
}

/** The prefix and suffix of an /api/generate body, native (`suffix` field) or raw with FIM tokens. */
export function fimParts(body: { prompt?: unknown; suffix?: unknown; raw?: unknown }): FimParts {
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  if (body.raw !== true) return { prefix: prompt, suffix: typeof body.suffix === 'string' ? body.suffix : '' };
  const between = (s: string, a: string, b: string): string | undefined => {
    const i = s.indexOf(a);
    const j = i < 0 ? -1 : s.indexOf(b, i + a.length);
    return i < 0 || j < 0 ? undefined : s.slice(i + a.length, j);
  };
  // Suffix-first (SPM) and prefix-first (PSM) pipe-FIM, then Code Llama's and Codestral's suffix-first.
  if (prompt.startsWith('<|fim_suffix|>')) {
    return { suffix: between(prompt, '<|fim_suffix|>', '<|fim_prefix|>') ?? '', prefix: between(prompt, '<|fim_prefix|>', '<|fim_middle|>') ?? '' };
  }
  if (prompt.startsWith('<|fim_prefix|>')) {
    return { prefix: between(prompt, '<|fim_prefix|>', '<|fim_suffix|>') ?? '', suffix: between(prompt, '<|fim_suffix|>', '<|fim_middle|>') ?? '' };
  }
  // Code Llama suffix-first: `<PRE> <SUF>{suffix} <MID> {prefix}`.
  if (prompt.startsWith('<PRE> <SUF>')) {
    const at = prompt.indexOf(' <MID> ');
    return { suffix: prompt.slice('<PRE> <SUF>'.length, at), prefix: prompt.slice(at + ' <MID> '.length) };
  }
  if (prompt.startsWith('[SUFFIX]')) {
    const at = prompt.indexOf('[PREFIX] ');
    return { suffix: prompt.slice(8, at), prefix: prompt.slice(at + 9) };
  }
  return { prefix: prompt, suffix: '' };
}

export type AnswerShape = (continuation: string) => string;

/** Up to `lines` lines of the continuation (the double answered 6). */
export const linesShape = (lines: number): AnswerShape => (c) => {
  let at = -1;
  for (let i = 0; i < lines; i++) {
    at = c.indexOf('\n', at + 1);
    if (at < 0) return c;
  }
  return c.slice(0, at + 1);
};

export interface Answer {
  text: string;
  /** Keys typed when the request was made (its cursor), or undefined if the prompt is not the trace's file. */
  keysTyped: number | undefined;
}

const TAIL = 300;
/** A wrong answer keeps at most this many right characters before it goes astray. */
const WRONG_HEAD_MAX = 6;

export interface AnswerOptions {
  /** Share of cursor positions answered with the true continuation (default 0.4). */
  accuracy?: number;
  seed?: number;
  shape?: AnswerShape;
}

/** A deterministic number in [0, 1) for (seed, position, salt). */
function unit(seed: number, k: number, salt: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35) ^ Math.imul(salt + 7, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return ((h ^ (h >>> 15)) >>> 0) / 2 ** 32;
}

export class TraceAnswers {
  private readonly typed: string;
  private readonly accuracy: number;
  private readonly seed: number;
  private readonly shape: AnswerShape;
  /** Line starts above the typed stretch: where wrong answers are taken from. */
  private readonly elsewhere: number[];

  constructor(private readonly trace: Trace, options: AnswerOptions = {}) {
    this.typed = trace.keys.map((k) => k.ch).join('');
    this.accuracy = options.accuracy ?? 0.4;
    this.seed = options.seed ?? 1;
    this.shape = options.shape ?? linesShape(6);
    this.elsewhere = [];
    for (let i = 0; i < trace.start; i = trace.truth.indexOf('\n', i) + 1) {
      if (trace.truth.slice(i, trace.truth.indexOf('\n', i)).trim().length >= 8) this.elsewhere.push(i);
      if (trace.truth.indexOf('\n', i) < 0) break;
    }
  }

  /** Whether the answer at `k` keys typed is the true continuation. */
  isRight(k: number): boolean {
    return this.elsewhere.length === 0 || unit(this.seed, k, 0) < this.accuracy;
  }

  /** Where in the typed stretch a prompt's cursor is: the most keys whose text the prefix ends with. */
  keysTypedFor(prefix: string): number | undefined {
    const tail = prefix.slice(-TAIL);
    const head = this.trace.truth.slice(0, this.trace.start);
    for (let k = this.typed.length; k >= 0; k--) {
      const doc = head + this.typed.slice(0, k);
      if (doc.endsWith(tail)) return k;
    }
    return undefined;
  }

  answer(parts: FimParts): Answer {
    const k = this.keysTypedFor(parts.prefix);
    if (k === undefined) return { text: '', keysTyped: undefined };
    // The middle that is missing: the rest of the typed stretch (the suffix is already in the file).
    const truth = this.typed.slice(k);
    if (this.isRight(k)) return { text: this.shape(truth), keysTyped: k };
    // Wrong: a few right characters of the current line, then another line of the file.
    const line = truth.split('\n')[0];
    const head = line.slice(0, Math.floor(unit(this.seed, k, 1) * Math.min(WRONG_HEAD_MAX, line.length)));
    const from = this.elsewhere[Math.floor(unit(this.seed, k, 2) * this.elsewhere.length)];
    const other = this.trace.truth.slice(from).replace(/^[ \t]+/, '');
    return { text: this.shape(head + other), keysTyped: k };
  }

  /** The text from key `from` to key `to` (what the user typed between two cursors). */
  typedBetween(from: number, to: number): string {
    return this.typed.slice(from, to);
  }
}

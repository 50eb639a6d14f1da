// What the model double answers in the editor benchmark: the file's true continuation at the
// cursor (the text the typist is about to type), so a shown suggestion is right when the engine and
// the editor pass it through intact, and the harness can tell which request a ghost text came
// from by where the request's cursor was and what it had streamed by then (no marker in the text:
// a marker would either show in the ghost text or change what post-processing keeps).
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
  // Suffix-first (SPM) and prefix-first (PSM) pipe-FIM, then Codestral's [SUFFIX]..[PREFIX].
  if (prompt.startsWith('<|fim_suffix|>')) {
    return { suffix: between(prompt, '<|fim_suffix|>', '<|fim_prefix|>') ?? '', prefix: between(prompt, '<|fim_prefix|>', '<|fim_middle|>') ?? '' };
  }
  if (prompt.startsWith('<|fim_prefix|>')) {
    return { prefix: between(prompt, '<|fim_prefix|>', '<|fim_suffix|>') ?? '', suffix: between(prompt, '<|fim_suffix|>', '<|fim_middle|>') ?? '' };
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

export class TraceAnswers {
  private readonly typed: string;

  constructor(private readonly trace: Trace, private readonly shape: AnswerShape = linesShape(6)) {
    this.typed = trace.keys.map((k) => k.ch).join('');
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
    return { text: this.shape(this.typed.slice(k)), keysTyped: k };
  }

  /** The text from key `from` to key `to` (what the user typed between two cursors). */
  typedBetween(from: number, to: number): string {
    return this.typed.slice(from, to);
  }
}

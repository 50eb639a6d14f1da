// The simulated model behind the Ollama double: it "knows" the corpus. For a prompt whose end is
// found in a corpus file, it answers with the file's true continuation for a seeded share of
// requests (the suggestion is right) and with code from elsewhere in the corpus otherwise (wrong,
// but code-like). Either way the answer is 1-4 lines long and then the model stops, as FIM models
// do at their end-of-text token. The verdict depends only on (seed, prompt, suffix), so every
// engine in a run gets the same answer for the same request.
import { defaultTokenize } from '../test/doubles/httpUtil';
import type { CorpusFile } from './corpus';
import { hash } from './random';

export interface ModelBehaviour {
  seed: number;
  /** Share of requests (at a position found in the corpus) answered with the true continuation. */
  correctShare: number;
}

export interface ReplyInfo {
  correct: boolean;
  /** Tokens (as the double streams them) up to and including the one holding the first newline; 0 if none. */
  tokensToFirstNewline: number;
  replyTokens: number;
}

/** Characters of the prompt's end used to find it in the corpus: unique in practice. */
const ANCHOR_CHARS = 240;

function takeLines(text: string, from: number, lines: number): string {
  let end = from;
  for (let i = 0; i < lines; i++) {
    const nl = text.indexOf('\n', end);
    if (nl < 0) return text.slice(from);
    end = nl + 1;
  }
  return text.slice(from, end);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export class BenchModel {
  private readonly starts: number[][];

  constructor(private readonly corpus: readonly CorpusFile[], private readonly behaviour: ModelBehaviour) {
    this.starts = corpus.map((f) => lineStarts(f.text));
  }

  /** Where in the corpus the prompt ends, if it is corpus text. */
  locate(prompt: string): { file: number; pos: number } | undefined {
    if (prompt.length === 0) return undefined;
    const anchor = prompt.slice(-ANCHOR_CHARS);
    for (let file = 0; file < this.corpus.length; file++) {
      const text = this.corpus[file].text;
      const at = text.indexOf(anchor);
      // Shorter prompts (start of a file) must also start where the file starts.
      if (at >= 0 && (prompt.length > ANCHOR_CHARS || at === 0)) return { file, pos: at + anchor.length };
    }
    return undefined;
  }

  reply(prompt: string, suffix: string): { text: string; info: ReplyInfo } {
    const h = hash(this.behaviour.seed, `${prompt}\u0000${suffix}`);
    const lines = 1 + ((h >>> 8) % 4);
    const found = this.locate(prompt);
    let text = '';
    let correct = false;
    if (found && (h % 10_000) / 10_000 < this.behaviour.correctShare) {
      text = takeLines(this.corpus[found.file].text, found.pos, lines);
      correct = text.trim() !== '';
    }
    if (!correct) {
      const file = (h >>> 4) % this.corpus.length;
      const starts = this.starts[file];
      const lineStart = starts[(h >>> 12) % starts.length];
      const src = this.corpus[file].text;
      let from = lineStart;
      while (from < src.length && (src[from] === ' ' || src[from] === '\t')) from++;
      text = takeLines(src, from, lines);
      if (text.trim() === '') text = 'return undefined;\n';
    }
    const tokens = defaultTokenize(text);
    const nl = tokens.findIndex((t) => t.includes('\n'));
    return { text, info: { correct, tokensToFirstNewline: nl + 1, replyTokens: tokens.length } };
  }
}

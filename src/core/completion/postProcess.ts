// Turns a model's raw FIM output into the text worth showing. Small local models leak special
// tokens, wrap code in markdown fences, loop, and re-type what already follows the cursor; each rule
// below removes one of those habits. Rules only cut or drop, never invent text.

import { ALL_SPECIAL_TOKENS } from '../shared/fimTemplates';
import { commentSyntaxFor, indentWidth, nextNonBlankLine } from './completionShape';

export interface PostProcessInput {
  raw: string;
  prefix: string;
  suffix: string;
  languageId: string;
  multiline: boolean;
  maxLines: number;
  /** Tokens to strip; defaults to every family's, pass the model's own to spare look-alike code. */
  specialTokens?: readonly string[];
}

export type EmptyReason = 'whitespaceOnly' | 'duplicatesNextLine' | 'repeatsSuffix' | 'allFiltered';

export type PostProcessResult =
  | { kind: 'ok'; text: string }
  | { kind: 'empty'; reason: EmptyReason };

export function postProcess(input: PostProcessInput): PostProcessResult {
  const raw = input.raw.replace(/\r\n/g, '\n');
  if (raw.trim() === '') return empty('whitespaceOnly');

  const ctx = contextOf(input);
  let text = stripFences(stripSpecialTokens(raw, input.specialTokens ?? ALL_SPECIAL_TOKENS), input.languageId);
  if (text.trim() === '') return empty('allFiltered');

  if (!input.multiline) {
    const nl = text.indexOf('\n');
    if (nl !== -1) text = text.slice(0, nl);
    if (text.trim() === '') return empty('whitespaceOnly');
  } else {
    let lines = text.split('\n').map((line) => line.trimEnd());
    lines = lines.slice(0, firstLineRepeatingSuffix(lines, ctx));
    if (lines.join('\n').trim() === '') return empty('repeatsSuffix');
    lines = lines.slice(0, firstLineLeavingBlock(lines, ctx));
    lines = dropConsecutiveRepeats(lines, ctx);
    lines = lines.slice(0, Math.max(1, input.maxLines));
    text = lines.join('\n');
    if (text.trim() === '') return empty('allFiltered');
  }

  // Overlap first: it can see the whole repeated tail (`b, c)` before `, c)`), where the closer
  // rule would only see its `)`.
  text = cutSuffixOverlap(text, ctx);
  if (text.trim() === '') return empty('repeatsSuffix');
  text = truncateAtForeignCloser(text, ctx).trimEnd();
  if (text.trim() === '') return empty('repeatsSuffix');

  if (!input.multiline && ctx.nextLine !== undefined && (ctx.linePrefix + text).trim() === ctx.nextLine.trim()) {
    return empty('duplicatesNextLine');
  }
  return { kind: 'ok', text };
}

function empty(reason: EmptyReason): PostProcessResult {
  return { kind: 'empty', reason };
}

interface Context {
  /** Text of the cursor's line before the cursor. */
  linePrefix: string;
  /** Text of the cursor's line after the cursor. */
  restOfLine: string;
  /** First non-blank line after the cursor's line. */
  nextLine: string | undefined;
  /** The suffix text a closer would duplicate: the rest of the line, or else the next non-blank line. */
  suffixHead: string;
  lex: LexSyntax;
}

function contextOf(input: PostProcessInput): Context {
  // Only the cursor's line and the next non-blank one matter, so the (long) prefix and suffix are
  // searched, not copied; a CRLF's `\r` is trimmed off the lines themselves.
  const { prefix, suffix } = input;
  const linePrefix = prefix.slice(prefix.lastIndexOf('\n') + 1);
  const nl = suffix.indexOf('\n');
  const restOfLine = (nl === -1 ? suffix : suffix.slice(0, nl)).replace(/\r$/, '');
  const nextLine = nl === -1 ? undefined : nextNonBlankLine(suffix, nl + 1)?.replace(/\r$/, '');
  const suffixHead = restOfLine.trim() !== '' ? restOfLine : (nextLine ?? '');
  return { linePrefix, restOfLine, nextLine, suffixHead, lex: lexSyntaxFor(input.languageId) };
}

// A special token at the start is noise before the answer (e.g. an echoed `<|fim_middle|>`); one
// later marks where the model left the hole (end of text, next file), so everything after it goes.
function stripSpecialTokens(text: string, tokens: readonly string[]): string {
  let rest = text;
  for (;;) {
    const lead = rest.length - rest.trimStart().length;
    const token = tokens.find((t) => rest.startsWith(t, lead));
    if (token === undefined) break;
    rest = rest.slice(lead + token.length);
  }
  let cut = rest.length;
  for (const t of tokens) {
    const at = rest.indexOf(t);
    if (at !== -1 && at < cut) cut = at;
  }
  return rest.slice(0, cut);
}

// Chat-tuned models answer in markdown even in FIM mode. Markdown documents keep their fences.
function stripFences(text: string, languageId: string): string {
  if (languageId === 'markdown') return text;
  let rest = text;
  if (rest.trimStart().startsWith('```')) {
    const nl = rest.indexOf('\n');
    rest = nl === -1 ? '' : rest.slice(nl + 1);
  }
  const closing = /^[ \t]*```/m.exec(rest);
  return closing ? rest.slice(0, closing.index) : rest;
}

/** Index of the first completion line that re-types the next line of the suffix (indentation included). */
function firstLineRepeatingSuffix(lines: string[], ctx: Context): number {
  if (ctx.nextLine === undefined) return lines.length;
  const target = ctx.nextLine.trimEnd();
  for (let i = 0; i < lines.length; i++) {
    const full = i === 0 ? ctx.linePrefix + lines[0] : lines[i];
    if (full.trim() !== '' && full.trimEnd() === target) return i;
  }
  return lines.length;
}

/** Index of the first line indented less than the line the completion starts on: it left the block. */
function firstLineLeavingBlock(lines: string[], ctx: Context): number {
  const firstLine = ctx.linePrefix + lines[0];
  const blockIndent = indentWidth(firstLine.trim() !== '' ? firstLine : ctx.linePrefix);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() !== '' && indentWidth(lines[i]) < blockIndent) return i;
  }
  return lines.length;
}

/** A model stuck in a loop repeats its last line; keep the first of each run (indentation counts). */
function dropConsecutiveRepeats(lines: string[], ctx: Context): string[] {
  const kept: string[] = [];
  let last: string | undefined;
  for (const [i, line] of lines.entries()) {
    const full = (i === 0 ? ctx.linePrefix + line : line).trimEnd();
    if (last !== undefined && full.trim() !== '' && full === last) continue;
    kept.push(line);
    last = full;
  }
  return kept;
}

/**
 * Cuts before the first closer that closes a bracket opened before the completion when the suffix
 * already holds that closer: the editor auto-inserted it, so the model's copy would be a duplicate.
 */
function truncateAtForeignCloser(text: string, ctx: Context): string {
  const scan = scanBrackets(text, ctx, (closer) => ctx.suffixHead.includes(closer));
  return scan.stoppedAt === undefined ? text : text.slice(0, scan.stoppedAt);
}

const CLOSING_PUNCTUATION = /^[)\]}>;,"'`]+$/;

/**
 * Cuts the completion's last line where it starts re-typing what follows the cursor on its line
 * (`foo();` before `;`, `bar()` before `()`, `b, c)` before `, c)`), or where it ends with a leading
 * run of closers of it. A cut that would leave a bracket of the completion unclosed, or that falls
 * inside a string or comment the cursor is not in, is refused and the next candidate tried.
 */
function cutSuffixOverlap(text: string, ctx: Context): string {
  const rest = ctx.restOfLine.trim();
  if (rest === '') return text;
  const body = text.trimEnd();
  const lastLineStart = body.lastIndexOf('\n') + 1;
  const candidates: number[] = [];
  for (let at = body.indexOf(rest, lastLineStart); at !== -1; at = body.indexOf(rest, at + 1)) candidates.push(at);
  for (let k = rest.length - 1; k >= 1; k--) {
    const head = rest.slice(0, k);
    if (CLOSING_PUNCTUATION.test(head) && body.endsWith(head)) candidates.push(body.length - k);
  }
  const unclosedBefore = scanBrackets(body, ctx).unclosed;
  const cursorMode = scanBrackets('', ctx).mode;
  for (const cut of candidates) {
    const kept = scanBrackets(body.slice(0, cut), ctx);
    // The rest of the line was written for the cursor's state (in code, or inside a string); a
    // copy of it starts in that same state, so a `)` inside a string literal is no copy.
    if (kept.unclosed === unclosedBefore && kept.mode === cursorMode) return body.slice(0, cut);
  }
  return text;
}

interface LexSyntax {
  lineComment?: string;
  block?: readonly [string, string];
  /** String delimiters, longest first; the multi-line ones may span newlines. */
  quotes: readonly string[];
  multiLineQuotes: ReadonlySet<string>;
}

function lexSyntaxFor(languageId: string): LexSyntax {
  const comments = commentSyntaxFor(languageId);
  // Rust's `'a` lifetimes would open a never-closed char literal, so only `"` delimits there.
  const quotes = languageId === 'rust' ? ['"']
    : languageId === 'python' ? ['"""', "'''", '"', "'"]
      : ['"', "'", '`'];
  const multiLineQuotes = new Set(languageId === 'python' ? ['"""', "'''"] : ['`']);
  return { lineComment: comments?.line, block: comments?.block, quotes, multiLineQuotes };
}

const OPENERS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);

interface BracketScan {
  /** Brackets opened in the text and not closed in it. */
  unclosed: number;
  /** Lexical state at the end of the scan (or where it stopped), with the open quote if in a string. */
  mode: string;
  /** Where `stopAt` asked to stop, at a closer of something opened before the text. */
  stoppedAt?: number;
}

/**
 * Walks brackets outside strings and comments. The walk starts in the string/comment state the
 * cursor's line leaves it in, so a completion that begins inside a string literal is read right.
 */
function scanBrackets(text: string, ctx: Context, stopAt?: (closer: string) => boolean): BracketScan {
  const lexer = new Lexer(ctx.lex);
  for (let i = 0; i < ctx.linePrefix.length;) i = lexer.step(ctx.linePrefix, i).next;
  lexer.stack.length = 0;
  for (let i = 0; i < text.length;) {
    const step = lexer.step(text, i);
    if (step.foreignCloser !== undefined && stopAt?.(step.foreignCloser)) {
      return { unclosed: lexer.stack.length, mode: lexer.state(), stoppedAt: i };
    }
    i = step.next;
  }
  return { unclosed: lexer.stack.length, mode: lexer.state() };
}

type LexMode = 'code' | 'string' | 'lineComment' | 'blockComment';

class Lexer {
  mode: LexMode = 'code';
  quote = '';
  readonly stack: string[] = [];

  constructor(private readonly syntax: LexSyntax) {}

  state(): string {
    return this.mode === 'string' ? `string ${this.quote}` : this.mode;
  }

  /** Consumes one token at `i`; reports a closer that matches nothing opened in the scanned text. */
  step(text: string, i: number): { next: number; foreignCloser?: string } {
    const ch = text[i];
    const s = this.syntax;
    switch (this.mode) {
      case 'string':
        if (ch === '\\') return { next: i + 2 };
        if (text.startsWith(this.quote, i)) {
          this.mode = 'code';
          return { next: i + this.quote.length };
        }
        if (ch === '\n' && !s.multiLineQuotes.has(this.quote)) this.mode = 'code';
        return { next: i + 1 };
      case 'lineComment':
        if (ch === '\n') this.mode = 'code';
        return { next: i + 1 };
      case 'blockComment':
        if (s.block && text.startsWith(s.block[1], i)) {
          this.mode = 'code';
          return { next: i + s.block[1].length };
        }
        return { next: i + 1 };
      case 'code': {
        if (s.lineComment && text.startsWith(s.lineComment, i)) {
          this.mode = 'lineComment';
          return { next: i + s.lineComment.length };
        }
        if (s.block && text.startsWith(s.block[0], i)) {
          this.mode = 'blockComment';
          return { next: i + s.block[0].length };
        }
        const quote = s.quotes.find((q) => text.startsWith(q, i));
        if (quote !== undefined) {
          this.mode = 'string';
          this.quote = quote;
          return { next: i + quote.length };
        }
        if (OPENERS[ch] !== undefined) {
          this.stack.push(OPENERS[ch]);
          return { next: i + 1 };
        }
        if (CLOSERS.has(ch)) {
          if (this.stack[this.stack.length - 1] === ch) {
            this.stack.pop();
            return { next: i + 1 };
          }
          return { next: i + 1, foreignCloser: ch };
        }
        return { next: i + 1 };
      }
    }
  }
}

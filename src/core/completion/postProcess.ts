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
  /**
   * False when the stream did not end by itself (the stop rule or the token cap cut it): its last
   * line may stop mid-token, so it is never shown as it is. Default true.
   */
  complete?: boolean;
}

export type EmptyReason = 'whitespaceOnly' | 'duplicatesNextLine' | 'repeatsSuffix' | 'allFiltered';

export type PostProcessResult =
  | { kind: 'ok'; text: string }
  | { kind: 'empty'; reason: EmptyReason };

export function postProcess(input: PostProcessInput): PostProcessResult {
  const raw = input.raw.replace(/\r\n/g, '\n');
  if (raw.trim() === '') return empty('whitespaceOnly');

  const ctx = contextOf(input);
  const cleaned = cleanAnswer(raw, input);
  let text = cleaned.text;
  if (text.trim() === '') return empty('allFiltered');
  // A closing fence or an end token means the model finished, even if the stream was cut after it.
  const complete = input.complete !== false || cleaned.ended;

  if (!input.multiline) {
    const nl = text.indexOf('\n');
    if (nl !== -1) text = text.slice(0, nl);
    else if (!complete) text = withoutCutOffToken(text);
    if (text.trim() === '') return empty('whitespaceOnly');
  } else {
    let lines = text.split('\n').map((line) => line.trimEnd());
    if (!complete) lines = lines.length > 1 ? lines.slice(0, -1) : [withoutCutOffToken(lines[0])];
    if (lines.join('\n').trim() === '') return empty('allFiltered');
    const echo = firstLineRepeatingSuffix(lines, ctx);
    lines = lines.slice(0, echo);
    if (lines.join('\n').trim() === '') return empty('repeatsSuffix');
    lines = lines.slice(0, blockEnd(lines, ctx));
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

/**
 * Whether a streamed answer already holds everything postProcess would show, so the stream can stop
 * (the engine's stop rule asks this after every chunk): for a single line, once its line is
 * complete; for a block, once a complete line ends it (by structure, an echo of the suffix, a loop),
 * or the line cap is reached. A closing fence or an end token ends either. Text before a leading
 * fence or token is not counted, so ```` ```python\n ```` alone is not a finished line.
 */
export function isAnswerComplete(textSoFar: string, input: Omit<PostProcessInput, 'raw' | 'complete'>): boolean {
  const raw = textSoFar.replace(/\r\n/g, '\n');
  const cleaned = cleanAnswer(raw, input);
  if (cleaned.ended) return true;
  const text = cleaned.text;
  const lastNl = text.lastIndexOf('\n');
  if (lastNl === -1) return false;
  if (!input.multiline) return true;
  const lines = text.slice(0, lastNl).split('\n').map((line) => line.trimEnd());
  if (lines.length >= Math.max(1, input.maxLines) + countBlank(lines)) return true;
  const ctx = contextOf({ ...input, raw });
  const echo = firstLineRepeatingSuffix(lines, ctx, true);
  if (echo < lines.length) return true;
  return blockEnd(lines, ctx) < lines.length;
}

function countBlank(lines: readonly string[]): number {
  return lines.filter((l) => l.trim() === '').length;
}

/** The answer without leaked special tokens and markdown fences; `ended` when one of them marked its end. */
function cleanAnswer(raw: string, input: Pick<PostProcessInput, 'specialTokens' | 'languageId'>): { text: string; ended: boolean } {
  const tokens = stripSpecialTokens(raw, input.specialTokens ?? ALL_SPECIAL_TOKENS);
  const fences = stripFences(tokens.text, input.languageId);
  return { text: fences.text, ended: tokens.ended || fences.ended };
}

/** A line cut by the token cap may stop inside an identifier or number: show only up to its last whole token. */
function withoutCutOffToken(line: string): string {
  return line.replace(/[\p{L}\p{N}_$]+$/u, '').trimEnd();
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
  /** The non-blank line after nextLine: a re-indented echo must match it too. */
  lineAfterNext: string | undefined;
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
  let lineAfterNext: string | undefined;
  if (nextLine !== undefined) {
    const at = suffix.indexOf(nextLine, nl + 1) + nextLine.length;
    lineAfterNext = nextNonBlankLine(suffix, suffix.indexOf('\n', at) + 1 || suffix.length + 1)?.replace(/\r$/, '');
  }
  const suffixHead = restOfLine.trim() !== '' ? restOfLine : (nextLine ?? '');
  return { linePrefix, restOfLine, nextLine, lineAfterNext, suffixHead, lex: lexSyntaxFor(input.languageId) };
}

// A special token at the start is noise before the answer (e.g. an echoed `<|fim_middle|>`); one
// later marks where the model left the hole (end of text, next file), so everything after it goes,
// whether it is glued to the end of a line or stands on its own.
function stripSpecialTokens(text: string, tokens: readonly string[]): { text: string; ended: boolean } {
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
  return { text: rest.slice(0, cut), ended: cut < rest.length };
}

// Chat-tuned models answer in markdown even in FIM mode: an opening fence with or without a
// language, a closing fence on its own line, or none. Markdown documents keep their fences. An
// opening fence still being streamed (no newline yet) hides everything, so nothing of it shows.
const OPENING_FENCE = /^[ \t]*```[\w+#.-]*[ \t]*(?:\n|$)/;
function stripFences(text: string, languageId: string): { text: string; ended: boolean } {
  if (languageId === 'markdown') return { text, ended: false };
  let rest = text;
  const lead = text.length - text.trimStart().length;
  if (text.startsWith('```', lead)) {
    const opening = OPENING_FENCE.exec(text.slice(text.lastIndexOf('\n', lead) + 1));
    const nl = text.indexOf('\n', lead);
    rest = opening === null || nl === -1 ? '' : text.slice(nl + 1);
  }
  const closing = /^[ \t]*```/m.exec(rest);
  return closing ? { text: rest.slice(0, closing.index), ended: true } : { text: rest, ended: false };
}

/**
 * Index of the first completion line that re-types the next line of the suffix. Models re-indent
 * what they echo, so whitespace may differ; but a line like `} else {` also closes the model's own
 * inner block one level deeper, so a re-indented match counts only when the line after it matches
 * the suffix's next line too, or when it is the answer's last line (`open`: more may still stream,
 * so the last line is not yet known to be last). Lines of only punctuation must match exactly.
 */
function firstLineRepeatingSuffix(lines: string[], ctx: Context, open = false): number {
  if (ctx.nextLine === undefined) return lines.length;
  const target = ctx.nextLine.trimEnd();
  const words = /[\p{L}\p{N}_]/u.test(target);
  const full = (i: number): string => (i === 0 ? ctx.linePrefix + lines[0] : lines[i]);
  for (let i = 0; i < lines.length; i++) {
    const line = full(i);
    if (line.trim() === '') continue;
    if (line.trimEnd() === target) return i;
    if (!words || squash(line) !== squash(target)) continue;
    let next = i + 1;
    while (next < lines.length && lines[next].trim() === '') next++;
    if (next < lines.length) {
      if (ctx.lineAfterNext === undefined || squash(lines[next]) === squash(ctx.lineAfterNext)) return i;
    } else if (!open) {
      return i;
    }
  }
  return lines.length;
}

const squash = (line: string): string => line.replace(/\s+/g, '');

/**
 * Where a block ends by structure: before the first line that dedents below the line the completion
 * starts on (the `}` or dedent that closes the enclosing block), before a new definition at the
 * cursor's level after a blank line (the model went on to write something unrelated), or before a
 * repeat of the lines just written (a loop).
 */
function blockEnd(lines: string[], ctx: Context): number {
  return Math.min(firstLineLeavingBlock(lines, ctx), firstSiblingDefinition(lines, ctx), firstRepeatedBlock(lines, ctx));
}

// Definitions in the languages we complete: keyword ones (def, class, fn, func, function, ...)
// with their modifiers, and C-family methods that start with an access modifier.
const DEFINITION = new RegExp(
  '^\\s*(?:(?:export|default|public|private|protected|internal|static|async|pub(?:\\([\\w:]+\\))?|abstract|override|final|unsafe|const)\\s+)*' +
  '(?:def|class|function\\*?|func|fn|interface|struct|enum|trait|impl|type|record|module|namespace)(?:\\s+[A-Za-z_$(]|<)' +
  '|^\\s*(?:public|private|protected|internal)\\b[^=;]*\\(',
);

function firstSiblingDefinition(lines: string[], ctx: Context): number {
  const firstLine = ctx.linePrefix + lines[0];
  const level = indentWidth(firstLine.trim() !== '' ? firstLine : ctx.linePrefix);
  for (let i = 1; i < lines.length; i++) {
    if (lines[i - 1].trim() === '' && lines[i].trim() !== '' && indentWidth(lines[i]) === level && DEFINITION.test(lines[i])) return i;
  }
  return lines.length;
}

/** Index where the completion starts writing the same two or more lines again (its last lines may be a partial copy). */
function firstRepeatedBlock(lines: string[], ctx: Context): number {
  const full = (i: number): string => (i === 0 ? ctx.linePrefix + lines[0] : lines[i]).trimEnd();
  for (let i = 2; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    for (let size = 2; size <= i; size++) {
      const span = Math.min(size, lines.length - i);
      let same = true;
      for (let k = 0; k < span && same; k++) same = full(i + k) === full(i - size + k);
      // One line left to compare, at the end: only a line with words, as a closer like `}` ends
      // many different blocks (and is no sign of a loop).
      if (same && (span >= 2 || (i + span === lines.length && /[\p{L}\p{N}_]/u.test(lines[i])))) return i;
    }
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

// Picks the slice of the document a completion prompt carries. Two costs drive it: the keystroke
// path (this runs on every key, on documents of hundreds of KB, so it never splits the whole text)
// and the Ollama server's KV cache, which is reused only for the common start of consecutive
// prompts — so the prefix window's start must not move while the user types.

import { endOutside, startOutside, type TextSpan } from '../privacy/secretAwareCut';
import { commentSyntaxFor } from './completionShape';

export interface ContextSnippet {
  path: string;
  text: string;
  /** Secrets found in `text` (its own offsets): a cut of the snippet never lands inside one. */
  secrets?: readonly TextSpan[];
}

export interface PromptBudget {
  maxPrefixChars: number;
  maxSuffixChars: number;
  /**
   * Part of maxPrefixChars reserved for snippets when some are given. A fixed reserve, not the
   * snippets' actual length, so the document window does not shift when snippets change size.
   * Default: a quarter of maxPrefixChars.
   */
  maxSnippetChars?: number;
}

export interface PromptDocument {
  text: string;
  offset: number;
  /** Needed only to render snippets as comments. */
  languageId?: string;
  /**
   * Secrets found in `text` before the window is cut (offsets into `text`). The window's edges are
   * moved out of them, so a secret is either inside whole (for the gate to redact) or left out.
   */
  secrets?: readonly TextSpan[];
}

export interface PromptWindow {
  /** Rendered snippets (if any) followed by the document text before the cursor. */
  prefix: string;
  suffix: string;
  /** Document offset where the document part of `prefix` starts. */
  prefixStart: number;
}

/**
 * Code tokenises at roughly 3-4 characters per token with BPE vocabularies of coder models; 3.5
 * errs towards fewer characters so the prompt stays inside num_ctx. An estimate is fine here: the
 * window only has to fit, not be exact, and running the real tokenizer on every keystroke would cost
 * more than the rest of the request path.
 */
export const CHARS_PER_TOKEN = 3.5;

export function charsForTokens(tokens: number): number {
  return Math.max(0, Math.floor(tokens * CHARS_PER_TOKEN));
}

// The prefix start moves in steps of 1/8 of the budget: the prompt uses 7/8 to all of its budget,
// and the start (and so the cached prompt head) changes once per budget/8 characters typed.
const PREFIX_GRID_FRACTION = 8;

export function buildPromptWindow(
  doc: PromptDocument,
  budget: PromptBudget,
  snippets?: readonly ContextSnippet[],
): PromptWindow {
  const text = doc.text;
  const offset = Math.min(Math.max(0, doc.offset), text.length);
  const maxPrefix = Math.max(0, Math.floor(budget.maxPrefixChars));
  const maxSuffix = Math.max(0, Math.floor(budget.maxSuffixChars));

  let header = '';
  let docPrefixBudget = maxPrefix;
  if (snippets && snippets.length > 0) {
    const reserve = Math.min(maxPrefix, Math.max(0, Math.floor(budget.maxSnippetChars ?? maxPrefix / 4)));
    header = formatSnippets(snippets, doc.languageId ?? '', reserve);
    docPrefixBudget = maxPrefix - reserve;
  }

  const prefixStart = Math.min(offset, startOutside(stablePrefixStart(text, offset, docPrefixBudget), doc.secrets));
  const suffixEnd = Math.max(offset, endOutside(suffixWindowEnd(text, offset, maxSuffix), doc.secrets));
  return { prefix: header + text.slice(prefixStart, offset), suffix: text.slice(offset, suffixEnd), prefixStart };
}

/** The first line start at or after a grid point; depends on `offset` only through the grid. */
function stablePrefixStart(text: string, offset: number, maxChars: number): number {
  const earliest = offset - maxChars;
  if (earliest <= 0) return 0;
  const grid = Math.max(1, Math.floor(maxChars / PREFIX_GRID_FRACTION));
  const gridStart = Math.ceil(earliest / grid) * grid;
  if (gridStart >= offset) return offset;
  if (text[gridStart - 1] === '\n') return gridStart;
  const nl = text.indexOf('\n', gridStart);
  // No line break between the grid point and the cursor (one very long line): start mid-line,
  // still on the grid, rather than exceed the budget.
  return nl === -1 || nl + 1 > offset ? gridStart : nl + 1;
}

/** End of the last whole line within the budget (the newline included). */
function suffixWindowEnd(text: string, offset: number, maxChars: number): number {
  const limit = offset + maxChars;
  if (limit >= text.length) return text.length;
  const nl = text.lastIndexOf('\n', limit - 1);
  // The cursor's own line is longer than the budget: cut it at the budget.
  return nl < offset ? limit : nl + 1;
}

/**
 * Other files rendered as comments in the document's language, e.g. `// Path: src/a.ts` followed by
 * the file's lines commented out, ending with a newline so the document text starts on its own line.
 * Whole snippets first; the last one that fits partly is cut at a line boundary. Languages without a
 * known comment syntax get none: text the model would read as code would do more harm than good.
 */
export function formatSnippets(snippets: readonly ContextSnippet[], languageId: string, maxChars: number): string {
  const syntax = commentSyntaxFor(languageId);
  if (!syntax || maxChars <= 0) return '';
  const render = syntax.line
    ? lineCommenter(syntax.line)
    : blockCommenter(syntax.block as readonly [string, string]);

  let out = '';
  for (const snippet of snippets) {
    const separator = out === '' ? '' : '\n';
    const rendered = render(snippet, maxChars - out.length - separator.length);
    if (rendered === undefined) break;
    out += separator + rendered.text;
    if (!rendered.complete) break;
  }
  return out;
}

/** undefined when not even the header and one line fit: a path without code tells the model nothing. */
type SnippetRenderer = (snippet: ContextSnippet, room: number) => { text: string; complete: boolean } | undefined;

function lineCommenter(marker: string): SnippetRenderer {
  return (snippet, room) => {
    const head = `${marker} Path: ${oneLine(snippet.path)}\n`;
    if (head.length > room) return undefined;
    const lines = snippetLines(snippet, room);
    let out = head;
    const rendered = lines.map((line) => (line === '' ? `${marker}\n` : `${marker} ${line}\n`));
    const used = linesThatFit(snippet, rendered, room - head.length);
    out += rendered.slice(0, used).join('');
    if (used === 0 && lines.length > 0) return undefined;
    return { text: out, complete: used === lines.length && snippet.text.length <= room };
  };
}

function blockCommenter([open, close]: readonly [string, string]): SnippetRenderer {
  // A closer inside the snippet would end the comment early; a space inside it defuses it.
  const defuse = (s: string): string => s.split(close).join(`${close.slice(0, 1)} ${close.slice(1)}`);
  return (snippet, room) => {
    const head = `${open} Path: ${defuse(oneLine(snippet.path))}\n`;
    const tail = `${close}\n`;
    if (head.length + tail.length > room) return undefined;
    const lines = snippetLines(snippet, room);
    const rendered = lines.map((line) => `${defuse(line)}\n`);
    const used = linesThatFit(snippet, rendered, room - head.length - tail.length);
    const body = rendered.slice(0, used).join('');
    if (used === 0 && lines.length > 0) return undefined;
    return { text: head + body + tail, complete: used === lines.length && snippet.text.length <= room };
  };
}

/**
 * Lines of the snippet's start; no more text is split than could fit in `room`, and never a secret
 * in part: the text ends before a secret that does not fit whole.
 */
function snippetLines(snippet: ContextSnippet, room: number): string[] {
  const text = snippet.text.slice(0, endOutside(Math.max(0, room), snippet.secrets));
  const lines = text.replace(/\r\n/g, '\n').split('\n').map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * How many of the rendered lines fit in `room`. Stopping after a whole line can still fall inside
 * a secret that spans lines (a PEM block), so the stop moves up to the line before such a secret.
 */
function linesThatFit(snippet: ContextSnippet, rendered: readonly string[], room: number): number {
  let used = 0;
  let size = 0;
  while (used < rendered.length && size + rendered[used].length <= room) size += rendered[used++].length;
  while (used > 0 && used < rendered.length && cutsSecret(snippet, used)) used--;
  return used;
}

/** True when keeping only the first `used` lines of the snippet would cut a secret. */
function cutsSecret(snippet: ContextSnippet, used: number): boolean {
  if (!snippet.secrets || snippet.secrets.length === 0) return false;
  let end = 0;
  for (let i = 0; i < used; i++) {
    const nl = snippet.text.indexOf('\n', end);
    end = nl === -1 ? snippet.text.length : nl + 1;
  }
  return endOutside(end, snippet.secrets) !== end;
}

function oneLine(path: string): string {
  return path.replace(/[\r\n]+/g, ' ');
}

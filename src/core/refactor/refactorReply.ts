// Turns a model's reply into the text that replaces the selection. Models wrap code in fences (or
// not), add prose around it, answer with CRLF or LF regardless of the file, swap tabs for spaces and
// often drop the indentation of code they were shown indented. This puts the code back where the
// selection was: same line endings, same indentation style, same first-line indentation.

export type ParsedReply = { kind: 'code'; text: string } | { kind: 'empty' } | { kind: 'unchanged' };

export interface ReplyContext {
  /** The selected text the reply replaces, as it was sent. */
  selection: string;
  /** The document's line ending; the result uses it throughout. */
  eol: '\n' | '\r\n';
  /**
   * Text between the start of the selection's first line and the selection (empty when the
   * selection starts at column 0). Whitespace only: the selection starts inside the indentation;
   * anything else: it starts mid-line.
   */
  linePrefix?: string;
}

export function parseRefactorReply(reply: string, ctx: ReplyContext): ParsedReply {
  const code = trimBlankEdges(extractCode(toLf(reply)).split('\n'));
  if (code.length === 0) return { kind: 'empty' };

  const selection = toLf(ctx.selection);
  // Leading blank lines and the trailing line break(s) of the selection stay exactly as they were:
  // a fenced block has neither, and dropping them would join the next line onto the code.
  const head = /^(?:[ \t]*\n)*/.exec(selection)![0];
  const rest = selection.slice(head.length);
  const tail = /(?:\n[ \t]*)*$/.exec(rest)![0];
  const body = rest.slice(0, rest.length - tail.length);
  const prefix = head === '' ? toLf(ctx.linePrefix ?? '') : '';

  const fitted = body === '' ? code : fitIndentation(code, body.split('\n'), prefix);
  const text = head + fitted.join('\n') + tail;
  if (sameIgnoringTrailingSpace(text, selection)) return { kind: 'unchanged' };
  return { kind: 'code', text: ctx.eol === '\n' ? text : text.split('\n').join(ctx.eol) };
}

/** The code inside the reply: the largest fenced block, or the whole reply when there is none. */
export function extractCode(reply: string): string {
  const blocks = fencedBlocks(reply);
  if (blocks.length === 0) {
    // A one-line answer in inline backticks is still code.
    const inline = /^\s*`([^`\n]+)`\s*$/.exec(reply);
    return inline ? inline[1] : reply;
  }
  let best = blocks[0];
  for (const b of blocks) if (b.trim().length > best.trim().length) best = b;
  return best;
}

/** Every fenced block (``` or ~~~), CommonMark style; an unclosed last block runs to the end. */
function fencedBlocks(text: string): string[] {
  const blocks: string[] = [];
  const lines = text.split('\n');
  let open: { char: string; len: number; indent: number; lines: string[] } | undefined;
  for (const line of lines) {
    if (!open) {
      const m = /^([ \t]*)(`{3,}|~{3,})([^`]*)$/.exec(line);
      if (m) open = { char: m[2][0], len: m[2].length, indent: m[1].length, lines: [] };
      continue;
    }
    const close = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
    if (close && close[1][0] === open.char && close[1].length >= open.len) {
      blocks.push(open.lines.join('\n'));
      open = undefined;
      continue;
    }
    // Content of an indented fence is indented by as much as the fence: take that back off.
    const ws = /^[ \t]*/.exec(line)![0].length;
    open.lines.push(line.slice(Math.min(ws, open.indent)));
  }
  if (open) blocks.push(open.lines.join('\n'));
  return blocks;
}

/**
 * Re-bases the code onto the selection: converts tabs/spaces to the selection's style, shifts it
 * right when the model de-indented it, and drops from the first line what already sits before the
 * selection on its line. Code indented as much as the selection, or more, is left as it is.
 */
function fitIndentation(code: string[], sel: string[], prefix: string): string[] {
  const midLine = /\S/.test(prefix);
  // Indentation as it stands in the file: the first line's includes what precedes the selection.
  const selIndents = sel
    .map((l, i) => (i === 0 ? prefix + l : l))
    .filter((l, i) => /\S/.test(l) && !(midLine && i === 0))
    .map(leadingWs);
  const considered = (i: number, l: string) => /\S/.test(l) && !(midLine && i === 0);

  let lines = convertStyle(code, selIndents, considered);
  const codeIndents = lines.filter((l, i) => considered(i, l)).map(leadingWs);
  if (selIndents.length > 0 && codeIndents.length > 0) {
    const selMin = shortest(selIndents);
    const codeMin = Math.min(...codeIndents.map((s) => s.length));
    if (codeMin < selMin.length) {
      const add = selMin.slice(codeMin);
      lines = lines.map((l, i) => (considered(i, l) ? add + l : l));
    }
  }

  const first = lines[0];
  if (midLine) {
    lines[0] = leadingWs(sel[0]) + first.trimStart();
  } else if (prefix !== '') {
    const drop = Math.min(prefix.length, leadingWs(first).length);
    lines[0] = first.slice(drop);
  }
  return lines.map((l) => (/\S/.test(l) ? l : ''));
}

type Style = 'tab' | 'space' | undefined;

function styleOf(indents: string[]): Style {
  if (indents.some((s) => s.startsWith('\t'))) return 'tab';
  if (indents.some((s) => s.startsWith(' '))) return 'space';
  return undefined;
}

/** Rewrites leading indentation to the selection's style when the model used the other one. */
function convertStyle(code: string[], selIndents: string[], considered: (i: number, l: string) => boolean): string[] {
  const want = styleOf(selIndents);
  const codeIndents = code.filter((l, i) => considered(i, l)).map(leadingWs);
  const have = styleOf(codeIndents);
  if (!want || !have || want === have) return code;

  if (want === 'tab') {
    const spaces = codeIndents.map((s) => s.length);
    const selTabs = Math.min(...selIndents.map((s) => /^\t*/.exec(s)![0].length));
    const unit = indentUnit(spaces, selTabs, Math.min(...spaces));
    return code.map((l) => l.replace(/^ +/, (run) => '\t'.repeat(Math.floor(run.length / unit)) + ' '.repeat(run.length % unit)));
  }
  const selSpaces = selIndents.map((s) => s.length);
  const codeTabs = Math.min(...codeIndents.map((s) => /^\t*/.exec(s)![0].length));
  const unit = indentUnit(selSpaces, codeTabs, Math.min(...selSpaces));
  return code.map((l) => l.replace(/^\t+/, (run) => ' '.repeat(run.length * unit)));
}

/**
 * Spaces per tab: the smallest step between indentation levels of the space-indented side; with a
 * single level, the ratio of its width to the tab side's level; 4 when neither says.
 */
function indentUnit(spaceWidths: number[], tabLevel: number, minSpaces: number): number {
  const levels = [...new Set(spaceWidths)].sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < levels.length; i++) step = Math.min(step, levels[i] - levels[i - 1]);
  if (Number.isFinite(step) && step > 0) return step;
  if (tabLevel > 0 && minSpaces > 0 && minSpaces % tabLevel === 0) return minSpaces / tabLevel;
  return 4;
}

function leadingWs(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

function shortest(strings: string[]): string {
  return strings.reduce((a, b) => (b.length < a.length ? b : a));
}

function trimBlankEdges(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && !/\S/.test(lines[start])) start++;
  while (end > start && !/\S/.test(lines[end - 1])) end--;
  return lines.slice(start, end);
}

function sameIgnoringTrailingSpace(a: string, b: string): boolean {
  const norm = (s: string) => s.split('\n').map((l) => l.trimEnd()).join('\n').replace(/^\n+|\n+$/g, '');
  return norm(a) === norm(b);
}

function toLf(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

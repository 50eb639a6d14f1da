// Decides, before any request, whether a position deserves a completion and how long it may be.
// A wrong "skip" costs nothing but a missed hint, so anything typed after the cursor but closers
// skips. A blank line asks for a block: its end is found by structure while it streams, so a
// one-statement answer costs no more than a single line would.

export type CompletionShape =
  | { kind: 'skip'; reason: 'midLine' }
  | { kind: 'singleLine' }
  | { kind: 'multiLine'; maxLines: number };

/** Enough for a short function body; longer blocks are rarely accepted whole. */
export const MULTI_LINE_MAX_LINES = 16;

export interface CommentSyntax {
  line?: string;
  block?: readonly [string, string];
}

// Language ids as VS Code names them (code.visualstudio.com/docs/languages/identifiers); comment
// markers from each language's reference. Unknown languages get undefined, so callers choose.
const C_STYLE: CommentSyntax = { line: '//', block: ['/*', '*/'] };
const HASH: CommentSyntax = { line: '#' };
const DASH: CommentSyntax = { line: '--' };
const COMMENT_SYNTAX: Readonly<Record<string, CommentSyntax>> = {
  typescript: C_STYLE, typescriptreact: C_STYLE, javascript: C_STYLE, javascriptreact: C_STYLE,
  java: C_STYLE, c: C_STYLE, cpp: C_STYLE, csharp: C_STYLE, go: C_STYLE, rust: C_STYLE,
  kotlin: C_STYLE, swift: C_STYLE, scala: C_STYLE, dart: C_STYLE, php: C_STYLE, groovy: C_STYLE,
  'objective-c': C_STYLE, 'objective-cpp': C_STYLE, jsonc: C_STYLE, scss: C_STYLE, less: C_STYLE,
  zig: { line: '//' }, proto: C_STYLE, proto3: C_STYLE, solidity: C_STYLE, hlsl: C_STYLE, glsl: C_STYLE,
  python: HASH, ruby: HASH, shellscript: HASH, perl: HASH, r: HASH, yaml: HASH, toml: HASH,
  dockerfile: HASH, makefile: HASH, powershell: { line: '#', block: ['<#', '#>'] }, elixir: HASH,
  julia: HASH, coffeescript: HASH, nim: HASH, graphql: HASH, terraform: { line: '#', block: ['/*', '*/'] },
  sql: { line: '--', block: ['/*', '*/'] }, lua: DASH, haskell: { line: '--', block: ['{-', '-}'] }, elm: DASH,
  latex: { line: '%' }, tex: { line: '%' }, erlang: { line: '%' }, matlab: { line: '%' },
  clojure: { line: ';' }, lisp: { line: ';' }, scheme: { line: ';' },
  vb: { line: "'" }, fsharp: { line: '//', block: ['(*', '*)'] }, ocaml: { block: ['(*', '*)'] },
  css: { block: ['/*', '*/'] },
  html: { block: ['<!--', '-->'] }, xml: { block: ['<!--', '-->'] }, markdown: { block: ['<!--', '-->'] },
  vue: { block: ['<!--', '-->'] }, svelte: { block: ['<!--', '-->'] },
};

export function commentSyntaxFor(languageId: string): CommentSyntax | undefined {
  return COMMENT_SYNTAX[languageId];
}

// What may follow the cursor on its line while still completing "at the end of the line": the
// closers an editor auto-inserts. Anything else means the user is editing inside code.
const CLOSING_TAIL = /^[\s)\]}>;,:"'`]*$/;

export function decideShape(
  prefix: string,
  suffix: string,
  languageId: string,
  maxLines: number = MULTI_LINE_MAX_LINES,
): CompletionShape {
  const lineStart = prefix.lastIndexOf('\n') + 1;
  const linePrefix = prefix.slice(lineStart);
  const lineEndInSuffix = suffix.indexOf('\n');
  const lineSuffix = lineEndInSuffix === -1 ? suffix : suffix.slice(0, lineEndInSuffix);

  if (!CLOSING_TAIL.test(lineSuffix)) return { kind: 'skip', reason: 'midLine' };
  if (linePrefix.trim() !== '') return { kind: 'singleLine' };

  // A blank line, indentation typed: new code gets written here, at block level, a statement or a
  // whole block (the end of a body, the middle of one, after a comment). The block's end is found
  // by structure as it streams (stopRules.ts, postProcess.ts), so asking for more costs little.
  return { kind: 'multiLine', maxLines };
}

/** The first line starting at or after `from` with non-whitespace text. */
export function nextNonBlankLine(text: string, from: number): string | undefined {
  let start = from;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const line = nl === -1 ? text.slice(start) : text.slice(start, nl);
    if (line.trim() !== '') return line;
    if (nl === -1) return undefined;
    start = nl + 1;
  }
  return undefined;
}

/** Leading whitespace width; a tab counts 4 so mixed files compare consistently within themselves. */
export function indentWidth(line: string): number {
  let width = 0;
  for (const ch of line) {
    if (ch === ' ') width += 1;
    else if (ch === '\t') width += 4;
    else break;
  }
  return width;
}

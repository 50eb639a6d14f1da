// Quality-eval cases cut from real code: a real middle taken out of a real function, in three
// shapes (the end of a line, a whole block on a blank indented line, the inside of a call or
// expression before its closers), each answered by the model double with the true middle plus one
// kind of junk that real local models add. Positions are chosen by a seeded generator, so the same
// seed gives the same cases.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indentWidth } from '../../src/core/completion/completionShape';
import { languageIdForPath } from '../../src/core/completion/languageIds';
import { mulberry32 } from '../random';

export type CaseShape = 'singleLine' | 'multiLine' | 'midLine';

export interface SourceFile {
  /** Where it came from, relative to the repository root. */
  origin: string;
  languageId: string;
  text: string;
}

export interface QualityPosition {
  id: string;
  origin: string;
  languageId: string;
  shape: CaseShape;
  /** The document with the middle removed (a multi-line block leaves its first line's indentation). */
  prefix: string;
  suffix: string;
  /** What the model "knows" belongs at the cursor. */
  middle: string;
}

const ROOT = path.resolve(__dirname, '..', '..');

/** The repository's own sources (a fixed list, so the case set only moves when they do), the bench corpus and the fixtures. */
const OWN_SOURCES = [
  'src/core/completion/completionCache.ts',
  'src/core/completion/debouncer.ts',
  'src/core/completion/promptWindow.ts',
  'src/core/cost/budget.ts',
  'src/core/cost/ledger.ts',
  'src/core/privacy/pathExclusion.ts',
  'scripts/runIntegration.mjs',
];

export function loadSources(): SourceFile[] {
  const out: SourceFile[] = [];
  for (const rel of OWN_SOURCES) {
    const abs = path.join(ROOT, rel);
    if (!fs.existsSync(abs)) continue; // files move between layers; the rest still make cases
    out.push({ origin: rel, languageId: languageIdForPath(rel), text: fs.readFileSync(abs, 'utf8') });
  }
  const dirs = ['bench/corpus', ...fs.readdirSync(path.join(ROOT, 'bench/quality/fixtures'), { withFileTypes: true })
    .filter((d) => d.isDirectory()).map((d) => `bench/quality/fixtures/${d.name}`)];
  for (const dir of dirs) {
    for (const f of fs.readdirSync(path.join(ROOT, dir)).filter((n) => /\.\w+\.txt$/.test(n)).sort()) {
      const rel = `${dir}/${f}`;
      out.push({ origin: rel, languageId: languageIdForPath(f.replace(/\.txt$/, '')), text: fs.readFileSync(path.join(ROOT, rel), 'utf8') });
    }
  }
  // License texts sit next to the fixtures; only code makes cases.
  return out.filter((s) => s.languageId !== 'plaintext').map((s) => ({ ...s, text: s.text.replace(/\r\n/g, '\n') }));
}

const BRACKETS: Record<string, number> = { '(': 1, '[': 1, '{': 1, ')': -1, ']': -1, '}': -1 };

/** Bracket balance of a line outside strings and comments (a rough lexer: enough to pick clean cuts). */
function balance(line: string): number | undefined {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') { quote = ch; continue; }
    if (line.startsWith('//', i) || ch === '#') break;
    depth += BRACKETS[ch] ?? 0;
  }
  return quote ? undefined : depth;
}

function isCommentOrDoc(line: string): boolean {
  const t = line.trim();
  return /^(\/\/|#|\/\*|\*|"""|'''|\/\/\/)/.test(t) || t.startsWith('@');
}

/** A plain statement line inside a function: indented, balanced, not a comment, not a lone closer. */
function isStatementLine(line: string): boolean {
  const t = line.trim();
  if (t.length < 6 || indentWidth(line) === 0 || isCommentOrDoc(line)) return false;
  if (/^[)\]}]/.test(t)) return false;
  return balance(line) === 0;
}

/** `x = <middle>`: the cursor after an assignment or keyword, the rest of the line is the middle. */
function singleLineCut(line: string): { at: number } | undefined {
  const m = /^(\s*(?:(?:const|let|var|val|auto|return|throw|yield|await|if|elif|while)\s+)?[\w.[\]"'$]+(?:\s*:\s*[\w<>[\], ]+)?\s*(?::=|=|\+=|-=)\s*|\s*(?:return|throw|raise|yield|await)\s+)(?=\S)/.exec(line);
  if (!m) return undefined;
  const rest = line.slice(m[0].length);
  if (rest.trim().length < 3) return undefined;
  return { at: m[0].length };
}

/** `f(<middle>);`: inside the last call of the line, with only closers after the cursor. */
function midLineCut(line: string): { at: number; end: number } | undefined {
  const tail = /[)\]}>;,:"'`\s]*$/.exec(line);
  if (!tail || tail[0].trim() === '' || !/^[)\]]/.test(tail[0])) return undefined;
  const end = tail.index;
  // The opener matching the tail's first closer.
  let depth = 0;
  for (let i = end - 1; i >= 0; i--) {
    const ch = line[i];
    if (ch === ')' || ch === ']') depth++;
    else if (ch === '(' || ch === '[') {
      if (depth === 0) {
        const inner = line.slice(i + 1, end);
        if (inner.trim().length < 3 || /["'`]/.test(inner) !== /["'`]/.test(inner.replace(/(["'`]).*?\1/g, ''))) return undefined;
        return { at: i + 1, end };
      }
      depth--;
    }
  }
  return undefined;
}

/** The lines [start, end) form a complete block at one indentation: every line at or below it, brackets balanced. */
function blockAt(lines: string[], start: number, maxLines: number): number | undefined {
  const indent = indentWidth(lines[start]);
  if (indent === 0 || lines[start].trim() === '' || isCommentOrDoc(lines[start]) || /^\s*[)\]}]/.test(lines[start])) return undefined;
  if (/^\s*(else|elif|except|finally|catch|case|default)\b/.test(lines[start])) return undefined;
  let depth = 0;
  let best: number | undefined;
  for (let i = start; i < lines.length && i - start < maxLines; i++) {
    const line = lines[i];
    if (line.trim() === '') return best; // blocks here hold no blank lines: the cut stays unambiguous
    if (i > start && indentWidth(line) < indent) return best;
    if (i > start && indentWidth(line) === indent && depth === 0 && /^\s*[)\]}]/.test(line)) return best;
    const b = balance(line);
    if (b === undefined) return best;
    depth += b;
    if (depth < 0) return best;
    const nextLine = lines[i + 1];
    const closesHere = depth === 0 && !/[:,\\]\s*$/.test(line.trimEnd()) && !/^\s*(else|elif|except|finally|catch)\b/.test(nextLine ?? '')
      && !/^\s*[.?{]/.test(nextLine ?? '') && !/^\s*(else|do|try|finally)\s*$/.test(line);
    if (closesHere && i > start) best = i + 1;
  }
  return best;
}

export interface BuildOptions {
  seed: number;
  perFile: Record<CaseShape, number>;
  maxLines: number;
}

export function buildPositions(sources: readonly SourceFile[], o: BuildOptions): QualityPosition[] {
  const out: QualityPosition[] = [];
  for (const src of sources) {
    const rand = mulberry32(o.seed ^ hashText(src.origin));
    const lines = src.text.split('\n');
    const starts: number[] = [];
    let off = 0;
    for (const l of lines) { starts.push(off); off += l.length + 1; }
    const candidates: Record<CaseShape, QualityPosition[]> = { singleLine: [], multiLine: [], midLine: [] };
    for (let i = 1; i < lines.length - 1; i++) {
      const line = lines[i];
      const base = { origin: src.origin, languageId: src.languageId };
      if (isStatementLine(line)) {
        const s = singleLineCut(line);
        if (s) {
          candidates.singleLine.push({
            ...base, id: `${src.origin}:${i + 1}:single`, shape: 'singleLine',
            prefix: src.text.slice(0, starts[i] + s.at), suffix: src.text.slice(starts[i] + line.length), middle: line.slice(s.at),
          });
        }
        const m = midLineCut(line);
        if (m) {
          candidates.midLine.push({
            ...base, id: `${src.origin}:${i + 1}:mid`, shape: 'midLine',
            prefix: src.text.slice(0, starts[i] + m.at), suffix: src.text.slice(starts[i] + m.end), middle: line.slice(m.at, m.end),
          });
        }
      }
      if (!isCommentOrDoc(lines[i - 1]) || lines[i - 1].trim() === '') {
        const end = blockAt(lines, i, o.maxLines);
        if (end !== undefined) {
          const indent = line.slice(0, line.length - line.trimStart().length);
          candidates.multiLine.push({
            ...base, id: `${src.origin}:${i + 1}:block`, shape: 'multiLine',
            prefix: src.text.slice(0, starts[i]) + indent,
            suffix: src.text.slice(starts[end - 1] + lines[end - 1].length),
            middle: lines.slice(i, end).join('\n').slice(indent.length),
          });
        }
      }
    }
    for (const shape of ['singleLine', 'multiLine', 'midLine'] as const) {
      out.push(...sample(candidates[shape], o.perFile[shape], rand));
    }
  }
  return out;
}

function sample<T>(items: readonly T[], n: number, rand: () => number): T[] {
  const pool = items.slice();
  const picked: T[] = [];
  while (picked.length < n && pool.length > 0) picked.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]);
  return picked;
}

function hashText(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

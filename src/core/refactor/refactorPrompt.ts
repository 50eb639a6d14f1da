// The chat messages for one refactor: the selection, a bounded slice of the code around it, the
// language and the user's instruction, asking for ONLY the replacement in one fenced block (which
// refactorReply parses). Deterministic for the same input, and the system message never changes,
// so the provider's prompt cache can reuse it.

import type { ChatMessage } from '../shared/refactorBackend';

/** What a refactor sends, before the privacy gate sees it. */
export interface RefactorParts {
  selection: string;
  /** Text before the selection (may end mid-line, where the selection starts). */
  before: string;
  /** Text after the selection. */
  after: string;
  languageId: string;
  instruction: string;
  /** Workspace-relative path, shown to the model as a hint; omitted when the gate withholds it. */
  path?: string;
}

/**
 * Characters of context on each side. About 1.5K tokens each for typical code: enough for the
 * enclosing function and imports nearby, small next to the selection's own cost.
 */
export const DEFAULT_CONTEXT_CHARS = 6000;

export const REFACTOR_SYSTEM_PROMPT = [
  'You are a code refactoring tool inside an editor.',
  'You receive an instruction, a selection from a file, and some code before and after it for context.',
  'Reply with ONLY the code that replaces the selection, in exactly one fenced code block.',
  'Do not repeat the code before or after the selection, and do not explain.',
  'Keep the selection\'s indentation style (tabs or spaces) and its first line\'s indentation.',
  'If the instruction needs no change, reply with the selection unchanged.',
].join('\n');

/**
 * Cuts the context to at most `maxChars` per side, at line boundaries so the model never sees half
 * a token of a line; the part nearest the selection is kept. The line the selection starts or ends
 * on is always kept whole when it fits.
 */
export function boundContext<T extends Pick<RefactorParts, 'before' | 'after'>>(parts: T, maxChars: number): T {
  return { ...parts, before: tailLines(parts.before, maxChars), after: headLines(parts.after, maxChars) };
}

export function buildRefactorMessages(parts: RefactorParts, maxContextChars = DEFAULT_CONTEXT_CHARS): ChatMessage[] {
  const p = boundContext(parts, maxContextChars);
  const lang = fenceLanguage(p.languageId);
  const sections: string[] = [];
  sections.push(`Instruction: ${p.instruction.trim()}`);
  sections.push(`Language: ${p.languageId}${p.path ? `\nFile: ${p.path}` : ''}`);
  if (p.before !== '') {
    const cut = p.before.length < parts.before.length ? ' (earlier lines omitted)' : '';
    sections.push(`Code before the selection${cut}, for context only:\n${fenced(p.before, lang)}`);
  }
  sections.push(`The selection to rewrite:\n${fenced(p.selection, lang)}`);
  if (p.after !== '') {
    const cut = p.after.length < parts.after.length ? ' (later lines omitted)' : '';
    sections.push(`Code after the selection${cut}, for context only:\n${fenced(p.after, lang)}`);
  }
  sections.push(`Reply with only the replacement for the selection, in one \`\`\`${lang} block.`);
  return [
    { role: 'system', content: REFACTOR_SYSTEM_PROMPT },
    { role: 'user', content: sections.join('\n\n') },
  ];
}

/** A fence longer than any backtick run inside, so code that contains ``` cannot close it early. */
export function fenced(code: string, lang: string): string {
  const longest = Math.max(0, ...Array.from(code.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  const body = code.replace(/\r\n?/g, '\n');
  return `${fence}${lang}\n${body}${body.endsWith('\n') ? '' : '\n'}${fence}`;
}

/** VS Code language ids are mostly what fences use; a few differ. */
function fenceLanguage(languageId: string): string {
  const map: Record<string, string> = { typescriptreact: 'tsx', javascriptreact: 'jsx', shellscript: 'sh', plaintext: '' };
  const id = map[languageId] ?? languageId;
  return /^[A-Za-z0-9_+#.-]*$/.test(id) ? id : '';
}

function tailLines(text: string, max: number): string {
  if (text.length <= max) return text;
  const start = text.length - max;
  // Start after a line break, so the kept part begins with a whole line.
  const nl = text.indexOf('\n', start - 1);
  return nl === -1 || nl + 1 >= text.length ? text.slice(start) : text.slice(nl + 1);
}

function headLines(text: string, max: number): string {
  if (text.length <= max) return text;
  // End at a line break, so the kept part ends with a whole line.
  const nl = text.lastIndexOf('\n', max - 1);
  return nl <= 0 ? text.slice(0, max) : text.slice(0, nl + 1);
}

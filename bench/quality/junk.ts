// What real local models add around a right answer, one kind per case. Each function returns the
// full text the model double "would" generate; the double then applies num_predict and the stop
// strings the request carries, exactly as a server does.
import type { QualityPosition } from './cases';

export const JUNK_KINDS = [
  'none', 'fence', 'fenceSingleLine', 'specialToken', 'suffixEcho', 'repeats', 'trailingDefinition',
] as const;
export type JunkKind = (typeof JUNK_KINDS)[number];

const FENCE_LANG: Record<string, string> = {
  typescript: 'typescript', javascript: 'javascript', python: 'python', go: 'go', java: 'java', rust: 'rust', csharp: 'csharp',
};

// Leaked end-of-middle markers of the FIM families in fimTemplates.ts, in both places they show up:
// glued to the last line, or after a newline.
const TOKENS = [
  '<|endoftext|>', '<|fim_pad|>', '<|file_sep|>', '<EOT>', '<|im_end|>', '</s>',
  '<\uFF5Cend\u2581of\u2581sentence\uFF5C>', '<|file_separator|>', '<file_sep>', '<|EOT|>',
];

const UNRELATED: Record<string, string> = {
  python: 'def unrelated_helper(values):\n    return [v for v in values if v]\n',
  go: 'func unrelatedHelper(values []string) int {\n\treturn len(values)\n}\n',
  java: 'public static int unrelatedHelper(int[] values) {\n    return values.length;\n}\n',
  rust: 'fn unrelated_helper(values: &[u8]) -> usize {\n    values.len()\n}\n',
  csharp: 'public static int UnrelatedHelper(int[] values)\n{\n    return values.Length;\n}\n',
  typescript: 'export function unrelatedHelper(values: string[]): number {\n  return values.length;\n}\n',
  javascript: 'function unrelatedHelper(values) {\n  return values.length;\n}\n',
};

/** The indentation of the cursor's line, which a block's later lines carry in the document. */
function cursorIndent(p: QualityPosition): string {
  const line = p.prefix.slice(p.prefix.lastIndexOf('\n') + 1);
  return line.slice(0, line.length - line.trimStart().length);
}

function suffixLines(p: QualityPosition, n: number): string[] {
  return p.suffix.split('\n').slice(1).filter((l) => l.trim() !== '').slice(0, n);
}

/**
 * `variant` (the case's index) picks among the forms a kind takes, so each cell holds several:
 * fences with and without a language and never closed; tokens glued or on their own line.
 */
export function junkAnswer(p: QualityPosition, kind: JunkKind, variant: number): string {
  const m = p.middle;
  const lang = FENCE_LANG[p.languageId] ?? '';
  switch (kind) {
    case 'none':
      return m;
    case 'fence':
      // A chat-tuned model's habit: a fenced block (language or not) and a sentence after it, or no closing fence.
      return [
        '```' + lang + '\n' + m + '\n```\nThis completes the code.\n',
        '```\n' + m + '\n```\n',
        '```' + lang + '\n' + m + '\n',
      ][variant % 3];
    case 'fenceSingleLine': {
      // The whole answer's first line fenced on its own: what showed as `el` for `else:`.
      const first = m.split('\n')[0];
      const rest = m.slice(first.length);
      return '```' + (variant % 2 === 0 ? lang : '') + '\n' + first + rest + '\n```';
    }
    case 'specialToken': {
      const token = TOKENS[variant % TOKENS.length];
      const after = variant % 2 === 0 ? token + '\n' + (UNRELATED[p.languageId] ?? 'x') : '\n' + token + 'src/other.file\n';
      return m + after;
    }
    case 'suffixEcho': {
      // The model re-types what follows the cursor: the rest of the line, then the next lines, with
      // whitespace that differs from the document's (spaces for tabs, indentation dropped).
      const lineRest = p.suffix.split('\n')[0];
      const next = suffixLines(p, 3).map((l, i) => (i % 2 === 0 ? l.replace(/\t/g, '    ') : l.trim()));
      return m + lineRest + '\n' + next.join('\n') + '\n';
    }
    case 'repeats': {
      const lines = m.split('\n');
      const indent = cursorIndent(p);
      if (lines.length > 1 && variant % 2 === 0) return m + '\n' + indent + m + '\n'; // a repeated block
      const last = lines.length > 1 ? lines[lines.length - 1] : indent + lines[0];
      return m + '\n' + last + '\n' + last + '\n' + last + '\n'; // a repeated line
    }
    case 'trailingDefinition':
      return m + '\n\n' + (UNRELATED[p.languageId] ?? 'function unrelated() {}\n');
  }
}

// Which other open files inform a completion, and which part of each: same language only, never an
// excluded file, a few files, a bounded excerpt of each. Visible editors come first (what the user
// is looking at is most likely related), each excerpt centred on that editor's cursor; other open
// documents contribute their start (imports, declarations). The excerpt of a file stays the same
// while the user types elsewhere, so the prompt prefix and the server's KV cache stay reusable.
import type { ContextSnippet } from './promptWindow';

export interface SnippetCandidate {
  path: string;
  languageId: string;
  /** Read only for the files that are used: copying every open document per keystroke would cost. */
  readText: () => string;
  /** Cursor offset when the file is in a visible editor. */
  focusOffset?: number;
  /** The caller's exclusion check already ran: excluded files must not be used. */
  excluded: boolean;
}

export interface SnippetLimits {
  maxFiles: number;
  maxCharsPerFile: number;
}

export const DEFAULT_SNIPPET_LIMITS: SnippetLimits = { maxFiles: 3, maxCharsPerFile: 1500 };

export function pickSnippets(
  current: { path: string; languageId: string },
  candidates: readonly SnippetCandidate[],
  limits: SnippetLimits = DEFAULT_SNIPPET_LIMITS,
): ContextSnippet[] {
  const eligible = candidates.filter((c) => !c.excluded && c.path !== current.path && c.languageId === current.languageId);
  // Visible (focused) first, then by path so the order does not wander between keystrokes.
  const ordered = [...eligible].sort((a, b) =>
    Number(b.focusOffset !== undefined) - Number(a.focusOffset !== undefined) || a.path.localeCompare(b.path));
  const picked: ContextSnippet[] = [];
  for (const c of ordered) {
    if (picked.length >= limits.maxFiles) break;
    const text = c.readText();
    if (text.trim() === '') continue;
    picked.push({ path: c.path, text: excerpt(text, c.focusOffset, limits.maxCharsPerFile) });
  }
  return picked;
}

/** Whole lines around the focus (or from the start), at most `max` characters. */
function excerpt(text: string, focusOffset: number | undefined, max: number): string {
  if (text.length <= max) return text;
  const focus = Math.min(focusOffset ?? 0, text.length);
  let start = Math.max(0, Math.min(focus - Math.floor(max / 2), text.length - max));
  // Snap to line starts: half lines confuse the model more than they inform it.
  if (start > 0) {
    const nl = text.indexOf('\n', start);
    start = nl < 0 ? start : nl + 1;
  }
  let end = Math.min(text.length, start + max);
  const lastNl = text.lastIndexOf('\n', end);
  if (lastNl > start) end = lastNl + 1;
  return text.slice(start, end);
}

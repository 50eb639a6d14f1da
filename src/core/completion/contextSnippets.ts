// Which other open files inform a completion, and which part of each: same language only, never an
// excluded file, a few files, a bounded excerpt of each. Visible editors come first (what the user
// is looking at is most likely related), each excerpt centred on that editor's cursor; other open
// documents contribute their start (imports, declarations). The excerpt of a file stays the same
// while the user types elsewhere, so the prompt prefix and the server's KV cache stay reusable.
import { endOutside, secretsNear, spansWithin, startOutside } from '../privacy/secretAwareCut';
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
    picked.push(excerpt(c.path, text, c.focusOffset, limits.maxCharsPerFile));
  }
  return picked;
}

/**
 * Whole lines around the focus (or from the start), at most `max` characters. The file is scanned
 * around the excerpt before it is cut: an edge that would split a secret moves out of it, and the
 * secrets inside travel with the snippet so the prompt's own cut respects them too.
 */
function excerpt(path: string, text: string, focusOffset: number | undefined, max: number): ContextSnippet {
  if (text.length <= max) return withSecrets(path, text, 0, text.length, secretsNear(text, 0, text.length));
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
  const secrets = secretsNear(text, start, end);
  start = startOutside(start, secrets);
  end = Math.max(start, endOutside(end, secrets));
  return withSecrets(path, text, start, end, secrets);
}

function withSecrets(path: string, text: string, start: number, end: number, secrets: ReturnType<typeof secretsNear>): ContextSnippet {
  const inside = spansWithin(secrets, start, end);
  return { path, text: text.slice(start, end), ...(inside.length > 0 ? { secrets: inside } : {}) };
}

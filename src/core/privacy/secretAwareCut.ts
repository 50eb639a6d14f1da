// Where a prompt window is cut, the cut must not land inside a secret: the piece on the kept side
// would leave on its own, and a piece of a key no longer looks like a key to any detector (issue
// 11: 128 of 176 characters of an `sk-proj-` key left that way). Every window cut (inline prefix
// and suffix, another file's snippet, refactor context) asks these two functions to move its cut
// out of the secrets found in the WHOLE text before the cut; the secret is then left out whole.
import { findPatternSecrets } from './secretPatterns';

export interface TextSpan {
  start: number;
  end: number;
}

/** A window START at `at` keeps what follows: moved forward past every secret it would split. */
export function startOutside(at: number, secrets: readonly TextSpan[] | undefined): number {
  if (!secrets || secrets.length === 0) return at;
  for (let moved = true; moved; ) {
    moved = false;
    for (const s of secrets) {
      if (s.start < at && at < s.end) { at = s.end; moved = true; }
    }
  }
  return at;
}

/** A window END at `at` keeps what precedes: moved back before every secret it would split. */
export function endOutside(at: number, secrets: readonly TextSpan[] | undefined): number {
  if (!secrets || secrets.length === 0) return at;
  for (let moved = true; moved; ) {
    moved = false;
    for (const s of secrets) {
      if (s.start < at && at < s.end) { at = s.start; moved = true; }
    }
  }
  return at;
}

/** Spans that overlap [from, to), shifted so `from` is 0. */
export function spansWithin(secrets: readonly TextSpan[], from: number, to: number): TextSpan[] {
  return secrets.filter((s) => s.end > from && s.start < to).map((s) => ({ start: s.start - from, end: s.end - from }));
}

/**
 * Characters scanned on each side of a cut on the keystroke path, where the whole file is not
 * scanned: more than the longest secret a cut can split (a 4096-bit RSA key in PEM is ~3.3 KB).
 */
export const CUT_SCAN_MARGIN = 8192;

/**
 * Tandem's own (synchronous) rules over `text[from, to)`, widened by the margin, in `text`
 * coordinates: for cuts made on the keystroke path, where secretlint's asynchronous scan cannot run.
 */
export function secretsNear(text: string, from: number, to: number): TextSpan[] {
  const a = Math.max(0, from - CUT_SCAN_MARGIN);
  const b = Math.min(text.length, to + CUT_SCAN_MARGIN);
  return findPatternSecrets(text.slice(a, b)).map((s) => ({ start: s.start + a, end: s.end + a }));
}

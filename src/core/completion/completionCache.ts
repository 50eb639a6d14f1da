// Answers the engine already has. Two lookups, both free of any request:
// - exact: an LRU keyed by the prompt window (language + prefix + suffix), so returning to a
//   position (backspace, undo, a re-trigger) shows the same suggestion at once;
// - walk (typing-through): the user typed the first characters of a suggestion the engine holds,
//   so the rest of it is still the answer.
import { LRUCache } from 'lru-cache';

/** A finished request's answer for one prompt window; 'empty' remembers that nothing was worth showing. */
export type CachedCompletion =
  | { kind: 'text'; text: string; origin: 'model' | 'speculative' }
  | { kind: 'empty'; reason: string };

/** Where a suggestion was made: enough of the document to tell whether the user is typing it. */
export interface CompletionAnchor {
  documentKey: string;
  /** Absolute offset where `prefix` starts and the cursor offset it ends at. */
  prefixStart: number;
  offset: number;
  prefix: string;
  suffix: string;
  text: string;
  origin: 'model' | 'speculative';
}

export interface WalkHit {
  /** What is left of the suggestion after the typed characters. */
  remainder: string;
  anchor: CompletionAnchor;
}

export interface CompletionCacheOptions {
  maxEntries?: number;
  /** Recent suggestions kept for typing-through; only the last few can still be in reach. */
  maxAnchors?: number;
}

export class CompletionCache {
  private readonly exact: LRUCache<string, CachedCompletion>;
  private readonly anchors: CompletionAnchor[] = [];
  private readonly maxAnchors: number;

  constructor(opts: CompletionCacheOptions = {}) {
    // Keys hold a whole prompt window (a few KB): 256 of them stay within a few MB.
    this.exact = new LRUCache({ max: opts.maxEntries ?? 256 });
    this.maxAnchors = opts.maxAnchors ?? 16;
  }

  static key(languageId: string, prefix: string, suffix: string): string {
    return `${languageId}\u0000${prefix}\u0000${suffix}`;
  }

  get(key: string): CachedCompletion | undefined {
    return this.exact.get(key);
  }

  set(key: string, value: CachedCompletion): void {
    this.exact.set(key, value);
  }

  /** Remembers a suggestion for typing-through (newest first). */
  addAnchor(anchor: CompletionAnchor): void {
    const i = this.anchors.findIndex((a) => a.documentKey === anchor.documentKey && a.offset === anchor.offset
      && a.prefixStart === anchor.prefixStart && a.prefix === anchor.prefix && a.suffix === anchor.suffix);
    if (i >= 0) this.anchors.splice(i, 1);
    this.anchors.unshift(anchor);
    if (this.anchors.length > this.maxAnchors) this.anchors.pop();
  }

  /**
   * The rest of a held suggestion when the document at `offset` is an anchor's document plus
   * typed characters that match the suggestion's start, with the text after the cursor unchanged.
   */
  walk(documentKey: string, text: string, offset: number, suffix: string): WalkHit | undefined {
    for (const a of this.anchors) {
      const typed = typedSince(a, documentKey, text, offset, suffix);
      if (typed === undefined || typed.length === 0 || typed.length >= a.text.length) continue;
      if (!a.text.startsWith(typed)) continue;
      const remainder = a.text.slice(typed.length);
      if (remainder.trim() === '') continue;
      return { remainder, anchor: a };
    }
    return undefined;
  }

  clear(): void {
    this.exact.clear();
    this.anchors.length = 0;
  }

  get size(): number {
    return this.exact.size;
  }
}

/**
 * The characters typed at an anchor's position since it was made, or undefined when the document
 * moved some other way (other document, edit before the cursor, different text after it).
 */
export function typedSince(
  a: { documentKey: string; prefixStart: number; offset: number; prefix: string; suffix: string },
  documentKey: string, text: string, offset: number, suffix: string,
): string | undefined {
  if (a.documentKey !== documentKey || offset < a.offset || suffix !== a.suffix) return undefined;
  if (!text.startsWith(a.prefix, a.prefixStart)) return undefined;
  return text.slice(a.offset, offset);
}

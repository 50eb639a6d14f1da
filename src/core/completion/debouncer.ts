// How long to wait after a keystroke before asking the model. Too short and every keystroke of a
// burst starts (and then aborts) a request; too long and the pause ends before ghost text shows.
// Existing extensions use a fixed 250-350 ms on top of waiting for a whole multi-line answer, so
// most natural pauses (0.5-1.5 s) show nothing. Here the wait follows the user's own rhythm (a
// gap clearly longer than their typical gap between keys is a pause) and shrinks when the model is
// slow, so debounce + model time still fits inside a short pause.

export interface DebounceBounds {
  minMs: number;
  maxMs: number;
}

export interface AdaptiveDebounceOptions extends DebounceBounds {
  /** Debounce + model time we aim to fit in: the short end of a natural pause. */
  targetShowMs?: number;
  /** Used until enough keystrokes were seen to know the user's rhythm. */
  initialMs?: number;
}

/** Gaps longer than this are pauses (reading, thinking), not the rhythm of typing. */
const PAUSE_GAP_MS = 1000;
/** Enough recent gaps to follow a change of pace within a few words. */
const GAP_WINDOW = 12;
const MIN_GAPS = 3;
/**
 * A gap this many times the typical one reads as "stopped typing". Inter-key gaps are skewed to
 * the right, so twice the median sits near their 90th percentile: about one gap in ten within a
 * burst of typing outlasts the debounce (and starts a request that the next key may still reuse).
 */
const PAUSE_FACTOR = 2;
/**
 * Where the text says a pause is likely (after `(`, `=`, `:`, `,`, `.`, Enter, a space, or a word
 * that already occurs whole in the file), a little more than one typical gap is enough to call it a
 * pause; in the middle of a word the next key usually follows, and a request started there is mostly
 * thrown away. Exactly one gap would start the request just as the next key usually lands, so every
 * keystroke after a space would start (and abort) one: a storm against a dead server, unseen by the
 * circuit breaker because each request is aborted before its failure arrives.
 */
const BOUNDARY_FACTOR = 1.25;
const MID_WORD_FACTOR = 2.5;
/** Mid-word, the wait may exceed maxMs by this factor: a pause there is rare and a false start costs a request. */
const MID_WORD_MAX_FACTOR = 1.5;
/**
 * A slow model shortens the wait, but never below this many typical gaps: below the typing rhythm
 * every keystroke would start a request, and on a slow server each false start costs a whole prompt.
 */
const RHYTHM_FLOOR_FACTOR = 1.25;
/** Weight of the newest latency sample: reacts to a cold start within two requests. */
const LATENCY_ALPHA = 0.3;

export class AdaptiveDebounce {
  private readonly gaps: number[] = [];
  private lastKeyAt: number | undefined;
  private latencyMs: number | undefined;
  private readonly targetShowMs: number;
  private readonly initialMs: number;

  constructor(private bounds: AdaptiveDebounceOptions) {
    this.targetShowMs = bounds.targetShowMs ?? 600;
    this.initialMs = bounds.initialMs ?? Math.round((bounds.minMs + bounds.maxMs) / 2);
  }

  setBounds(bounds: DebounceBounds): void {
    this.bounds = { ...this.bounds, ...bounds };
  }

  /** A keystroke (an automatic completion request) arrived at `at` ms. */
  noteKeystroke(at: number): void {
    if (this.lastKeyAt !== undefined) {
      const gap = at - this.lastKeyAt;
      if (gap > 0 && gap < PAUSE_GAP_MS) {
        this.gaps.push(gap);
        if (this.gaps.length > GAP_WINDOW) this.gaps.shift();
      }
    }
    this.lastKeyAt = at;
  }

  /** How long the model took from request to a usable answer. */
  noteModelLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.latencyMs = this.latencyMs === undefined ? ms : this.latencyMs + LATENCY_ALPHA * (ms - this.latencyMs);
  }

  /** The typical gap between keys, or undefined before enough were seen. */
  typicalGapMs(): number | undefined {
    if (this.gaps.length < MIN_GAPS) return undefined;
    const sorted = [...this.gaps].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  modelLatencyMs(): number | undefined {
    return this.latencyMs;
  }

  /**
   * The wait before asking the model. `textBefore` (the text before the cursor) lets the text
   * predict a pause as well as the timing; without it the timing alone decides.
   */
  delayMs(textBefore?: string): number {
    const gap = this.typicalGapMs();
    const likely = textBefore === undefined ? undefined : pauseLikelyAfter(textBefore);
    const factor = likely === undefined ? PAUSE_FACTOR : likely ? BOUNDARY_FACTOR : MID_WORD_FACTOR;
    const maxMs = likely === false ? this.bounds.maxMs * MID_WORD_MAX_FACTOR : this.bounds.maxMs;
    let delay = gap === undefined ? this.initialMs : gap * factor;
    if (this.latencyMs !== undefined) {
      const floor = gap === undefined ? 0 : Math.min(delay, gap * RHYTHM_FLOOR_FACTOR);
      delay = Math.max(floor, Math.min(delay, this.targetShowMs - this.latencyMs));
    }
    return Math.round(Math.min(maxMs, Math.max(this.bounds.minMs, delay)));
  }
}

const WORD_CHAR = /[A-Za-z0-9_$]/;

/** Whether the text before the cursor ends where people pause (see BOUNDARY_FACTOR). */
export function pauseLikelyAfter(textBefore: string): boolean {
  const last = textBefore.slice(-1);
  if (last === '' || /[\s([{=:,;.]/.test(last)) return true;
  if (!WORD_CHAR.test(last)) return false;
  let start = textBefore.length - 1;
  while (start > 0 && WORD_CHAR.test(textBefore[start - 1])) start--;
  const word = textBefore.slice(start);
  // A word that already occurs whole earlier in the file is most likely finished.
  const earlier = textBefore.slice(Math.max(0, start - 4000), start);
  for (let at = earlier.indexOf(word); at >= 0; at = earlier.indexOf(word, at + 1)) {
    const before = earlier[at - 1];
    const after = earlier[at + word.length];
    if ((before === undefined || !WORD_CHAR.test(before)) && (after === undefined || !WORD_CHAR.test(after))) return true;
  }
  return false;
}

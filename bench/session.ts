// One simulated person typing one corpus file on real time, against one completer (our engine, the
// naive baseline or the typical-extension baseline). Each keystroke cancels the previous provider
// call, as VS Code does, and starts a new one; ghost text is "visible" from the moment a call
// returns a suggestion until the next keystroke.
//
// The keystrokes come from a seed: gaps of 60-250 ms (log-normal around 120 ms, clipped), and
// pauses of 0.5 / 1 / 1.5 s, likelier at the end of a line and after spaces and punctuation. Enter
// inserts the newline and the next line's indentation, as an editor's auto-indent does. With
// `acceptShare` 0 the keystrokes do not depend on what the completer shows, so every completer
// replays exactly the same trace; with acceptShare > 0 the person follows correct suggestions
// (presses Tab on that share of them after a reading delay, and types the others through) and the
// trace is the completer's own.
import type { CompletionContext, CompletionOutcome } from '../src/core/completion/completionOutcome';
import { defaultTokenize } from '../test/doubles/httpUtil';
import type { CorpusFile } from './corpus';
import { mulberry32, normal, pick } from './random';

export interface Completer {
  complete(ctx: CompletionContext, cancel: AbortSignal): Promise<CompletionOutcome>;
  accepted?(ctx: CompletionContext, text: string): void;
  dispose?(): void;
}

export interface SessionPlan {
  id: number;
  file: number;
  /** File offset where typing starts (a line start) and where the typed region ends. */
  start: number;
  regionEnd: number;
  keystrokes: number;
  seed: number;
  acceptShare: number;
}

export const PAUSE_CLASSES_MS = [500, 1000, 1500] as const;
const MIN_GAP_MS = 60;
const MAX_GAP_MS = 250;
const MEDIAN_GAP_MS = 120;

export interface KeyRecord {
  keyAt: number;
  kind: 'type' | 'accept';
  /** Length of the ghost text shown by this call, if any. */
  shownAt?: number;
  source?: string;
  reason?: string;
  /** Pause (ms) that followed this keystroke, if it was a pause. */
  pauseAfterMs?: number;
  /** The keystroke typed the start of a visible suggestion: the rest should show at once. */
  follow?: { expected: string };
  followHit?: boolean;
  /** Keystroke to outcome (what the user waits), and provider entry to outcome (the engine's part). */
  totalMs?: number;
  callMs?: number;
  overheadMs?: number;
}

export interface SessionResult {
  id: number;
  keys: KeyRecord[];
  /** Tokens of distinct suggestions that came from the model and were shown. */
  usedTokens: number;
  shownFromModel: number;
}

const sleepUntil = (at: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));

function nextGap(rand: () => number): number {
  return Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, MEDIAN_GAP_MS * Math.exp(0.35 * normal(rand))));
}

function pauseChance(typed: string, nextChar: string | undefined): number {
  if (nextChar === '\n' || nextChar === undefined) return 0.35; // end of a line, before Enter
  if (typed === ' ' || /[(,;:=]$/.test(typed)) return 0.1;
  return 0.04;
}

/** What one keystroke types at `p`: a character, or Enter with the next line's indentation. */
function keyAt(text: string, p: number): string {
  if (text[p] !== '\n') return text[p];
  let e = p + 1;
  while (e < text.length && (text[e] === ' ' || text[e] === '\t')) e++;
  return text.slice(p, e);
}

export async function runSession(plan: SessionPlan, file: CorpusFile, completer: Completer): Promise<SessionResult> {
  const rand = mulberry32(plan.seed);
  const F = file.text;
  const tail = F.slice(plan.regionEnd);
  const documentKey = `file:///bench/${plan.id}/${file.name}`;
  const ctxAt = (p: number): CompletionContext => ({
    documentKey, languageId: file.languageId, text: F.slice(0, p) + tail, offset: p, trigger: 'automatic',
  });

  const keys: KeyRecord[] = [];
  const used = new Set<string>();
  let usedTokens = 0;
  let shownFromModel = 0;
  let p = plan.start;
  let visible: { text: string; p: number; at: number; ctx: CompletionContext; fresh: boolean } | undefined;
  /** Tab or type it through: decided once per suggestion, when a new one (not a typed-through rest) shows. */
  let intent: 'accept' | 'type' = 'type';
  let pending: { abort: AbortController; done: Promise<void> } | undefined;
  let nextAt = performance.now() + 50;

  const fire = (rec: KeyRecord, ctx: CompletionContext): void => {
    pending?.abort.abort();
    const abort = new AbortController();
    const callP = ctx.offset;
    const callAt = performance.now();
    const done = completer.complete(ctx, abort.signal).then((o) => {
      const now = performance.now();
      rec.totalMs = now - rec.keyAt;
      rec.callMs = now - callAt;
      if (o.kind === 'skipped') {
        rec.reason = o.reason;
        if (rec.follow) rec.followHit = false;
        return;
      }
      if (abort.signal.aborted) return; // VS Code drops answers to cancelled calls
      rec.shownAt = now;
      rec.source = o.source;
      rec.overheadMs = o.timings.overheadMs;
      visible = { text: o.text, p: callP, at: now, ctx, fresh: o.source !== 'typingThrough' };
      if (rec.follow) rec.followHit = (o.source === 'typingThrough' || o.source === 'cache') && o.text === rec.follow.expected;
      if (o.source !== 'typingThrough') {
        const k = `${callP}\u0000${o.text}`;
        if (!used.has(k)) {
          used.add(k);
          usedTokens += defaultTokenize(o.text).length;
          shownFromModel++;
        }
      }
    });
    pending = { abort, done };
  };

  for (let k = 0; k < plan.keystrokes && p < plan.regionEnd; k++) {
    await sleepUntil(nextAt);
    const v = visible && visible.p === p ? visible : undefined;
    const correct = v !== undefined && F.startsWith(v.text, p) && p + v.text.length <= plan.regionEnd;
    if (plan.acceptShare > 0 && correct && v.fresh) {
      intent = rand() < plan.acceptShare ? 'accept' : 'type';
      v.fresh = false;
    }
    if (plan.acceptShare > 0 && correct && intent === 'accept') {
      // Tab, once the suggestion has been read.
      await sleepUntil(v.at + 250 + 350 * rand());
      const rec: KeyRecord = { keyAt: performance.now(), kind: 'accept' };
      keys.push(rec);
      visible = undefined;
      p += v.text.length;
      completer.accepted?.(v.ctx, v.text);
      fire(rec, ctxAt(p));
      nextAt = performance.now() + nextGap(rand);
      continue;
    }
    const typed = keyAt(F, p);
    const rec: KeyRecord = { keyAt: performance.now(), kind: 'type' };
    if (v && v.text.length > typed.length && v.text.startsWith(typed) && v.text.slice(typed.length).trim() !== '') {
      rec.follow = { expected: v.text.slice(typed.length) };
    }
    keys.push(rec);
    visible = undefined;
    p += typed.length;
    fire(rec, ctxAt(p));
    let gap = nextGap(rand);
    if (rand() < pauseChance(typed, F[p])) {
      gap = pick(rand, PAUSE_CLASSES_MS);
      rec.pauseAfterMs = gap;
    }
    nextAt = rec.keyAt + gap;
  }
  await sleepUntil(nextAt);
  const last = pending;
  if (last) await Promise.race([last.done, new Promise((r) => setTimeout(r, 3000))]);
  completer.dispose?.();
  return { id: plan.id, keys, usedTokens, shownFromModel };
}

/**
 * Sessions for `count` people typing `keystrokes` keys each, from line starts spread over the
 * corpus (seeded). The typed region runs from the start to the end of the file, so what follows it
 * stays as the document's suffix.
 */
export function planSessions(corpus: readonly CorpusFile[], count: number, keystrokes: number, seed: number, acceptShare: number): SessionPlan[] {
  const rand = mulberry32(seed);
  const plans: SessionPlan[] = [];
  for (let id = 0; id < count; id++) {
    const file = id % corpus.length;
    const text = corpus[file].text;
    // Start in the first half of the file so the region is long enough; at a line start after a blank line if possible.
    const from = Math.floor(rand() * text.length * 0.4);
    let start = text.indexOf('\n\n', from);
    start = start < 0 ? text.indexOf('\n', from) + 1 : start + 2;
    let regionEnd = start;
    // Enough characters for the keystrokes (Enter with indentation counts once) plus what accepts skip.
    for (let n = 0; n < keystrokes * (acceptShare > 0 ? 3 : 1) && regionEnd < text.length; n++) regionEnd += keyAt(text, regionEnd).length;
    regionEnd = Math.min(text.length, text.indexOf('\n', regionEnd) < 0 ? text.length : text.indexOf('\n', regionEnd));
    plans.push({ id, file, start, regionEnd, keystrokes, seed: (seed * 1000 + id) >>> 0, acceptShare });
  }
  return plans;
}

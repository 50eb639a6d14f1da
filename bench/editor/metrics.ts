// Figures of one editor-benchmark run, from what the page saw (keydowns and ghost text, on the
// page clock as ms since epoch) and what the model double recorded (every request, on the same
// machine's clock). Pure: the harness collects, this computes.
import type { ServerProfile } from '../../test/doubles/serverCost';

export interface GenerationRecord {
  id: number;
  /** Keys typed at the request's cursor (from its prompt); undefined if the prompt was not the trace's. */
  keysTyped: number | undefined;
  receivedAt: number;
  startedAt?: number;
  firstTokenAt?: number;
  endedAt?: number;
  slotReleasedAt?: number;
  aborted: boolean;
  completed: boolean;
  tokens: string[];
  tokenTimes: number[];
  promptTokens?: number;
  cachedTokens?: number;
  processedTokens?: number;
  firstTokenDueMs?: number;
}

export interface GhostEvent {
  t: number;
  text: string;
}

export interface RunRecord {
  keyTimes: number[];
  ghosts: GhostEvent[];
  generations: GenerationRecord[];
  pauseAfter: number[];
  /** The typed stretch. */
  typed: string;
  endAt: number;
  profile: ServerProfile;
}

export interface PauseFigure {
  afterKey: number;
  ms: number;
  ghost: boolean;
  keyToGhostMs?: number;
  overheadMs?: number;
  /** Requests the server received for this pause's final cursor position. */
  requestsHere: number;
  shownBy?: number;
}

export interface EditorFigures {
  keystrokes: number;
  pauses: number;
  pausesWithGhost: number;
  pausesWithGhostShare: number;
  keyToGhostP50Ms: number | null;
  overheadP50Ms: number | null;
  overheadSamples: number;
  requests: number;
  requestsPerKeystroke: number;
  tokensGenerated: number;
  wastedTokenShare: number;
  uncachedPromptTokensPerKeystroke: number;
  serverBusyShare: number;
  maxInFlight: number;
  /** Pauses where more than one request was made for the final cursor position (a restart). */
  pausesWithRestart: number;
  ghostEvents: number;
  unattributedGhosts: number;
  pauseDetail: PauseFigure[];
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

/** Keys typed before `t`. */
function keysBefore(keyTimes: number[], t: number): number {
  let n = 0;
  while (n < keyTimes.length && keyTimes[n] <= t) n++;
  return n;
}

/**
 * Which request a ghost text came from: the newest one whose cursor was at or before the current
 * one and that had streamed, by the time the ghost showed, what was typed since its cursor followed
 * by the ghost's first line. Also how many of its tokens that took.
 */
export function attribute(rec: RunRecord, ghost: GhostEvent): { gen: GenerationRecord; tokensNeeded: number; keysTyped: number } | undefined {
  const k = keysBefore(rec.keyTimes, ghost.t);
  const first = ghost.text.split('\n')[0].replace(/\s+$/, '');
  const lines = ghost.text.split('\n');
  const want = first !== '' ? first : lines.length > 1 ? '\n' + lines[1].replace(/\s+$/, '') : '';
  let best: { gen: GenerationRecord; tokensNeeded: number; keysTyped: number } | undefined;
  for (const g of rec.generations) {
    if (g.keysTyped === undefined || g.keysTyped > k) continue;
    const need = rec.typed.slice(g.keysTyped, k) + want;
    let streamed = '';
    let n = 0;
    while (n < g.tokens.length && g.tokenTimes[n] !== undefined && g.tokenTimes[n] <= ghost.t + 5 && streamed.length < need.length) {
      streamed += g.tokens[n];
      n++;
    }
    if (streamed.length < need.length || !streamed.startsWith(need)) continue;
    if (!best || g.receivedAt > best.gen.receivedAt) best = { gen: g, tokensNeeded: Math.max(1, n), keysTyped: g.keysTyped };
  }
  return best;
}

export function computeFigures(rec: RunRecord): EditorFigures {
  const { keyTimes, ghosts, generations, profile } = rec;
  const keystrokes = keyTimes.length;
  const shown = new Set<number>();
  let unattributed = 0;
  const attributed = new Map<GhostEvent, ReturnType<typeof attribute>>();
  for (const g of ghosts) {
    if (g.text.trim() === '') continue;
    const a = attribute(rec, g);
    attributed.set(g, a);
    if (a) shown.add(a.gen.id);
    else unattributed++;
  }

  const pauseDetail: PauseFigure[] = [];
  for (const i of rec.pauseAfter) {
    if (i >= keystrokes) continue;
    const from = keyTimes[i];
    const to = i + 1 < keystrokes ? keyTimes[i + 1] : rec.endAt;
    // The ghost state when the pause began, then every change during it.
    let state = '';
    for (const g of ghosts) if (g.t <= from) state = g.text;
    const during = ghosts.filter((g) => g.t > from && g.t < to);
    let firstAt: number | undefined;
    let firstEvent: GhostEvent | undefined;
    const stillShowing = state.trim() !== '' && (during.length === 0 || during[0].text.trim() !== '');
    if (stillShowing) {
      firstAt = from;
    } else {
      firstEvent = during.find((g) => g.text.trim() !== '');
      firstAt = firstEvent?.t;
    }
    const here = generations.filter((g) => g.keysTyped === i + 1);
    const fig: PauseFigure = { afterKey: i, ms: round(to - from, 0), ghost: firstAt !== undefined, requestsHere: here.length };
    if (firstAt !== undefined) {
      fig.keyToGhostMs = round(firstAt - from);
      const a = firstEvent ? attributed.get(firstEvent) : undefined;
      if (a) {
        fig.shownBy = a.gen.id;
        // Only a request sent after the pause's last key: a prefetch sent earlier that guessed this
        // position right (its prompt holds the typed text) has no overhead to measure here.
        if (a.keysTyped === i + 1 && a.gen.receivedAt >= from && a.gen.firstTokenDueMs !== undefined) {
          // What the double's schedule needed for the shown tokens, from scratch, for this request's prompt.
          const need = a.gen.firstTokenDueMs + (a.tokensNeeded - 1) * profile.perTokenMs;
          fig.overheadMs = round(firstAt - from - need);
        }
      }
    }
    pauseDetail.push(fig);
  }

  const withPrompt = generations;
  const tokensGenerated = withPrompt.reduce((s, g) => s + g.tokenTimes.length, 0);
  const wasted = withPrompt.filter((g) => !shown.has(g.id)).reduce((s, g) => s + g.tokenTimes.length, 0);
  const uncached = withPrompt.reduce((s, g) => s + (g.processedTokens ?? 0), 0);

  // Busy: the union of the intervals the slot was held.
  const t0 = keyTimes[0] ?? 0;
  const spans = withPrompt
    .filter((g) => g.startedAt !== undefined)
    .map((g) => [Math.max(t0, g.startedAt!), Math.min(rec.endAt, g.slotReleasedAt ?? g.endedAt ?? rec.endAt)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let busy = 0;
  let cur: [number, number] | undefined;
  for (const [a, b] of spans) {
    if (!cur || a > cur[1]) {
      if (cur) busy += cur[1] - cur[0];
      cur = [a, b];
    } else {
      cur[1] = Math.max(cur[1], b);
    }
  }
  if (cur) busy += cur[1] - cur[0];

  // In flight at the server: received and not yet ended (queued ones included).
  const edges = withPrompt.flatMap((g) => [[g.receivedAt, 1], [g.endedAt ?? rec.endAt, -1]] as Array<[number, number]>)
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let inFlight = 0;
  let maxInFlight = 0;
  for (const [, d] of edges) {
    inFlight += d;
    maxInFlight = Math.max(maxInFlight, inFlight);
  }

  const withGhost = pauseDetail.filter((p) => p.ghost);
  const overheads = pauseDetail.map((p) => p.overheadMs).filter((x): x is number => x !== undefined);
  const k2g = withGhost.map((p) => p.keyToGhostMs!);
  return {
    keystrokes,
    pauses: pauseDetail.length,
    pausesWithGhost: withGhost.length,
    pausesWithGhostShare: round(pauseDetail.length ? withGhost.length / pauseDetail.length : 0, 3),
    keyToGhostP50Ms: median(k2g),
    overheadP50Ms: median(overheads),
    overheadSamples: overheads.length,
    requests: withPrompt.length,
    requestsPerKeystroke: round(keystrokes ? withPrompt.length / keystrokes : 0, 3),
    tokensGenerated,
    wastedTokenShare: round(tokensGenerated ? wasted / tokensGenerated : 0, 3),
    uncachedPromptTokensPerKeystroke: round(keystrokes ? uncached / keystrokes : 0, 1),
    serverBusyShare: round(rec.endAt > t0 ? busy / (rec.endAt - t0) : 0, 3),
    maxInFlight,
    pausesWithRestart: pauseDetail.filter((p) => p.requestsHere > 1).length,
    ghostEvents: attributed.size,
    unattributedGhosts: unattributed,
    pauseDetail,
  };
}

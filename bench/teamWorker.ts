// Several simulated people in one process for `npm run bench:team`: each has their own REAL
// CompletionEngine and REAL OpenAiCompatibleBackend (with the team token), typing their own seeded
// trace over a corpus file on real time against the shared server. Prints one JSON line.
//   node --require tsx/cjs bench/teamWorker.ts '{"url":"http://127.0.0.1:PORT/v1","token":"k","model":"m","layout":"anchored","plans":[...]}'
import { OpenAiCompatibleBackend } from '../src/core/backends/openAiCompatibleBackend';
import type { CompletionBackend, FimRequest } from '../src/core/shared/modelBackend';
import { systemClock } from '../src/core/shared/clock';
import { CompletionEngine } from '../src/core/completion/completionEngine';
import { defaultEngineSettings } from './completers';
import { loadCorpus } from './corpus';
import { runSession, type KeyRecord, type SessionPlan } from './session';

/**
 * 'anchored': the product's prompt window (its start moves only every budget/8 characters, so the
 * server's prefix cache serves the head of consecutive prompts). 'sliding': the comparison layout,
 * the last SLIDING_PREFIX_CHARS characters before the cursor, so the prompt's first block changes
 * on every keystroke and no prefix can be reused.
 */
export type Layout = 'anchored' | 'sliding';

/** Half the product's default prefix budget: the sliding prompts are SMALLER than ours (cheaper to prefill). */
export const SLIDING_PREFIX_CHARS = 1500;

export interface TeamWorkerInput {
  url: string;
  token: string;
  model: string;
  layout: Layout;
  plans: SessionPlan[];
  /** One person after another, each alone with the server (the N = 1 baseline over several people). */
  sequential?: boolean;
}

export interface PersonResult {
  id: number;
  /** Only what the figures need: keystrokes followed by a pause, and counts. */
  pauses: Array<Pick<KeyRecord, 'keyAt' | 'shownAt' | 'pauseAfterMs' | 'reason'>>;
  keystrokes: number;
  shown: number;
  skippedBy: Record<string, number>;
  requests: number;
}

class SlidingWindow implements CompletionBackend {
  constructor(private readonly inner: CompletionBackend) {}
  complete(req: FimRequest, signal: AbortSignal) {
    return this.inner.complete({ ...req, prefix: req.prefix.slice(-SLIDING_PREFIX_CHARS) }, signal);
  }
  checkHealth(signal?: AbortSignal) {
    return this.inner.checkHealth(signal);
  }
}

/**
 * Runs the people once `go()` resolves with the time everyone starts typing (Date.now()), so that
 * every worker's people overlap in time whatever each process's start-up took.
 */
export async function runPeople(input: TeamWorkerInput, go: () => Promise<number>): Promise<PersonResult[]> {
  const corpus = loadCorpus();
  const settings = defaultEngineSettings();
  const people = input.plans.map(() => {
    const real = new OpenAiCompatibleBackend({ endpoint: input.url, model: input.model, token: input.token });
    const backend = input.layout === 'sliding' ? new SlidingWindow(real) : real;
    return { backend, engine: new CompletionEngine({ backend: () => backend, clock: systemClock, settings: () => settings }) };
  });
  for (const p of people) {
    const h = await p.backend.checkHealth();
    if (h.kind !== 'ready') throw new Error(`team server not ready: ${JSON.stringify(h)}`);
  }
  const startAt = await go();
  await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
  const one = async (plan: SessionPlan, i: number): Promise<PersonResult> => {
    // Staggered starts, so people do not press keys in lockstep.
    if (!input.sequential) await new Promise((r) => setTimeout(r, (plan.id * 53) % 1000));
    const { engine } = people[i];
    const r = await runSession(plan, corpus[plan.file], engine);
    const skippedBy: Record<string, number> = {};
    for (const k of r.keys) if (k.reason) skippedBy[k.reason] = (skippedBy[k.reason] ?? 0) + 1;
    return {
      id: plan.id,
      pauses: r.keys.filter((k) => k.pauseAfterMs !== undefined).map((k) => ({ keyAt: k.keyAt, shownAt: k.shownAt, pauseAfterMs: k.pauseAfterMs, reason: k.reason })),
      keystrokes: r.keys.length,
      shown: r.keys.filter((k) => k.shownAt !== undefined).length,
      skippedBy,
      requests: engine.stats.requests,
    };
  };
  if (!input.sequential) return Promise.all(input.plans.map(one));
  const out: PersonResult[] = [];
  for (const [i, plan] of input.plans.entries()) out.push(await one(plan, i));
  return out;
}

if (require.main === module) {
  const input = JSON.parse(process.argv[2]) as TeamWorkerInput;
  // Protocol: print {"ready":true} once every backend answered its health check, then read one line
  // {"startAt": ms} on stdin, type, and print the results.
  const lines = require('node:readline').createInterface({ input: process.stdin })[Symbol.asyncIterator]() as AsyncIterator<string>;
  const go = async (): Promise<number> => {
    process.stdout.write('{"ready":true}\n');
    const r = await lines.next();
    return r.done ? Date.now() : (JSON.parse(r.value) as { startAt: number }).startAt;
  };
  runPeople(input, go).then((out) => {
    process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
  }, (e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exit(1);
  });
}

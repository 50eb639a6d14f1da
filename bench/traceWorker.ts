// Runs one completer's sessions of a trace in a process of its own (so the naive baseline's many
// parallel streams do not steal CPU from ours), and prints one JSON line with the results.
//   node --require tsx/cjs bench/traceWorker.ts '{"kind":"ours","url":"http://127.0.0.1:PORT","plans":[...]}'
import { loadCorpus } from './corpus';
import { makeCompleter, type CompleterKind } from './completers';
import { runSession, type SessionPlan, type SessionResult } from './session';
import type { EngineStats } from '../src/core/completion/completionEngine';

export interface WorkerInput {
  kind: CompleterKind;
  url: string;
  plans: SessionPlan[];
}

export interface WorkerOutput {
  kind: CompleterKind;
  sessions: SessionResult[];
  /** Most /api/generate connections one session had open at once, over all sessions. */
  maxOpen: number;
  generateCalls: number;
  engineStats?: EngineStats[];
}

export async function runTrace(input: WorkerInput): Promise<WorkerOutput> {
  const corpus = loadCorpus();
  const made = input.plans.map(() => makeCompleter(input.kind, input.url));
  // Health check first, as the extension does on activation (FIM mode is then known).
  await Promise.all(made.map((m) => m.backend.checkHealth()));
  const sessions = await Promise.all(input.plans.map(async (plan, i) => {
    // Staggered starts, so sessions do not press keys in lockstep.
    await new Promise((r) => setTimeout(r, i * 37));
    return runSession(plan, corpus[plan.file], made[i].completer);
  }));
  return {
    kind: input.kind,
    sessions,
    maxOpen: Math.max(...made.map((m) => m.meter.maxOpen)),
    generateCalls: made.reduce((n, m) => n + m.meter.calls.length, 0),
    ...(input.kind === 'ours' ? { engineStats: made.map((m) => m.stats!()) } : {}),
  };
}

if (require.main === module) {
  const input = JSON.parse(process.argv[2]) as WorkerInput;
  runTrace(input).then((out) => {
    // Exit only once the (large) line is flushed: a pipe write is asynchronous.
    process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
  }, (e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exit(1);
  });
}

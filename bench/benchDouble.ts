// The Ollama double as its own process, answering from the corpus (BenchModel), so that its CPU
// (timers, JSON, sockets) does not distort the engine's measurements. It speaks the protocol of
// bench/doubleProcess.ts ({"url": ...} once listening, lives until stdin closes); a function cannot
// travel in JSON, so this entry builds the double's `respond` itself. Commands, one JSON line each:
//   {"op":"summary"} -> every /api/generate generation: tokens sent, completed/aborted, and what the
//                       model meant to answer (correct?, tokens to its first newline, reply tokens)
//   {"op":"reset"}   -> forget the records
//   node --require tsx/cjs bench/benchDouble.ts '{"seed":1,"correctShare":0.4,"schedule":{"firstTokenMs":80,"perTokenMs":15}}'
import { startOllamaDouble, type RecordedOllamaRequest } from '../test/doubles/ollamaDouble';
import type { TokenSchedule } from '../test/doubles/httpUtil';
import type { ServerProfile } from '../test/doubles/serverCost';
import { loadCorpus } from './corpus';
import { BenchModel, type ModelBehaviour, type ReplyInfo } from './benchModel';
import { type DoubleCommands, runDoubleProcess, type ServedDouble } from './doubleProcess';

export interface BenchDoubleConfig extends ModelBehaviour {
  schedule: TokenSchedule;
  /** Charge like a one-slot server (prompt cost, queue); replaces schedule's token timing. */
  server?: ServerProfile;
}

export interface GenerationSummary extends ReplyInfo {
  tokensSent: number;
  completed: boolean;
  aborted: boolean;
  receivedAt: number;
  numPredict: number | undefined;
  promptChars: number;
}

async function start(cfg: BenchDoubleConfig): Promise<{ double: ServedDouble; commands: DoubleCommands }> {
  const model = new BenchModel(loadCorpus(), cfg);
  const infos = new Map<RecordedOllamaRequest, ReplyInfo>();
  const double = await startOllamaDouble({
    schedule: cfg.schedule,
    ...(cfg.server ? { server: { ...cfg.server, promptTokensPerSec: cfg.server.promptTokensPerSec ?? Infinity } } : {}),
    respond: (rec) => {
      const r = model.reply(String(rec.body?.prompt ?? ''), String(rec.body?.suffix ?? ''));
      infos.set(rec, r.info);
      return r.text;
    },
  });
  const summary = (): { generations: GenerationSummary[]; disconnects: number } => ({
    generations: double.generations.filter((g) => g.request.path === '/api/generate' && g.request.body?.prompt).map((g) => ({
      ...(infos.get(g.request) ?? { correct: false, tokensToFirstNewline: 0, replyTokens: 0 }),
      tokensSent: g.tokensSent,
      completed: g.completed,
      aborted: g.aborted,
      receivedAt: g.request.receivedAt,
      numPredict: g.request.body?.options?.num_predict,
      promptChars: String(g.request.body?.prompt ?? '').length,
    })),
    disconnects: double.disconnects.length,
  });
  const reset = (): void => {
    double.reset();
    infos.clear();
  };
  return { double, commands: { summary, reset } };
}

if (require.main === module) void runDoubleProcess('benchDouble', process.argv[2], start);

// The shared team server for `npm run bench:team`: the vLLM double (test/doubles/vllmDouble.ts)
// with one GPU's capacity, in its own process, answering from the corpus like the editor benchmark's
// model (BenchModel). It speaks the protocol of bench/doubleProcess.ts ({"url": ...} once listening,
// lives until stdin closes). Commands:
//   {"op":"summary"} -> the capacity model's counters and each completion request's record
//   {"op":"reset"}   -> a fresh server (empty prefix cache, zeroed counters)
//   node --require tsx/cjs bench/teamDouble.ts '{"seed":1,"correctShare":0.4,"apiKey":"k","capacity":{...}}'
import type { CapacityConfig } from '../test/doubles/vllmCapacity';
import { startVllmDouble } from '../test/doubles/vllmDouble';
import { BenchModel, type ModelBehaviour } from './benchModel';
import { loadCorpus } from './corpus';
import { type DoubleCommands, runDoubleProcess, type ServedDouble } from './doubleProcess';

export interface TeamDoubleConfig extends ModelBehaviour {
  apiKey: string;
  model: string;
  capacity: CapacityConfig;
}

const FIM = /^<\|fim_prefix\|>([\s\S]*)<\|fim_suffix\|>([\s\S]*)<\|fim_middle\|>$/;

async function start(cfg: TeamDoubleConfig): Promise<{ double: ServedDouble; commands: DoubleCommands }> {
  const model = new BenchModel(loadCorpus(), cfg);
  const double = await startVllmDouble({
    model: cfg.model, apiKey: cfg.apiKey, capacity: cfg.capacity,
    respond: (prompt) => {
      const m = FIM.exec(prompt);
      return model.reply(m ? m[1] : prompt, m ? m[2] : '').text;
    },
  });
  const summary = () => ({
    stats: double.model.stats,
    completions: double.requests.filter((r) => r.path === '/v1/completions').map((r) => ({
      status: r.status, promptTokens: r.promptTokens, cachedTokens: r.cachedTokens, completionTokens: r.completionTokens,
      receivedAt: r.receivedAt, firstTokenAt: r.firstTokenAt, aborted: r.aborted ?? false,
    })),
  });
  return { double, commands: { summary, reset: () => double.reset() } };
}

if (require.main === module) void runDoubleProcess('teamDouble', process.argv[2], start);

// The shared team server for `npm run bench:team`: the vLLM double (test/doubles/vllmDouble.ts)
// with one GPU's capacity, in its own process, answering from the corpus like the editor benchmark's
// model (BenchModel). It prints {"url": ...} once listening and lives until stdin closes. Commands:
//   {"op":"summary"} -> the capacity model's counters and each completion request's record
//   {"op":"reset"}   -> a fresh server (empty prefix cache, zeroed counters)
//   node --require tsx/cjs bench/teamDouble.ts '{"seed":1,"correctShare":0.4,"apiKey":"k","capacity":{...}}'
import * as readline from 'node:readline';
import type { CapacityConfig } from '../test/doubles/vllmCapacity';
import { startVllmDouble } from '../test/doubles/vllmDouble';
import { BenchModel, type ModelBehaviour } from './benchModel';
import { loadCorpus } from './corpus';

export interface TeamDoubleConfig extends ModelBehaviour {
  apiKey: string;
  model: string;
  capacity: CapacityConfig;
}

const FIM = /^<\|fim_prefix\|>([\s\S]*)<\|fim_suffix\|>([\s\S]*)<\|fim_middle\|>$/;

async function main(arg: string | undefined): Promise<void> {
  if (!arg) {
    process.stderr.write('usage: teamDouble <config JSON>\n');
    process.exit(2);
  }
  const cfg = JSON.parse(arg) as TeamDoubleConfig;
  const model = new BenchModel(loadCorpus(), cfg);
  const double = await startVllmDouble({
    model: cfg.model, apiKey: cfg.apiKey, capacity: cfg.capacity,
    respond: (prompt) => {
      const m = FIM.exec(prompt);
      return model.reply(m ? m[1] : prompt, m ? m[2] : '').text;
    },
  });
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    const op = (JSON.parse(line) as { op?: string }).op;
    if (op === 'summary') {
      const completions = double.requests.filter((r) => r.path === '/v1/completions');
      process.stdout.write(`${JSON.stringify({
        ok: true,
        stats: double.model.stats,
        completions: completions.map((r) => ({
          status: r.status, promptTokens: r.promptTokens, cachedTokens: r.cachedTokens, completionTokens: r.completionTokens,
          receivedAt: r.receivedAt, firstTokenAt: r.firstTokenAt, aborted: r.aborted ?? false,
        })),
      })}\n`);
    } else if (op === 'reset') {
      double.reset();
      process.stdout.write('{"ok":true}\n');
    } else process.stdout.write(`${JSON.stringify({ ok: false, error: `unknown op ${op}` })}\n`);
  });
  const stop = (): void => void double.close().then(() => process.exit(0));
  rl.on('close', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ url: double.url })}\n`);
}

if (require.main === module) void main(process.argv[2]);

// The engine with the real OllamaBackend against the loopback Ollama double, on real time: what
// the engine aborts, the server sees as a client disconnect, and at most one generation runs.
import { strict as assert } from 'node:assert';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { systemClock } from '../../../src/core/shared/clock';
import { CompletionEngine } from '../../../src/core/completion/completionEngine';
import type { CompletionOutcome } from '../../../src/core/completion/completionOutcome';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../../src/core/completion/engineSettings';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';
import { at } from './scriptedBackend';

const MODEL = 'qwen2.5-coder:1.5b-base';

describe('CompletionEngine over the Ollama double', function () {
  this.timeout(10_000);
  let double: OllamaDouble;
  let engine: CompletionEngine;
  let maxActive = 0;
  let sampler: ReturnType<typeof setInterval>;

  beforeEach(async () => {
    double = await startOllamaDouble({
      schedule: { firstTokenMs: 150, perTokenMs: 10 },
      respond: () => 'foo(bar);\nmore();\nand_more();\n',
    });
    const backend = new OllamaBackend({ host: double.url, model: MODEL, keepAlive: '5m' });
    const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, minDebounceMs: 20, maxDebounceMs: 20, speculative: 'off' };
    engine = new CompletionEngine({ backend: () => backend, clock: systemClock, settings: () => settings });
    maxActive = 0;
    sampler = setInterval(() => { maxActive = Math.max(maxActive, double.activeGenerations); }, 2);
  });

  afterEach(async () => {
    clearInterval(sampler);
    engine.dispose();
    await double.close();
  });

  it('ends a single-line generation at its newline: the server sees the client leave', async () => {
    const o = await engine.complete(at('const x = |\n'), new AbortController().signal);
    assert.deepEqual(o.kind === 'shown' && [o.source, o.text], ['model', 'foo(bar);']);
    await double.waitFor(() => double.disconnects.length === 1, 2000);
    const gens = double.generations.filter((g) => g.request.path === '/api/generate');
    assert.equal(gens.length, 1);
    assert.equal(gens[0].completed, false);
    assert.ok(double.disconnects[0].tokensSent < 8, `${double.disconnects[0].tokensSent} tokens sent`);
  });

  it('asks the server for the shape: num_predict and a closing-fence stop; a line cut by num_predict ends at a whole token', async () => {
    double.configure({ respond: () => 'computeTotal(alphaValue, betaValueLonger, gamma);\n' });
    const small = new CompletionEngine({
      backend: () => new OllamaBackend({ host: double.url, model: MODEL, keepAlive: '5m' }), clock: systemClock,
      settings: () => ({ ...DEFAULT_ENGINE_SETTINGS, minDebounceMs: 20, maxDebounceMs: 20, speculative: 'off', maxTokens: 7 }),
    });
    try {
      const o = await small.complete(at('const x = |\n', { trigger: 'invoke' }), new AbortController().signal);
      const body = double.requests.find((r) => r.path === '/api/generate')!.body;
      assert.equal(body.options.num_predict, 7);
      assert.ok(body.options.stop.includes('\n```'), JSON.stringify(body.options.stop));
      // 7 tokens of the double end inside `betaValueLonger`: the shown text stops before it.
      assert.deepEqual(o.kind === 'shown' && o.text, 'computeTotal(alphaValue,');
    } finally {
      small.dispose();
    }
  });

  it('aborts a superseded request at once: the server sees the disconnect before its first token', async () => {
    const first = new AbortController();
    const a = engine.complete(at('const x = |\n'), first.signal);
    await double.waitFor(() => double.generations.some((g) => g.request.path === '/api/generate'), 2000);
    first.abort();
    // An edit earlier on the line: the running request cannot serve this position.
    const b: Promise<CompletionOutcome> = engine.complete(at('const y = |\n'), new AbortController().signal);
    await double.waitFor(() => double.disconnects.length >= 1, 2000);
    assert.equal(double.disconnects[0].tokensSent, 0);
    assert.equal((await a).kind, 'skipped');
    const o = await b;
    assert.equal(o.kind, 'shown');
    assert.equal(maxActive, 1);
  });
});

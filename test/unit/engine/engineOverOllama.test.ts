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

// OllamaChatBackend (privacy mode localOnly) against the loopback Ollama double, through the real
// ollama-js client.
import * as assert from 'node:assert/strict';
import { OllamaChatBackend, type OllamaChatBackendOptions } from '../../../src/core/backends/ollamaChatBackend';
import type { ChatMessage } from '../../../src/core/shared/refactorBackend';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';

const MODEL = 'qwen2.5-coder:1.5b-base';
const REPLY = '```ts\nconst total = items.reduce((a, b) => a + b, 0);\n```';
const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You are a refactoring tool.' },
  { role: 'user', content: 'Use reduce:\n```ts\nlet total = 0; for (const i of items) total += i;\n```' },
];
const estimateTokens = (t: string) => Math.ceil(t.length / 4);

describe('OllamaChatBackend', () => {
  let double: OllamaDouble;
  before(async () => {
    double = await startOllamaDouble({ respond: () => REPLY });
  });
  after(async () => {
    await double.close();
  });
  beforeEach(() => {
    double.reset();
    double.configure({ fault: { kind: 'none' }, respond: () => REPLY, schedule: { firstTokenMs: 0, perTokenMs: 0 } });
  });

  function backend(extra: Partial<OllamaChatBackendOptions> = {}): OllamaChatBackend {
    return new OllamaChatBackend({ host: double.url, model: MODEL, maxOutputTokens: 256, timeoutMs: 3000, keepAlive: '30m', estimateTokens, ...extra });
  }

  it('streams the reply over /api/chat with usage from the final chunk', async () => {
    const progress: number[] = [];
    const r = await backend().run(MESSAGES, new AbortController().signal, (n) => progress.push(n));
    assert.ok(r.kind === 'ok', JSON.stringify(r));
    assert.equal(r.text, REPLY);
    assert.equal(r.usage.source, 'reported');
    assert.equal(r.usage.model, MODEL);
    assert.ok(r.usage.inputTokens > 0);
    assert.equal(r.usage.outputTokens, double.generations[0].tokensSent);
    assert.equal(progress.at(-1), REPLY.length);
    const req = double.requests.find((q) => q.path === '/api/chat')!;
    assert.equal(req.body.stream, true);
    assert.equal(req.body.keep_alive, '30m');
    assert.equal(req.body.options.num_predict, 256);
    assert.ok(req.body.options.num_ctx >= 4096, 'num_ctx is always sent so the prompt is not cut');
    assert.deepEqual(req.body.messages, MESSAGES);
  });

  it('sizes num_ctx to a long prompt, within the cap', async () => {
    const long: ChatMessage[] = [{ role: 'user', content: 'x'.repeat(40_000) }];
    await backend({ maxContextTokens: 12_000 }).run(long, new AbortController().signal);
    assert.equal(double.requests.find((q) => q.path === '/api/chat')!.body.options.num_ctx, 10_000 + 256 + 6 + 256);
    double.reset();
    await backend({ maxContextTokens: 8_000 }).run(long, new AbortController().signal);
    assert.equal(double.requests.find((q) => q.path === '/api/chat')!.body.options.num_ctx, 8_000);
  });

  it('a reply cut by num_predict is a truncated failure', async () => {
    const r = await backend({ maxOutputTokens: 3 }).run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'error', JSON.stringify(r));
    assert.equal(r.error.kind, 'truncated');
    assert.equal(r.usage?.source, 'reported');
  });

  const faults: { name: string; configure: () => void; model?: string; kind: string; message: RegExp; usage: boolean }[] = [
    { name: 'unknown model', configure: () => {}, model: 'nope:1b', kind: 'notFound', message: /ollama pull nope:1b/, usage: false },
    { name: 'HTTP 500 before content', configure: () => double.configure({ fault: { kind: 'status', status: 500, message: 'runner crashed' } }), kind: 'server', message: /runner crashed/, usage: false },
    { name: 'connection cut mid-stream', configure: () => double.configure({ fault: { kind: 'cutMidStream', afterTokens: 2 } }), kind: 'network', message: /dropped/, usage: true },
    { name: 'error line mid-stream', configure: () => double.configure({ fault: { kind: 'errorLine', afterTokens: 2, message: 'out of memory' } }), kind: 'server', message: /out of memory/, usage: true },
    { name: 'garbage instead of JSON', configure: () => double.configure({ fault: { kind: 'garbage' } }), kind: 'malformed', message: /not valid JSON/, usage: true },
    { name: 'no answer at all', configure: () => double.configure({ fault: { kind: 'hang' } }), kind: 'timeout', message: /did not answer/, usage: true },
  ];
  for (const f of faults) {
    it(f.name, async () => {
      f.configure();
      const r = await backend({ timeoutMs: 300, ...(f.model ? { model: f.model } : {}) }).run(MESSAGES, new AbortController().signal);
      assert.ok(r.kind === 'error', JSON.stringify(r));
      assert.equal(r.error.kind, f.kind);
      assert.match(r.error.message, f.message);
      assert.equal(r.usage !== undefined, f.usage);
    });
  }

  it('Ollama not running: an offline failure that says so', async () => {
    const d = await startOllamaDouble();
    const url = d.url;
    await d.close();
    const r = await new OllamaChatBackend({ host: url, model: MODEL, maxOutputTokens: 10, timeoutMs: 1000, estimateTokens }).run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'error');
    assert.equal(r.error.kind, 'offline');
    assert.match(r.error.message, /Ollama is not running/);
    assert.equal(r.usage, undefined);
  });

  it('cancel mid-stream closes this request\'s connection: the server stops generating', async () => {
    double.configure({ schedule: { firstTokenMs: 0, perTokenMs: 30 } });
    const ac = new AbortController();
    const r = await backend().run(MESSAGES, ac.signal, () => ac.abort());
    assert.equal(r.kind, 'cancelled');
    assert.ok(r.kind === 'cancelled');
    assert.ok(r.partialText.length > 0);
    assert.equal(r.usage?.source, 'estimated');
    await double.waitFor(() => double.disconnects.length === 1);
    assert.equal(double.activeGenerations, 0);
  });

  it('cancelling one run leaves another run on the same backend streaming', async () => {
    double.configure({ schedule: { firstTokenMs: 0, perTokenMs: 10 } });
    const b = backend();
    const ac = new AbortController();
    const [cancelled, finished] = await Promise.all([
      b.run(MESSAGES, ac.signal, () => ac.abort()),
      b.run(MESSAGES, new AbortController().signal),
    ]);
    assert.equal(cancelled.kind, 'cancelled');
    assert.equal(finished.kind, 'ok');
  });
});

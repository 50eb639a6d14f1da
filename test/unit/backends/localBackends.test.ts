// The two local FIM backends against loopback doubles that speak the real wire protocols, through
// the real `ollama` and `openai` clients: prompt shape, streaming, abort reaching the server, and
// the error kinds the engine and status bar tell apart.
import * as assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { BackendError, type FimRequest } from '../../../src/core/shared/modelBackend';
import { OllamaBackend } from '../../../src/core/backends/ollamaBackend';
import { OpenAiCompatibleBackend } from '../../../src/core/backends/openAiCompatibleBackend';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';
import { SERVER_PROFILES } from '../../doubles/serverCost';
import { startOpenAiDouble, type OpenAiDouble } from '../../doubles/openaiDouble';

function request(over: Partial<FimRequest> = {}): FimRequest {
  return { prefix: 'function add(a, b) {\n  return ', suffix: '\n}\n', languageId: 'javascript', maxTokens: 64, stop: [], temperature: 0.2, ...over };
}

/** A loopback URL nothing listens on (a port just freed), so connecting is refused. */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

async function rejection(p: Promise<unknown>): Promise<BackendError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BackendError, `expected BackendError, got ${e}`);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('OllamaBackend against the Ollama double', () => {
  let ollama: OllamaDouble;
  before(async () => { ollama = await startOllamaDouble(); });
  after(async () => { await ollama.close(); });
  beforeEach(() => {
    ollama.reset();
    ollama.configure({
      models: [{ name: 'qwen2.5-coder:1.5b-base' }],
      schedule: { firstTokenMs: 0, perTokenMs: 0 },
      respond: () => 'a + b;',
      fault: { kind: 'none' },
    });
  });
  const backend = (model = 'qwen2.5-coder:1.5b-base') => new OllamaBackend({ host: ollama.url, model, keepAlive: '30m' });

  it('uses Ollama\'s own suffix for a model with the insert capability, and reports server timings', async () => {
    const r = await backend().complete(request(), new AbortController().signal);
    assert.equal(r.text, 'a + b;');
    assert.equal(r.finish, 'stop');
    const body = ollama.generations[0].request.body;
    assert.equal(body.prompt, 'function add(a, b) {\n  return ');
    assert.equal(body.suffix, '\n}\n');
    assert.equal(body.raw, undefined);
    assert.equal(body.keep_alive, '30m');
    assert.equal(body.options.num_predict, 64);
    assert.ok(r.server.outputTokens && r.server.outputTokens > 0);
    assert.equal(typeof r.server.loadMs, 'number');
  });

  it('builds the family\'s FIM prompt in raw mode when the model lacks insert but its family is known', async () => {
    ollama.configure({ models: [{ name: 'qwen2.5-coder:7b-instruct', capabilities: ['completion'], template: '{{ .Prompt }}' }] });
    const r = await backend('qwen2.5-coder:7b-instruct').complete(request(), new AbortController().signal);
    assert.equal(r.text, 'a + b;');
    const body = ollama.generations[0].request.body;
    assert.equal(body.raw, true);
    assert.equal(body.suffix, undefined, 'raw mode ignores suffix, so none is sent');
    assert.equal(body.prompt, '<|fim_prefix|>function add(a, b) {\n  return <|fim_suffix|>\n}\n<|fim_middle|>');
    assert.ok(body.options.stop.includes('<|endoftext|>'));
  });

  it('asks /api/show once per model, not per keystroke', async () => {
    const b = backend();
    for (let i = 0; i < 3; i++) await b.complete(request(), new AbortController().signal);
    assert.equal(ollama.requests.filter((r) => r.path === '/api/show').length, 1);
  });

  it('closes the connection when shouldStop says enough, so the server stops generating', async () => {
    ollama.configure({ respond: () => 'a + b;\n  // and a long tail the user never sees\n  return a + b + c + d;', schedule: { firstTokenMs: 0, perTokenMs: 15 } });
    const r = await backend().complete(request({ shouldStop: (t) => t.includes('\n') }), new AbortController().signal);
    assert.equal(r.finish, 'client');
    assert.ok(r.text.startsWith('a + b;\n'));
    await ollama.waitFor(() => ollama.disconnects.length === 1, 2000);
    assert.equal(ollama.generations[0].completed, false);
  });

  it('aborting the signal mid-stream reaches the server as a disconnect', async () => {
    ollama.configure({ respond: () => 'x '.repeat(200), schedule: { firstTokenMs: 0, perTokenMs: 10 } });
    const ac = new AbortController();
    const p = backend().complete(request({ maxTokens: 500 }), ac.signal);
    await ollama.waitFor(() => (ollama.generations[0]?.tokensSent ?? 0) >= 3, 2000);
    ac.abort();
    const e = await rejection(p);
    assert.equal(e.kind, 'cancelled');
    await ollama.waitFor(() => ollama.disconnects.length === 1, 2000);
    assert.ok(ollama.generations[0].tokensSent < 100);
  });

  it('reports a missing model as notFound, and health says modelMissing', async () => {
    const e = await rejection(backend('nope:1b').complete(request(), new AbortController().signal));
    assert.equal(e.kind, 'notFound');
    assert.match(e.message, /ollama pull nope:1b/);
    const h = await backend('nope:1b').checkHealth();
    assert.equal(h.kind, 'modelMissing');
  });

  it('reports a model without FIM support as noFim, with nothing generated', async () => {
    ollama.configure({ models: [{ name: 'llama3.2:3b', capabilities: ['completion'], template: '{{ .Prompt }}' }] });
    const e = await rejection(backend('llama3.2:3b').complete(request(), new AbortController().signal));
    assert.equal(e.kind, 'noFim');
    assert.equal(ollama.generations.length, 0);
    assert.equal((await backend('llama3.2:3b').checkHealth()).kind, 'noFim');
  });

  it('health is ready with the server version for a FIM model', async () => {
    const h = await backend().checkHealth();
    assert.equal(h.kind, 'ready');
    if (h.kind === 'ready') {
      assert.equal(h.fim, 'native');
      assert.ok(h.version);
    }
  });

  it('a garbage stream ends in a clear error, not a hang', async () => {
    ollama.configure({ fault: { kind: 'garbage' } });
    const e = await rejection(backend().complete(request(), new AbortController().signal));
    assert.equal(e.kind, 'malformed');
  });

  it('warm-up loads the model and measures the server with a probe it cannot have cached', async () => {
    // A laptop-class server: 60 ms base, 1,500 prompt tokens/s, 20 ms a token.
    ollama.configure({ server: SERVER_PROFILES.laptop, schedule: { firstTokenMs: 0, perTokenMs: 0, loadMs: 40 },
      respond: () => ' one two three four five six seven eight nine ten' });
    try {
      ollama.unloadAll();
      const b = backend();
      const first = await b.warmUp();
      assert.ok(first.loadMs >= 40, `loadMs ${first.loadMs}`);
      const probe = first.probe!;
      assert.ok(probe.promptTokens! > 250, `probe prompt ${probe.promptTokens} tokens`);
      assert.ok(Math.abs((probe.promptTokens! * 1000) / probe.promptEvalMs! - 1500) < 50, 'prompt rate as the server reported it');
      assert.equal(probe.outputTokens, 8);
      assert.ok(probe.evalMs! / probe.outputTokens! >= 15, `token interval ${probe.evalMs! / probe.outputTokens!} ms`);
      const body = ollama.generations.at(-1)!.request.body;
      assert.equal(body.raw, true, 'no template: the probe is plain text');
      assert.equal(body.options.num_predict, 8);
      // A second warm-up (settings changed, same server) still measures: its prompt starts differently.
      await new Promise((r) => setTimeout(r, 2));
      const again = (await b.warmUp()).probe!;
      assert.ok(again.promptTokens! > 250, `second probe ${again.promptTokens} tokens processed`);
    } finally {
      ollama.configure({ server: undefined });
    }
  });

  it('sends a suffix-first family raw in its own order even when the server has insert', async () => {
    // Ollama's codellama template is prefix-first; Code Llama was also trained suffix-first.
    ollama.configure({ models: [{ name: 'codellama:7b-code', template: '<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>' }] });
    await backend('codellama:7b-code').complete(request(), new AbortController().signal);
    const body = ollama.generations[0].request.body;
    assert.equal(body.raw, true);
    assert.equal(body.suffix, undefined);
    assert.equal(body.prompt, '<PRE> <SUF>\n}\n <MID> function add(a, b) {\n  return ');
    assert.ok(body.options.stop.includes('<EOT>'));
  });

  it('a server that is down is offline', async () => {
    const b = new OllamaBackend({ host: await refusingUrl(), model: 'x', keepAlive: '5m' });
    const e = await rejection(b.complete(request(), new AbortController().signal));
    assert.equal(e.kind, 'offline');
    assert.match(e.message, /Ollama is not running at 127\.0\.0\.1:\d+ \(connection refused\)/);
    assert.equal((await b.checkHealth()).kind, 'offline');
  });
});

describe('OpenAiCompatibleBackend against the OpenAI double (/v1/completions)', () => {
  let server: OpenAiDouble;
  before(async () => { server = await startOpenAiDouble(); });
  after(async () => { await server.close(); });
  beforeEach(() => {
    server.reset();
    server.configure({ respond: () => 'a + b;', schedule: { firstTokenMs: 0, perTokenMs: 0 }, fault: { kind: 'none' } });
  });

  it('sends the family FIM prompt with stops, and streams the text back', async () => {
    const b = new OpenAiCompatibleBackend({ endpoint: server.url, model: 'qwen2.5-coder-1.5b' });
    const r = await b.complete(request(), new AbortController().signal);
    assert.equal(r.text, 'a + b;');
    const req = server.requests.find((q) => q.path === '/v1/completions');
    assert.ok(req);
    assert.equal(req.body.prompt, '<|fim_prefix|>function add(a, b) {\n  return <|fim_suffix|>\n}\n<|fim_middle|>');
    assert.equal(req.body.max_tokens, 64);
    assert.equal(req.body.stream, true);
    assert.ok(req.body.stop.includes('<|endoftext|>'));
  });

  it('asks for the server\'s usage and passes its token counts through (savings are priced from them)', async () => {
    server.configure({ usage: () => ({ prompt_tokens: 812, completion_tokens: 9 }) });
    const b = new OpenAiCompatibleBackend({ endpoint: server.url, model: 'qwen2.5-coder-1.5b' });
    const r = await b.complete(request(), new AbortController().signal);
    assert.deepEqual(server.requests.find((q) => q.path === '/v1/completions')?.body.stream_options, { include_usage: true });
    assert.deepEqual(r.server, { promptTokens: 812, outputTokens: 9 });
  });

  it('a server that sends no usage chunk leaves the counts out rather than inventing them', async () => {
    server.configure({ fault: { kind: 'omitUsage' } });
    const b = new OpenAiCompatibleBackend({ endpoint: server.url, model: 'qwen2.5-coder-1.5b' });
    const r = await b.complete(request(), new AbortController().signal);
    assert.equal(r.text, 'a + b;');
    assert.deepEqual(r.server, {});
  });

  it('stops early and closes the connection when shouldStop fires', async () => {
    server.configure({ respond: () => 'a + b;\n' + 'more '.repeat(100), schedule: { firstTokenMs: 0, perTokenMs: 10 } });
    const b = new OpenAiCompatibleBackend({ endpoint: `${server.url}/v1`, model: 'qwen2.5-coder-1.5b' });
    const r = await b.complete(request({ maxTokens: 400, shouldStop: (t) => t.includes('\n') }), new AbortController().signal);
    assert.equal(r.finish, 'client');
    await server.waitFor(() => server.disconnects.length === 1, 2000);
  });

  it('refuses a model with no known FIM template before sending anything', async () => {
    const b = new OpenAiCompatibleBackend({ endpoint: server.url, model: 'llama-3-8b-instruct' });
    const e = await rejection(b.complete(request(), new AbortController().signal));
    assert.equal(e.kind, 'noFim');
    assert.equal(server.requests.length, 0);
    assert.equal((await b.checkHealth()).kind, 'noFim');
  });

  it('health is ready when the server lists the model', async () => {
    const b = new OpenAiCompatibleBackend({ endpoint: server.url, model: 'qwen2.5-coder-1.5b' });
    const h = await b.checkHealth();
    assert.ok(h.kind === 'ready' || h.kind === 'modelMissing', h.kind);
  });

  it('a server that is down is offline', async () => {
    const b = new OpenAiCompatibleBackend({ endpoint: `${await refusingUrl()}/v1`, model: 'qwen2.5-coder-1.5b' });
    const e = await rejection(b.complete(request(), new AbortController().signal));
    assert.equal(e.kind, 'offline');
    assert.match(e.message, /The local model server is not running at 127\.0\.0\.1:\d+ \(connection refused\)/);
  });
});

// Drives the Ollama double through the real ollama-js client, so the double is held to the wire
// protocol the client actually parses (NDJSON framing, error shapes, abort behaviour).
import { strict as assert } from 'node:assert';
import { Ollama } from 'ollama';
import type { GenerateResponse } from 'ollama';
import { fullModelName, parseKeepAlive, startOllamaDouble } from '../../doubles/ollamaDouble';
import type { OllamaDouble } from '../../doubles/ollamaDouble';
import { deterministicReply } from '../../doubles/httpUtil';

/** A client whose requests all follow `signal` (ollama-js has no per-request signal; see api-facts). */
function clientWithSignal(host: string, signal: AbortSignal): Ollama {
  return new Ollama({
    host,
    fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
  });
}

async function collect(it: AsyncIterable<GenerateResponse>): Promise<GenerateResponse[]> {
  const out: GenerateResponse[] = [];
  for await (const c of it) out.push(c);
  return out;
}

async function rejection(p: Promise<unknown>): Promise<Error & { status_code?: number }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { status_code?: number };
  }
  assert.fail('expected a rejection');
}

describe('ollamaDouble', () => {
  let d: OllamaDouble;
  let ollama: Ollama;

  beforeEach(async () => {
    d = await startOllamaDouble();
    ollama = new Ollama({ host: d.url });
  });
  afterEach(async () => {
    await d.close();
  });

  describe('/api/generate', () => {
    it('streams the reply as NDJSON and ends with done, done_reason and nanosecond timings', async () => {
      d.configure({ respond: () => 'alpha beta gamma' });
      const chunks = await collect(await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'def f(', stream: true }));
      const last = chunks[chunks.length - 1];
      assert.equal(chunks.map((c) => c.response).join(''), 'alpha beta gamma');
      assert.ok(chunks.slice(0, -1).every((c) => !c.done));
      assert.equal(last.done, true);
      assert.equal(last.done_reason, 'stop');
      assert.equal(last.response, '');
      assert.equal(last.eval_count, chunks.length - 1);
      assert.ok(last.prompt_eval_count >= 1);
      for (const k of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration'] as const) {
        assert.ok(Number.isInteger(last[k]) && last[k] > 0, `${k} = ${last[k]}`);
      }
      assert.ok(Array.isArray(last.context) && last.context.length > 0);
      assert.equal(d.generations.length, 1);
      assert.equal(d.generations[0].completed, true);
      assert.equal(d.generations[0].tokensSent, chunks.length - 1);
    });

    it('sends application/x-ndjson, and headers only with the first token', async () => {
      d.configure({ schedule: { firstTokenMs: 150, perTokenMs: 0 } });
      const t0 = Date.now();
      const res = await fetch(`${d.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x' }) });
      assert.ok(Date.now() - t0 >= 140, 'headers waited for the first token');
      assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
      const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(lines[lines.length - 1].done, true);
    });

    it('defaults to a deterministic reply derived from the prompt', async () => {
      const a = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'let total', stream: false });
      const b = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'let total', stream: false });
      assert.equal(a.response, deterministicReply('let total'));
      assert.equal(a.response, b.response);
      assert.match(a.response, /^total_/);
    });

    it('honours num_predict with done_reason length', async () => {
      d.configure({ respond: () => 'one two three four five six', tokenize: (t) => t.split(/(?= )/) });
      const chunks = await collect(await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', stream: true, options: { num_predict: 3 } }));
      assert.equal(chunks.length, 4);
      assert.equal(chunks.map((c) => c.response).join(''), 'one two three');
      assert.equal(chunks[3].done_reason, 'length');
      assert.equal(chunks[3].eval_count, 3);
    });

    it('stops before a stop string with done_reason stop', async () => {
      d.configure({ respond: () => 'first line\nsecond line\n' });
      const chunks = await collect(await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', stream: true, options: { stop: ['\n'] } }));
      assert.equal(chunks.map((c) => c.response).join(''), 'first line');
      assert.equal(chunks[chunks.length - 1].done_reason, 'stop');
    });

    it('answers stream:false with one JSON object', async () => {
      d.configure({ respond: () => 'whole reply' });
      const r = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', stream: false });
      assert.equal(r.response, 'whole reply');
      assert.equal(r.done, true);
      assert.ok(r.eval_duration > 0);
    });

    it('surfaces an unknown model as ResponseError 404 with the server wording', async () => {
      const e = await rejection(ollama.generate({ model: 'nope:1b', prompt: 'x', stream: true }));
      assert.equal(e.name, 'ResponseError');
      assert.equal(e.status_code, 404);
      assert.equal(e.message, "model 'nope:1b' not found");
    });

    it('matches names like the server: default tag latest, case-insensitive', async () => {
      d.configure({ models: [{ name: 'codellama:latest' }] });
      const r = await ollama.generate({ model: 'CodeLlama', prompt: 'x', stream: false });
      assert.equal(r.done, true);
      assert.equal(r.model, 'CodeLlama');
    });

    it('refuses a suffix for a model without insert (400), even in raw mode', async () => {
      d.configure({ models: [{ name: 'qwen3-coder:30b', capabilities: ['completion', 'tools'] }] });
      for (const raw of [false, true]) {
        const e = await rejection(ollama.generate({ model: 'qwen3-coder:30b', prompt: 'a', suffix: 'b', raw, stream: true }));
        assert.equal(e.status_code, 400);
        assert.equal(e.message, 'registry.ollama.ai/library/qwen3-coder:30b does not support insert');
      }
      const ok = await ollama.generate({ model: 'qwen3-coder:30b', prompt: 'a', stream: false });
      assert.equal(ok.done, true);
    });

    it('accepts a suffix on an insert model, and records it', async () => {
      const r = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'a', suffix: 'b', stream: false, keep_alive: '10m' });
      assert.equal(r.done, true);
      assert.equal(d.requests[0].body.suffix, 'b');
      assert.equal(d.requests[0].body.keep_alive, '10m');
    });

    it('treats an empty prompt as a load request and keep_alive 0 as unload', async () => {
      const load = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: '', stream: false });
      assert.equal(load.done_reason, 'load');
      assert.equal((await ollama.ps()).models.length, 1);
      const unload = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: '', keep_alive: 0, stream: false });
      assert.equal(unload.done_reason, 'unload');
      assert.equal((await ollama.ps()).models.length, 0);
    });

    it('reports loadMs as load_duration once, until the keep-alive runs out', async () => {
      d.configure({ schedule: { firstTokenMs: 0, perTokenMs: 0, loadMs: 80 } });
      const first = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: false });
      const second = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: false, keep_alive: 0 });
      const third = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: false });
      assert.ok(first.load_duration >= 70e6, `first ${first.load_duration}`);
      assert.ok(second.load_duration < 50e6, `second ${second.load_duration}`);
      assert.ok(third.load_duration >= 70e6, `third (after keep_alive 0) ${third.load_duration}`);
    });

    it('rejects an invalid keep_alive like the server', async () => {
      const e = await rejection(ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', keep_alive: 'soon', stream: false }));
      assert.equal(e.status_code, 400);
      assert.equal(e.message, 'time: invalid duration "soon"');
    });
  });

  describe('/api/chat', () => {
    it('streams message chunks and the same final metrics', async () => {
      d.configure({ respond: (r) => `echo: ${r.body.messages[0].content}` });
      const it = await ollama.chat({ model: 'qwen2.5-coder:1.5b-base', messages: [{ role: 'user', content: 'hi there' }], stream: true });
      const chunks = [];
      for await (const c of it) chunks.push(c);
      const last = chunks[chunks.length - 1];
      assert.equal(chunks.map((c) => c.message.content).join(''), 'echo: hi there');
      assert.ok(chunks.every((c) => c.message.role === 'assistant'));
      assert.equal(last.done, true);
      assert.equal(last.done_reason, 'stop');
      assert.ok(last.eval_count > 0 && last.total_duration > 0);
    });

    it('loads the model for an empty message list', async () => {
      const r = await ollama.chat({ model: 'qwen2.5-coder:1.5b-base', messages: [], stream: false });
      assert.equal(r.done_reason, 'load');
    });
  });

  describe('model metadata', () => {
    it('/api/show reports template, capabilities and details', async () => {
      d.configure({
        models: [
          { name: 'qwen2.5-coder:1.5b-base' },
          { name: 'llama3.2:3b', template: '{{ .Prompt }}', family: 'llama' },
        ],
      });
      const fim = await ollama.show({ model: 'qwen2.5-coder:1.5b-base' });
      assert.deepEqual(fim.capabilities, ['completion', 'insert']);
      assert.match(fim.template, /\.Suffix/);
      assert.equal(fim.details.family, 'qwen2');
      assert.equal(fim.details.parameter_size, '1.5B');
      assert.equal(typeof fim.model_info, 'object');
      const plain = await ollama.show({ model: 'llama3.2:3b' });
      assert.deepEqual(plain.capabilities, ['completion'], 'no .Suffix in the template -> no insert');
      const e = await rejection(ollama.show({ model: 'ghost' }));
      assert.equal(e.status_code, 404);
      assert.equal(e.message, "model 'ghost' not found");
    });

    it('/api/tags, /api/version, /api/ps and GET /', async () => {
      d.configure({ version: '0.12.9' });
      const tags = await ollama.list();
      assert.deepEqual(tags.models.map((m) => m.name), ['qwen2.5-coder:1.5b-base']);
      assert.match(tags.models[0].digest, /^[0-9a-f]{64}$/);
      assert.equal(tags.models[0].details.quantization_level, 'Q4_K_M');
      assert.equal((await ollama.version()).version, '0.12.9');
      assert.equal((await ollama.ps()).models.length, 0);
      await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: false });
      const ps = await ollama.ps();
      assert.equal(ps.models[0].name, 'qwen2.5-coder:1.5b-base');
      assert.ok(new Date(ps.models[0].expires_at).getTime() > Date.now() + 4 * 60_000);
      const root = await fetch(`${d.url}/`);
      assert.equal(await root.text(), 'Ollama is running');
      assert.equal((await fetch(`${d.url}/api/nothing`)).status, 404);
    });
  });

  describe('cancellation', () => {
    it('an aborted fetch signal closes the connection: the double records a disconnect and stops', async () => {
      d.configure({ schedule: { firstTokenMs: 0, perTokenMs: 15 }, respond: () => 'a b c d e f g h i j k l m n o p q r s t' });
      const ac = new AbortController();
      const client = clientWithSignal(d.url, ac.signal);
      const seen: string[] = [];
      await assert.rejects(async () => {
        for await (const c of await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', stream: true })) {
          seen.push(c.response ?? '');
          if (seen.length === 3) ac.abort();
        }
      }, (e: Error) => e.name === 'AbortError');
      await d.waitFor(() => d.disconnects.length === 1);
      const disc = d.disconnects[0];
      assert.equal(disc.path, '/api/generate');
      assert.equal(disc.model, 'qwen2.5-coder:1.5b-base');
      assert.ok(disc.tokensSent >= 3 && disc.tokensSent < 20, `tokensSent ${disc.tokensSent}`);
      assert.equal(d.generations[0].aborted, true);
      assert.equal(d.generations[0].completed, false);
      assert.equal(d.activeGenerations, 0);
      assert.equal(d.pendingTimers, 0, 'no timer left running for the cut-off generation');
      const frozen = d.generations[0].tokensSent;
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(d.generations[0].tokensSent, frozen, 'no token generated after the disconnect');
    });

    it('an abort while the model loads (before headers) is a disconnect with no tokens', async () => {
      d.configure({ schedule: { firstTokenMs: 0, perTokenMs: 0, loadMs: 2000 } });
      const ac = new AbortController();
      const client = clientWithSignal(d.url, ac.signal);
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', stream: true }), (e: Error) => e.name === 'AbortError');
      await d.waitFor(() => d.disconnects.length === 1);
      assert.equal(d.disconnects[0].tokensSent, 0);
      assert.equal(d.pendingTimers, 0, 'the load timer was cancelled');
      assert.equal((await ollama.ps()).models.length, 0, 'an interrupted load leaves nothing loaded');
    });

    it('break without abort does not cancel: the server keeps generating (the ollama-js pitfall)', async () => {
      d.configure({ schedule: { firstTokenMs: 0, perTokenMs: 5 }, respond: () => 'a b c d e f g h' });
      for await (const c of await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'p', stream: true })) {
        if (c.response) break;
      }
      await d.waitFor(() => d.generations[0].completed);
      assert.equal(d.disconnects.length, 0);
      assert.equal(d.generations[0].tokensSent, 8);
    });
  });

  describe('faults', () => {
    it('status: an HTTP error before any content', async () => {
      d.configure({ fault: { kind: 'status', status: 500, message: 'llama runner process has terminated' } });
      const e = await rejection(ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true }));
      assert.equal(e.status_code, 500);
      assert.equal(e.message, 'llama runner process has terminated');
      assert.equal((await ollama.version()).version.length > 0, true, 'other paths unaffected by default');
    });

    it('errorLine: an NDJSON error line mid-stream becomes a plain Error', async () => {
      d.configure({ fault: { kind: 'errorLine', afterTokens: 2, message: 'out of memory' }, respond: () => 'a b c d' });
      const seen: string[] = [];
      await assert.rejects(async () => {
        for await (const c of await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true })) seen.push(c.response ?? '');
      }, /out of memory/);
      assert.deepEqual(seen, ['a', ' b']);
    });

    it('cutMidStream: the socket dies after N tokens; not a client disconnect', async () => {
      d.configure({ fault: { kind: 'cutMidStream', afterTokens: 2 }, respond: () => 'a b c d' });
      const seen: string[] = [];
      await assert.rejects(async () => {
        for await (const c of await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true })) seen.push(c.response ?? '');
      });
      assert.equal(seen.length, 2);
      assert.equal(d.disconnects.length, 0);
      assert.equal(d.generations[0].completed, false);
    });

    it('garbage: non-JSON lines and no done line', async () => {
      d.configure({ fault: { kind: 'garbage' } });
      const warn = console.warn;
      console.warn = () => undefined; // ollama-js warns once per unparsable line
      try {
        await assert.rejects(async () => {
          for await (const c of await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true })) void c;
        }, /Did not receive done/);
      } finally {
        console.warn = warn;
      }
    });

    it('hang: no headers ever; the client gives up and the double records it', async () => {
      d.configure({ fault: { kind: 'hang' } });
      const client = clientWithSignal(d.url, AbortSignal.timeout(60));
      await assert.rejects(client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true }));
      await d.waitFor(() => d.disconnects.length === 1);
      assert.equal(d.disconnects[0].tokensSent, 0);
    });

    it('faultPaths can aim a hang at the health check', async () => {
      d.configure({ fault: { kind: 'hang' }, faultPaths: ['/api/version'] });
      const client = clientWithSignal(d.url, AbortSignal.timeout(60));
      await assert.rejects(client.version());
      await d.waitFor(() => d.disconnects.length === 1);
      assert.equal(d.disconnects[0].path, '/api/version');
    });
  });

  it('close() ends open streams and leaves no timers running', async () => {
    d.configure({ schedule: { firstTokenMs: 0, perTokenMs: 5000 }, respond: () => 'a b c' });
    const it = await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true });
    const reading = (async () => { for await (const c of it) void c; })();
    const t0 = Date.now();
    await d.close();
    await assert.rejects(reading);
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(d.activeGenerations, 0);
    assert.equal(d.pendingTimers, 0);
  });

  it('reset() clears the records', async () => {
    await ollama.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: false });
    assert.equal(d.requests.length, 1);
    d.reset();
    assert.equal(d.requests.length + d.generations.length + d.disconnects.length, 0);
  });
});

describe('ollamaDouble helpers', () => {
  const keepAliveCases: Array<[unknown, number | 'invalid']> = [
    [undefined, 300_000],
    [0, 0],
    [30, 30_000],
    [-1, Infinity],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['0', 0],
    ['-1m', Infinity],
    ['soon', 'invalid'],
    ['10', 'invalid'],
  ];
  for (const [input, expected] of keepAliveCases) {
    it(`parseKeepAlive(${JSON.stringify(input)}) = ${expected}`, () => {
      const r = parseKeepAlive(input);
      if (expected === 'invalid') assert.equal(r.kind, 'invalid');
      else assert.deepEqual(r, { kind: 'ok', ms: expected });
    });
  }

  const nameCases: Array<[string, string]> = [
    ['qwen2.5-coder', 'registry.ollama.ai/library/qwen2.5-coder:latest'],
    ['qwen2.5-coder:1.5b-base', 'registry.ollama.ai/library/qwen2.5-coder:1.5b-base'],
    ['user/model:q4', 'registry.ollama.ai/user/model:q4'],
    ['example.com:5000/ns/model', 'example.com:5000/ns/model:latest'],
  ];
  for (const [input, expected] of nameCases) {
    it(`fullModelName(${input})`, () => assert.equal(fullModelName(input), expected));
  }
});

// The vLLM double on the wire: what vLLM's OpenAI-compatible server answers, and the capacity model
// deciding when tokens arrive.
import { strict as assert } from 'node:assert';
import { startVllmDouble, type VllmDouble } from '../../doubles/vllmDouble';

const KEY = 'k-123';
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

async function sse(url: string, body: object): Promise<Array<Record<string, any>>> {
  const res = await fetch(`${url}/v1/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ ...body, stream: true }) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const text = await res.text();
  const events = text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
  assert.equal(events.at(-1), '[DONE]');
  return events.slice(0, -1).map((e) => JSON.parse(e));
}

describe('vLLM double', function () {
  this.timeout(10_000);
  let d: VllmDouble;
  afterEach(async () => d?.close());

  it('--api-key: 401 {"error":"Unauthorized"} without or with a wrong key, on every /v1 route; /health stays open', async () => {
    d = await startVllmDouble({ apiKey: KEY });
    for (const headers of [{}, { authorization: 'Bearer nope' }] as Array<Record<string, string>>) {
      const r = await fetch(`${d.url}/v1/models`, { headers });
      assert.equal(r.status, 401);
      assert.deepEqual(await r.json(), { error: 'Unauthorized' });
    }
    assert.equal((await fetch(`${d.url}/health`)).status, 200);
    const models = await (await fetch(`${d.url}/v1/models`, { headers: auth })).json();
    assert.equal(models.data[0].id, 'Qwen/Qwen2.5-Coder-1.5B');
    assert.equal(models.data[0].owned_by, 'vllm');
  });

  it('streams text_completion chunks, a finish_reason, then usage with cached prompt tokens', async () => {
    d = await startVllmDouble({ apiKey: KEY, respond: () => 'return a + b;\n}\n', capacity: { perTokenMs: 1 } });
    const prompt = `x${' x'.repeat(199)}`;
    const first = await sse(d.url, { model: 'Qwen/Qwen2.5-Coder-1.5B', prompt, max_tokens: 64 });
    const text = first.filter((c) => c.choices.length).map((c) => c.choices[0].text).join('');
    assert.equal(text, 'return a + b;\n}\n');
    assert.equal(first.filter((c) => c.choices.length).at(-1)!.choices[0].finish_reason, 'stop');
    const usage = first.at(-1)!;
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage.prompt_tokens, 200);
    assert.equal(usage.usage.prompt_tokens_details.cached_tokens, 0);
    const again = await sse(d.url, { model: 'Qwen/Qwen2.5-Coder-1.5B', prompt: `${prompt}y`, max_tokens: 3 });
    assert.equal(again.at(-1)!.usage.prompt_tokens_details.cached_tokens, 192, 'twelve full 16-token blocks reused');
    assert.equal(again.filter((c) => c.choices.length).at(-1)!.choices[0].finish_reason, 'length');
    assert.equal(again.at(-1)!.usage.completion_tokens, 3);
  });

  it('an unknown model is 404 with vLLM\'s error object', async () => {
    d = await startVllmDouble({});
    const r = await fetch(`${d.url}/v1/completions`, { method: 'POST', headers: auth, body: JSON.stringify({ model: 'gpt-4', prompt: 'x' }) });
    assert.equal(r.status, 404);
    const e = await r.json();
    assert.equal(e.object, 'error');
    assert.match(e.message, /does not exist/);
  });

  it('at capacity: 429 in reject mode; the request that got the slot still completes', async () => {
    d = await startVllmDouble({ respond: () => 'a b c d e f g h\n', capacity: { maxRunning: 1, overload: 'reject', perTokenMs: 20 } });
    const body = JSON.stringify({ model: 'Qwen/Qwen2.5-Coder-1.5B', prompt: 'p', max_tokens: 8, stream: false });
    const first = fetch(`${d.url}/v1/completions`, { method: 'POST', headers: auth, body });
    await new Promise((r) => setTimeout(r, 30));
    const second = await fetch(`${d.url}/v1/completions`, { method: 'POST', headers: auth, body });
    assert.equal(second.status, 429);
    assert.equal((await second.json()).type, 'RateLimitError');
    const ok = await first;
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).choices[0].text, 'a b c d e f g h');
  });

  it('a client that goes away leaves the batch at once', async () => {
    d = await startVllmDouble({ respond: () => 'a '.repeat(500), capacity: { perTokenMs: 5 } });
    const ctl = new AbortController();
    const res = await fetch(`${d.url}/v1/completions`, { method: 'POST', headers: auth, signal: ctl.signal, body: JSON.stringify({ model: 'Qwen/Qwen2.5-Coder-1.5B', prompt: 'p', max_tokens: 400, stream: true }) });
    const reader = res.body!.getReader();
    await reader.read();
    ctl.abort();
    const deadline = Date.now() + 2000;
    while (d.model.runningCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(d.model.runningCount, 0);
    assert.equal(d.requests[0].aborted, true);
  });
});

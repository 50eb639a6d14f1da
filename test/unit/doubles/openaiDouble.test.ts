// Drives the OpenAI double through the real openai SDK (6.x), so the double is held to what the
// SDK parses: SSE framing, the usage chunk, error bodies and the statuses its retry logic reads.
import { strict as assert } from 'node:assert';
import OpenAI from 'openai';
import { startOpenAiDouble } from '../../doubles/openaiDouble';
import type { OpenAiDouble } from '../../doubles/openaiDouble';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

describe('openaiDouble', () => {
  let d: OpenAiDouble;
  let client: OpenAI;
  const make = (extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI =>
    new OpenAI({ apiKey: 'sk-test', baseURL: `${d.url}/v1`, maxRetries: 0, logLevel: 'off', ...extra });

  beforeEach(async () => {
    d = await startOpenAiDouble();
    client = make();
  });
  afterEach(async () => {
    await d.close();
  });

  const chat = { model: 'gpt-5.4-mini', messages: [{ role: 'user' as const, content: 'refactor this' }] };

  describe('POST /v1/chat/completions', () => {
    it('streams chunks; with include_usage the last chunk has no choices and the usage', async () => {
      d.configure({ respond: () => 'const x = 1;' });
      const { data: stream, response } = await client.chat.completions
        .create({ ...chat, stream: true, stream_options: { include_usage: true } })
        .withResponse();
      const chunks: Chunk[] = [];
      for await (const c of stream) chunks.push(c);
      const last = chunks[chunks.length - 1];
      assert.equal(chunks[0].choices[0].delta.role, 'assistant');
      assert.equal(chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join(''), 'const x = 1;');
      assert.ok(chunks.slice(0, -1).every((c) => c.usage === null && c.object === 'chat.completion.chunk'));
      assert.equal(chunks[chunks.length - 2].choices[0].finish_reason, 'stop');
      assert.deepEqual(last.choices, []);
      assert.ok(last.usage);
      assert.equal(last.usage.completion_tokens, d.generations[0].tokensSent);
      assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
      assert.equal(last.usage.prompt_tokens_details?.cached_tokens, 0);
      assert.equal(last.usage.completion_tokens_details?.reasoning_tokens, 0);
      assert.ok(new Set(chunks.map((c) => c.id)).size === 1 && chunks[0].id.startsWith('chatcmpl-'));
      // Records: what was sent, with which key, under which request id.
      const rec = d.requests[0];
      assert.equal(rec.headers.authorization, 'Bearer sk-test');
      assert.equal(rec.body.stream_options.include_usage, true);
      assert.equal(response.headers.get('x-request-id'), rec.requestId);
      assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(d.generations[0].completed, true);
    });

    it('without include_usage sends no usage at all', async () => {
      const chunks: Chunk[] = [];
      for await (const c of await client.chat.completions.create({ ...chat, stream: true })) chunks.push(c);
      assert.ok(chunks.length > 2);
      assert.ok(chunks.every((c) => c.usage === undefined && c.choices.length === 1));
    });

    it('omitUsage: the stream ends without the usage chunk', async () => {
      d.configure({ fault: { kind: 'omitUsage' } });
      const chunks: Chunk[] = [];
      for await (const c of await client.chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } })) chunks.push(c);
      assert.ok(chunks.every((c) => !c.usage));
      assert.equal(chunks[chunks.length - 1].choices[0].finish_reason, 'stop');
    });

    it('answers non-streamed requests, honouring max_completion_tokens and stop', async () => {
      d.configure({ respond: () => 'line one\nline two\n', tokenize: (t) => t.split(/(?= )|(?<=\n)/) });
      const whole = await client.chat.completions.create(chat);
      assert.equal(whole.object, 'chat.completion');
      assert.equal(whole.choices[0].message.content, 'line one\nline two\n');
      assert.equal(whole.choices[0].finish_reason, 'stop');
      assert.equal(whole._request_id, d.requests[0].requestId);
      const capped = await client.chat.completions.create({ ...chat, max_completion_tokens: 2 });
      assert.equal(capped.choices[0].message.content, 'line one\n');
      assert.equal(capped.choices[0].finish_reason, 'length');
      assert.equal(capped.usage?.completion_tokens, 2);
      const stopped = await client.chat.completions.create({ ...chat, stop: ['\n'] });
      assert.equal(stopped.choices[0].message.content, 'line one');
    });

    it('usage numbers can be set by the test', async () => {
      d.configure({ usage: () => ({ prompt_tokens: 1000, prompt_tokens_details: { cached_tokens: 800 }, completion_tokens_details: { reasoning_tokens: 64 } }) });
      const r = await client.chat.completions.create(chat);
      assert.equal(r.usage?.prompt_tokens, 1000);
      assert.equal(r.usage?.prompt_tokens_details?.cached_tokens, 800);
      assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, 64);
      assert.equal(r.usage?.total_tokens, 1000 + (r.usage?.completion_tokens ?? NaN));
    });
  });

  describe('POST /v1/completions (OpenAI-compatible local servers)', () => {
    it('streams text_completion chunks through completions.create, honouring max_tokens and stop', async () => {
      d.configure({ respond: (r) => `${r.body.suffix ? 'fim ' : ''}alpha beta\ngamma`, tokenize: (t) => t.split(/(?= )|(?=\n)/) });
      const texts: string[] = [];
      let finish: string | null = null;
      for await (const c of await client.completions.create({ model: 'qwen2.5-coder', prompt: 'def f(', suffix: ')', max_tokens: 16, stop: ['\n'], stream: true })) {
        assert.equal(c.object, 'text_completion');
        texts.push(c.choices[0].text);
        finish = c.choices[0].finish_reason ?? finish;
      }
      assert.equal(texts.join(''), 'fim alpha beta');
      assert.equal(finish, 'stop');
      assert.equal(d.requests[0].body.suffix, ')');

      const capped = await client.completions.create({ model: 'qwen2.5-coder', prompt: 'x', max_tokens: 1 });
      assert.equal(capped.choices[0].text, 'alpha');
      assert.equal(capped.choices[0].finish_reason, 'length');
      assert.equal(capped.usage?.completion_tokens, 1);
    });
  });

  describe('GET /v1/models and routing', () => {
    it('lists the configured models; strictModels refuses others with model_not_found', async () => {
      d.configure({ models: ['gpt-5.4-mini'], strictModels: true });
      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      assert.deepEqual(ids, ['gpt-5.4-mini']);
      await assert.rejects(client.chat.completions.create({ ...chat, model: 'gpt-9' }), (e: unknown) =>
        e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
    });

    it('an unknown path is a 404 invalid_request_error', async () => {
      const res = await fetch(`${d.url}/v1/nothing`, { method: 'POST' });
      assert.equal(res.status, 404);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /Invalid URL \(POST \/v1\/nothing\)/);
    });
  });

  describe('errors', () => {
    it('401 fault -> AuthenticationError with code and request id', async () => {
      d.configure({ fault: { kind: 'status', status: 401 } });
      await assert.rejects(client.chat.completions.create(chat), (e: unknown) =>
        e instanceof OpenAI.AuthenticationError && e.status === 401 && e.code === 'invalid_api_key' &&
        e.requestID === d.requests[0].requestId);
    });

    it('apiKey: only the configured key passes; others get a masked invalid_api_key', async () => {
      d.configure({ apiKey: 'sk-right-key-123456' });
      await assert.rejects(make({ apiKey: 'sk-wrong-key-654321' }).chat.completions.create(chat), (e: unknown) =>
        e instanceof OpenAI.AuthenticationError && /Incorrect API key provided: sk-\*+4321\./.test(e.message));
      const ok = await make({ apiKey: 'sk-right-key-123456' }).chat.completions.create(chat);
      assert.equal(ok.choices.length, 1);
      assert.deepEqual(d.requests.map((r) => r.headers.authorization), ['Bearer sk-wrong-key-654321', 'Bearer sk-right-key-123456']);
      assert.deepEqual(d.requests.map((r) => r.status), [401, 200]);
    });

    it('429 -> RateLimitError with retry-after; with maxRetries 1 and times 1 the retry succeeds', async () => {
      d.configure({ fault: { kind: 'status', status: 429, times: 1 } });
      await assert.rejects(client.chat.completions.create(chat), (e: unknown) =>
        e instanceof OpenAI.RateLimitError && e.code === 'rate_limit_exceeded' && e.headers.get('retry-after') === '1');
      d.reset();
      const t0 = Date.now();
      const r = await make({ maxRetries: 1 }).chat.completions.create(chat);
      assert.equal(r.choices[0].finish_reason, 'stop');
      assert.deepEqual(d.requests.map((x) => x.status), [429, 200]);
      assert.ok(Date.now() - t0 >= 900, 'the SDK waited the retry-after second');
    });

    it('500 -> InternalServerError; custom body and headers pass through', async () => {
      d.configure({ fault: { kind: 'status', status: 500 } });
      await assert.rejects(client.chat.completions.create(chat), OpenAI.InternalServerError);
      d.configure({ fault: { kind: 'status', status: 503, body: { error: { message: 'busy', type: 'server_error', code: 'x' } }, headers: { 'x-should-retry': 'false' } } });
      await assert.rejects(make({ maxRetries: 2 }).chat.completions.create(chat), (e: unknown) =>
        e instanceof OpenAI.APIError && e.status === 503 && e.message.includes('busy'));
      assert.equal(d.requests.length, 2, 'x-should-retry: false stopped the retries');
    });

    it('dropAfterChunks: the stream fails mid-way; not a client disconnect', async () => {
      d.configure({ fault: { kind: 'dropAfterChunks', n: 3 } });
      let n = 0;
      await assert.rejects(async () => {
        for await (const c of await client.chat.completions.create({ ...chat, stream: true })) { void c; n++; }
      }, (e: Error) => !(e instanceof OpenAI.APIUserAbortError));
      assert.equal(n, 3);
      assert.equal(d.disconnects.length, 0);
      assert.equal(d.generations[0].completed, false);
    });

    it('malformedChunk: a data line that is not JSON fails the stream', async () => {
      d.configure({ fault: { kind: 'malformedChunk', afterChunks: 2 } });
      await assert.rejects(async () => {
        for await (const c of await client.chat.completions.create({ ...chat, stream: true })) void c;
      }, SyntaxError);
    });

    it('errorChunk: an error event mid-stream becomes an APIError', async () => {
      d.configure({ fault: { kind: 'errorChunk', afterChunks: 2, message: 'stream broke' } });
      await assert.rejects(async () => {
        for await (const c of await client.chat.completions.create({ ...chat, stream: true })) void c;
      }, (e: unknown) => e instanceof OpenAI.APIError && e.message.includes('stream broke'));
    });

    it('hang + client timeout -> APIConnectionTimeoutError, and the double sees the disconnect', async () => {
      d.configure({ fault: { kind: 'hang' } });
      await assert.rejects(make({ timeout: 80 }).chat.completions.create(chat), OpenAI.APIConnectionTimeoutError);
      await d.waitFor(() => d.disconnects.length === 1);
      assert.equal(d.disconnects[0].chunksSent, 0);
    });
  });

  describe('cancellation', () => {
    it('aborting mid-stream closes the connection: a disconnect is recorded and generation stops', async () => {
      d.configure({ schedule: { firstTokenMs: 0, perTokenMs: 15 }, respond: () => 'a b c d e f g h i j k l m n o p q r s t' });
      const ac = new AbortController();
      const stream = await client.chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } }, { signal: ac.signal });
      let n = 0;
      let sawUsage = false;
      try {
        for await (const c of stream) {
          if (c.usage) sawUsage = true;
          if (++n === 3) ac.abort();
        }
      } catch (e) {
        assert.ok(e instanceof OpenAI.APIUserAbortError || (e as Error).name === 'AbortError', String(e));
      }
      assert.equal(sawUsage, false, 'an interrupted stream never delivers usage');
      await d.waitFor(() => d.disconnects.length === 1);
      const disc = d.disconnects[0];
      assert.equal(disc.requestId, d.requests[0].requestId);
      assert.ok(disc.tokensSent >= 2 && disc.tokensSent < 20, `tokensSent ${disc.tokensSent}`);
      assert.equal(d.generations[0].aborted, true);
      assert.equal(d.activeGenerations, 0);
      assert.equal(d.pendingTimers, 0);
    });

    it('aborting before the answer -> APIUserAbortError and a disconnect', async () => {
      d.configure({ schedule: { firstTokenMs: 2000, perTokenMs: 0 } });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 40);
      await assert.rejects(client.chat.completions.create(chat, { signal: ac.signal }), OpenAI.APIUserAbortError);
      await d.waitFor(() => d.disconnects.length === 1);
      assert.equal(d.disconnects[0].path, '/v1/chat/completions');
      assert.equal(d.pendingTimers, 0, 'the first-token timer was cancelled');
    });
  });
});

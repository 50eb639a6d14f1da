// OpenAiChatBackend against a loopback server that speaks the Chat Completions streaming protocol,
// so every failure is a REAL openai SDK error (or a real undici one), not a hand-built object.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAiChatBackend, type OpenAiChatBackendOptions } from '../../../src/core/backends/openAiChatBackend';
import type { ChatMessage, RefactorRunResult } from '../../../src/core/shared/refactorBackend';
import { startOpenAiDouble, type OpenAiDouble, type OpenAiFault } from '../../doubles/openaiDouble';

const API_KEY = 'sk-test-0123456789abcdefSECRET';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: unknown) => void;

interface Seen {
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** Resolves when the server sees the client close the connection before the response ended. */
  closedEarly: Promise<boolean>;
}

interface TestServer {
  baseURL: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** Serves `handlers` in order, one per request; the last one repeats. */
async function startServer(handlers: Handler[]): Promise<TestServer> {
  const seen: Seen[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const closedEarly = new Promise<boolean>((resolve) => {
        res.on('close', () => resolve(!res.writableFinished));
      });
      seen.push({ body, headers: req.headers, closedEarly });
      const handler = handlers[Math.min(seen.length - 1, handlers.length - 1)];
      handler(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function chunk(delta: Record<string, unknown>, finish: string | null = null): string {
  const data = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-5.4-mini', choices: [{ index: 0, delta, finish_reason: finish }], usage: null };
  return `data: ${JSON.stringify(data)}\n\n`;
}

const USAGE = {
  prompt_tokens: 120,
  completion_tokens: 30,
  total_tokens: 150,
  prompt_tokens_details: { cached_tokens: 64 },
  completion_tokens_details: { reasoning_tokens: 8 },
};

function usageChunk(): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-5.4-mini', choices: [], usage: USAGE })}\n\n`;
}

function sseHead(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_abc123' });
}

/** A complete good stream: content in pieces, a finish, the usage chunk, [DONE]. */
function streamOk(pieces: string[], opts: { usage?: boolean; finish?: string } = {}): Handler {
  return (_req, res) => {
    sseHead(res);
    res.write(chunk({ role: 'assistant', content: '' }));
    for (const p of pieces) res.write(chunk({ content: p }));
    res.write(chunk({}, opts.finish ?? 'stop'));
    if (opts.usage !== false) res.write(usageChunk());
    res.end('data: [DONE]\n\n');
  };
}

function jsonError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_err', ...headers });
    res.end(JSON.stringify({ error }));
  };
}

const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'You are a refactoring tool.' },
  { role: 'user', content: 'Rename x to y:\n```ts\nconst x = 1;\n```' },
];

const estimateTokens = (t: string) => Math.ceil(t.length / 4);

function backend(baseURL: string, extra: Partial<OpenAiChatBackendOptions> = {}): { b: OpenAiChatBackend; waits: number[] } {
  const waits: number[] = [];
  const b = new OpenAiChatBackend({
    baseURL,
    apiKey: API_KEY,
    model: 'gpt-5.4-mini',
    maxOutputTokens: 512,
    timeoutMs: 5000,
    maxRateLimitRetries: 2,
    estimateTokens,
    // Records the wait instead of waiting; still honours the signal like the real one.
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { b, waits };
}

function assertNoSecret(result: RefactorRunResult): void {
  const text = JSON.stringify(result);
  assert.ok(!text.includes(API_KEY), `API key leaked: ${text}`);
  assert.ok(!text.includes('SECRET'), `part of the API key leaked: ${text}`);
}

describe('OpenAiChatBackend', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('streams the reply, reports progress and takes usage from the last chunk', async () => {
    server = await startServer([streamOk(['```ts\n', 'const y = 1;\n', '```'])]);
    const { b } = backend(server.baseURL, { reasoningEffort: 'low' });
    const progress: number[] = [];
    const r = await b.run(MESSAGES, new AbortController().signal, (n) => progress.push(n));
    assert.equal(r.kind, 'ok');
    assert.ok(r.kind === 'ok');
    assert.equal(r.text, '```ts\nconst y = 1;\n```');
    assert.equal(r.requestId, 'req_abc123');
    assert.deepEqual(r.usage, {
      model: 'gpt-5.4-mini', inputTokens: 120, cachedInputTokens: 64, outputTokens: 30, reasoningTokens: 8,
      requestId: 'req_abc123', source: 'reported',
    });
    assert.deepEqual(progress, [6, 19, 22]);
  });

  it('sends a streaming request with include_usage, the output cap, the effort and the key', async () => {
    server = await startServer([streamOk(['ok'])]);
    const { b } = backend(server.baseURL, { reasoningEffort: 'medium' });
    await b.run(MESSAGES, new AbortController().signal);
    const { body, headers } = server.seen[0];
    assert.equal(body.model, 'gpt-5.4-mini');
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.max_completion_tokens, 512);
    assert.equal(body.reasoning_effort, 'medium');
    assert.deepEqual(body.messages, MESSAGES);
    assert.equal(headers.authorization, `Bearer ${API_KEY}`);
  });

  it('leaves reasoning_effort out when no effort is set', async () => {
    server = await startServer([streamOk(['ok'])]);
    const { b } = backend(server.baseURL);
    await b.run(MESSAGES, new AbortController().signal);
    assert.ok(!('reasoning_effort' in server.seen[0].body));
  });

  it('estimates usage when the stream ends without the usage chunk', async () => {
    server = await startServer([streamOk(['const y = 1;'], { usage: false })]);
    const { b } = backend(server.baseURL);
    const r = await b.run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'ok', JSON.stringify(r));
    assert.equal(r.usage.source, 'estimated');
    assert.equal(r.usage.outputTokens, estimateTokens('const y = 1;'));
    const input = 3 + MESSAGES.reduce((n, m) => n + 3 + estimateTokens(m.content), 0);
    assert.equal(r.usage.inputTokens, input);
    assert.equal(r.usage.requestId, 'req_abc123');
  });

  describe('errors from real SDK responses', () => {
    const cases: { name: string; handlers: Handler[]; kind: string; action?: string; status?: number; requests: number; message: RegExp; usage: 'none' | 'zero' | 'estimated' }[] = [
      {
        name: '401 bad key',
        handlers: [jsonError(401, { message: `Incorrect API key provided: ${API_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' })],
        kind: 'unauthorized', action: 'setApiKey', status: 401, requests: 1, message: /rejected the API key/, usage: 'zero',
      },
      {
        name: '404 unknown model',
        handlers: [jsonError(404, { message: 'The model `gpt-nope` does not exist', code: 'model_not_found' })],
        kind: 'notFound', action: 'openSettings', status: 404, requests: 1, message: /gpt-5\.4-mini.*tandem\.cloud\.model/, usage: 'zero',
      },
      {
        name: '400 with the key echoed in the detail',
        handlers: [jsonError(400, { message: `Unsupported value 'minimal' for reasoning_effort (key ${API_KEY})` })],
        kind: 'badRequest', action: 'openSettings', status: 400, requests: 1, message: /Unsupported value 'minimal'/, usage: 'zero',
      },
      {
        name: '500',
        handlers: [jsonError(500, { message: 'The server had an error' })],
        kind: 'server', action: 'retry', status: 500, requests: 1, message: /server error \(500\)/, usage: 'zero',
      },
      {
        name: '429 every time: retried maxRateLimitRetries times, then a message',
        handlers: [jsonError(429, { message: 'Rate limit reached' }, { 'retry-after': '1' })],
        kind: 'rateLimited', action: 'retry', status: 429, requests: 3, message: /rate limiting/, usage: 'zero',
      },
      {
        name: '429 insufficient_quota: not retried',
        handlers: [jsonError(429, { message: 'You exceeded your current quota', code: 'insufficient_quota' })],
        kind: 'rateLimited', status: 429, requests: 1, message: /no quota left/, usage: 'zero',
      },
      {
        name: 'dropped connection mid-stream',
        handlers: [(_req, res) => {
          sseHead(res);
          res.write(chunk({ content: 'const y' }), () => setTimeout(() => res.socket?.destroy(), 20));
        }],
        kind: 'network', action: 'retry', requests: 1, message: /dropped/, usage: 'estimated',
      },
      {
        name: 'malformed chunk',
        handlers: [(_req, res) => {
          sseHead(res);
          res.write(chunk({ content: 'const y' }));
          res.end('data: {"choices": [ this is not json\n\n');
        }],
        kind: 'malformed', action: 'retry', requests: 1, message: /not valid streaming JSON/, usage: 'estimated',
      },
      {
        name: 'error event inside the stream',
        handlers: [(_req, res) => {
          sseHead(res);
          res.write(chunk({ content: 'const y' }));
          res.end(`data: ${JSON.stringify({ error: { message: 'The server is overloaded', type: 'server_error' } })}\n\n`);
        }],
        kind: 'server', action: 'retry', requests: 1, message: /overloaded/, usage: 'estimated',
      },
      {
        name: 'body ends cleanly without a finish_reason',
        handlers: [(_req, res) => {
          sseHead(res);
          res.end(chunk({ content: 'const y' }));
        }],
        kind: 'network', action: 'retry', requests: 1, message: /ended before it finished/, usage: 'estimated',
      },
      {
        name: 'finish_reason length',
        handlers: [streamOk(['```ts\nconst y'], { finish: 'length' })],
        kind: 'truncated', action: 'openSettings', requests: 1, message: /512-token limit/, usage: 'zero',
      },
    ];

    for (const c of cases) {
      it(c.name, async () => {
        server = await startServer(c.handlers);
        const { b } = backend(server.baseURL);
        const r = await b.run(MESSAGES, new AbortController().signal);
        assert.equal(r.kind, 'error', JSON.stringify(r));
        assert.ok(r.kind === 'error');
        assert.equal(r.error.kind, c.kind);
        assert.equal(r.error.action, c.action);
        assert.equal(r.error.status, c.status);
        assert.match(r.error.message, c.message);
        assert.equal(server.seen.length, c.requests);
        if (process.env.SHOW_MESSAGES) console.log(`      ${r.error.kind}: ${r.error.message}`);
        assertNoSecret(r);
        if (c.usage === 'none') assert.equal(r.usage, undefined);
        else if (c.usage === 'estimated') assert.equal(r.usage?.source, 'estimated');
        // 'zero': HTTP rejections spend nothing; finish 'length' reports its (real) usage instead.
        else if (c.kind === 'truncated') assert.deepEqual(r.usage?.source, 'reported');
        else assert.deepEqual([r.usage?.source, r.usage?.inputTokens, r.usage?.outputTokens], ['reported', 0, 0]);
      });
    }
  });

  it('retries a 429 after its Retry-After, then succeeds', async () => {
    server = await startServer([jsonError(429, { message: 'slow down' }, { 'retry-after': '0' }), jsonError(429, { message: 'slow down' }, { 'retry-after-ms': '250' }), streamOk(['done'])]);
    const { b, waits } = backend(server.baseURL);
    const r = await b.run(MESSAGES, new AbortController().signal);
    assert.equal(r.kind, 'ok');
    assert.deepEqual(waits, [0, 250]);
    assert.equal(server.seen.length, 3);
  });

  it('does not wait out a Retry-After longer than the cap', async () => {
    server = await startServer([jsonError(429, { message: 'slow down' }, { 'retry-after': '120' })]);
    const { b, waits } = backend(server.baseURL);
    const r = await b.run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'error');
    assert.match(r.error.message, /try again in about 120 s/);
    assert.deepEqual(waits, []);
  });

  it('cancelling during the 429 back-off ends the run at once', async () => {
    server = await startServer([jsonError(429, { message: 'slow down' }, { 'retry-after': '5' })]);
    const ac = new AbortController();
    // The real abortable sleep: cancelling must cut a 5 s wait short.
    const { b } = backend(server.baseURL, { sleep: undefined });
    const started = Date.now();
    setTimeout(() => ac.abort(), 50);
    const r = await b.run(MESSAGES, ac.signal);
    assert.equal(r.kind, 'cancelled');
    assert.ok(Date.now() - started < 2000, 'the back-off was not cut short');
    assert.equal(server.seen.length, 1);
  });

  it('times out a stream that stalls after its headers, with estimated usage', async () => {
    server = await startServer([(_req, res) => {
      sseHead(res);
      res.write(chunk({ content: 'const y' }));
    }]);
    const { b } = backend(server.baseURL, { timeoutMs: 200 });
    const r = await b.run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'error', JSON.stringify(r));
    assert.equal(r.error.kind, 'timeout');
    assert.equal(r.partialText, 'const y');
    assert.equal(r.usage?.source, 'estimated');
    assert.equal(await server.seen[0].closedEarly, true);
  });

  it('times out a server that never sends headers', async () => {
    server = await startServer([() => { /* never answers */ }]);
    const { b } = backend(server.baseURL, { timeoutMs: 200 });
    const r = await b.run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'error', JSON.stringify(r));
    assert.equal(r.error.kind, 'timeout');
    assert.equal(r.error.action, 'retry');
  });

  it('cancel mid-stream closes the connection, keeps the partial text and estimates usage', async () => {
    server = await startServer([(_req, res) => {
      sseHead(res);
      res.write(chunk({ content: 'const y = ' }));
      // ...and then keeps the stream open, as a model still generating would.
    }]);
    const { b } = backend(server.baseURL);
    const ac = new AbortController();
    const r = await b.run(MESSAGES, ac.signal, () => ac.abort());
    assert.equal(r.kind, 'cancelled');
    assert.ok(r.kind === 'cancelled');
    assert.equal(r.partialText, 'const y = ');
    assert.equal(r.usage?.source, 'estimated');
    assert.equal(await server.seen[0].closedEarly, true, 'the server did not see the connection close');
  });

  it('a refused connection is an offline failure with no usage (nothing reached a server)', async () => {
    const s = await startServer([streamOk(['x'])]);
    const baseURL = s.baseURL;
    await s.close();
    const { b } = backend(baseURL);
    const r = await b.run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'error');
    assert.equal(r.error.kind, 'offline');
    assert.match(r.error.message, /connection refused/);
    assert.equal(r.usage, undefined);
  });

  it('an empty key for api.openai.com fails before sending anything', async () => {
    const b = new OpenAiChatBackend({
      baseURL: 'https://api.openai.com/v1', apiKey: '  ', model: 'gpt-5.4-mini', maxOutputTokens: 100,
      timeoutMs: 1000, maxRateLimitRetries: 0, estimateTokens,
      clientFactory: () => assert.fail('no client should be built'),
    });
    const r = await b.run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'error');
    assert.deepEqual([r.error.kind, r.error.action], ['unauthorized', 'setApiKey']);
  });

  it('an already-aborted signal sends nothing', async () => {
    server = await startServer([streamOk(['x'])]);
    const { b } = backend(server.baseURL);
    const ac = new AbortController();
    ac.abort();
    const r = await b.run(MESSAGES, ac.signal);
    assert.deepEqual(r, { kind: 'cancelled', partialText: '' });
    assert.equal(server.seen.length, 0);
  });
});

// The same behaviours against the shared OpenAI double (test/doubles), which models the real API's
// error bodies and streaming shapes independently of the cases above.
describe('OpenAiChatBackend against the OpenAI double', () => {
  let double: OpenAiDouble;
  before(async () => {
    double = await startOpenAiDouble({ apiKey: API_KEY, strictModels: true, respond: () => '```ts\nconst y = 1;\n```' });
  });
  after(async () => {
    await double.close();
  });
  beforeEach(() => {
    double.reset();
    double.configure({ fault: { kind: 'none' }, schedule: { firstTokenMs: 0, perTokenMs: 0 } });
  });
  const make = (extra: Partial<OpenAiChatBackendOptions> = {}) => backend(`${double.url}/v1`, extra).b;

  it('ok, with reported usage and the request id', async () => {
    const r = await make().run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'ok', JSON.stringify(r));
    assert.equal(r.text, '```ts\nconst y = 1;\n```');
    assert.equal(r.usage.source, 'reported');
    assert.equal(r.requestId, double.requests[0].requestId);
  });

  const faults: { name: string; fault: OpenAiFault; apiKey?: string; model?: string; kind: string; usage?: 'reported' | 'estimated' }[] = [
    { name: 'wrong key', fault: { kind: 'none' }, apiKey: 'sk-wrong-key-0000000000000', kind: 'unauthorized', usage: 'reported' },
    { name: 'unknown model', fault: { kind: 'none' }, model: 'gpt-nope', kind: 'notFound', usage: 'reported' },
    { name: '503', fault: { kind: 'status', status: 503 }, kind: 'server', usage: 'reported' },
    { name: 'dropped after 2 chunks', fault: { kind: 'dropAfterChunks', n: 2 }, kind: 'network', usage: 'estimated' },
    { name: 'malformed chunk', fault: { kind: 'malformedChunk', afterChunks: 1 }, kind: 'malformed', usage: 'estimated' },
    { name: 'error chunk', fault: { kind: 'errorChunk', afterChunks: 1, message: 'upstream failed' }, kind: 'server', usage: 'estimated' },
    { name: 'hang', fault: { kind: 'hang' }, kind: 'timeout', usage: 'estimated' },
  ];
  for (const f of faults) {
    it(f.name, async () => {
      double.configure({ fault: f.fault });
      const r = await make({ timeoutMs: 300, ...(f.apiKey ? { apiKey: f.apiKey } : {}), ...(f.model ? { model: f.model } : {}) })
        .run(MESSAGES, new AbortController().signal);
      assert.ok(r.kind === 'error', JSON.stringify(r));
      assert.equal(r.error.kind, f.kind);
      assert.equal(r.usage?.source, f.usage);
      assertNoSecret(r);
      assert.ok(!JSON.stringify(r).includes('sk-wrong'), 'the wrong key leaked');
    });
  }

  it('a stream without the usage chunk yields estimated usage', async () => {
    double.configure({ fault: { kind: 'omitUsage' } });
    const r = await make().run(MESSAGES, new AbortController().signal);
    assert.ok(r.kind === 'ok');
    assert.equal(r.usage.source, 'estimated');
  });

  it('one 429 is retried and then succeeds', async () => {
    double.configure({ fault: { kind: 'status', status: 429, times: 1 } });
    const { b, waits } = backend(`${double.url}/v1`);
    const r = await b.run(MESSAGES, new AbortController().signal);
    assert.equal(r.kind, 'ok');
    assert.deepEqual(waits, [1000]);
    assert.equal(double.requests.length, 2);
  });

  it('cancel mid-stream: the double sees the client go away', async () => {
    double.configure({ schedule: { firstTokenMs: 0, perTokenMs: 40 } });
    const ac = new AbortController();
    const r = await make().run(MESSAGES, ac.signal, () => ac.abort());
    assert.equal(r.kind, 'cancelled');
    await double.waitFor(() => double.disconnects.length === 1);
    assert.equal(double.activeGenerations, 0);
  });
});

// A loopback stand-in for the OpenAI API (and for OpenAI-compatible local servers such as
// llama.cpp server or vLLM on /v1/completions). Shapes follow the API reference for
// chat.completion / chat.completion.chunk / text_completion and the error codes page
// (platform.openai.com/docs/guides/error-codes); the tests drive it through the real openai SDK.
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import {
  defaultTokenize, deterministicReply, listenLoopback, onClientGone, readBody, sendJson, Timers, truncateOutput, waitUntil,
} from './httpUtil';
import type { TokenSchedule } from './httpUtil';

export type { TokenSchedule } from './httpUtil';

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export type OpenAiFault =
  | { kind: 'none' }
  /** An HTTP error; after `times` such answers the double serves normally again. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string>; times?: number }
  /** The socket is destroyed after n SSE events (a non-streamed request gets no answer at all). */
  | { kind: 'dropAfterChunks'; n: number }
  /** After this many SSE events, `data: {not json` and the end of the body. */
  | { kind: 'malformedChunk'; afterChunks: number }
  /** After this many SSE events, `data: {"error": {...}}` as the API sends for a failure mid-stream. */
  | { kind: 'errorChunk'; afterChunks: number; message: string }
  /** The request is read but nothing is ever answered. */
  | { kind: 'hang' }
  /** The whole body is read, then the TCP connection is reset (RST) before any status line. */
  | { kind: 'resetAfterBody' }
  /** The stream ends without the usage chunk even when include_usage asked for it. */
  | { kind: 'omitUsage' };

export interface RecordedOpenAiRequest {
  method: string;
  path: string;
  /** Lower-cased by node:http; `authorization` is here, so tests can check where a key went. */
  headers: http.IncomingHttpHeaders;
  // The wire body is untyped JSON by nature; tests read whichever fields they care about.
  body: any;
  /** Sent back as the x-request-id header. */
  requestId: string;
  receivedAt: number;
  /** The HTTP status answered, once headers are sent. */
  status?: number;
}

export interface OpenAiDisconnect {
  path: string;
  requestId: string;
  /** SSE data events written before the client went away. */
  chunksSent: number;
  tokensSent: number;
  at: number;
}

export interface OpenAiGeneration {
  request: RecordedOpenAiRequest;
  tokensSent: number;
  chunksSent: number;
  completed: boolean;
  aborted: boolean;
}

export interface OpenAiDoubleOptions {
  /** Listed by /v1/models. Default ['gpt-5.4-mini', 'gpt-5.4-nano']. */
  models?: string[];
  /** When true, a model not in `models` gets 404 model_not_found. Default false (local servers accept any name). */
  strictModels?: boolean;
  /** When set, any other bearer token gets 401 invalid_api_key. Default: any key is accepted. */
  apiKey?: string;
  /** Default { firstTokenMs: 0, perTokenMs: 0 }; loadMs is ignored. */
  schedule?: TokenSchedule;
  /** The full text the model "would" produce, before max_tokens and stop apply. Default: deterministicReply(last message or prompt). */
  respond?: (req: RecordedOpenAiRequest) => string;
  tokenize?: (text: string) => string[];
  /** Overrides the usage numbers; by default prompt tokens are estimated from length and completion tokens counted. */
  usage?: (req: RecordedOpenAiRequest, completion: { text: string; tokens: number }) => Partial<OpenAiUsage>;
  fault?: OpenAiFault;
  /** Paths the fault applies to. Default ['/v1/chat/completions', '/v1/completions']. */
  faultPaths?: string[];
  /** Listen on this port (default: any free one). */
  port?: number;
}

export interface OpenAiDouble {
  /** Without /v1: clients use `${url}/v1` as baseURL. */
  url: string;
  port: number;
  requests: RecordedOpenAiRequest[];
  generations: OpenAiGeneration[];
  disconnects: OpenAiDisconnect[];
  configure(opts: Partial<OpenAiDoubleOptions>): void;
  /** Clears the records and the fault's `times` counter. */
  reset(): void;
  readonly activeGenerations: number;
  /** Token timers still scheduled; 0 once every generation has ended or been cut off. */
  readonly pendingTimers: number;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function errorBody(message: string, type: string, code: string | null, param: string | null = null): unknown {
  return { error: { message, type, param, code } };
}

/** What the API answers for each status when a fault gives no body of its own. */
function defaultFaultBody(status: number, model: string): { body: unknown; headers: Record<string, string> } {
  switch (status) {
    case 400: return { body: errorBody('Invalid request.', 'invalid_request_error', null), headers: {} };
    case 401: return { body: errorBody('Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.', 'invalid_request_error', 'invalid_api_key'), headers: {} };
    case 403: return { body: errorBody('Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'), headers: {} };
    case 404: return { body: errorBody(`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'), headers: {} };
    case 429: return {
      body: errorBody(`Rate limit reached for ${model} in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s.`, 'requests', 'rate_limit_exceeded'),
      headers: { 'retry-after': '1' },
    };
    case 500: return { body: errorBody('The server had an error while processing your request. Sorry about that!', 'server_error', null), headers: {} };
    case 503: return { body: errorBody('The engine is currently overloaded, please try again later.', 'server_error', null), headers: {} };
    default: return { body: errorBody(`Error ${status}`, 'api_error', null), headers: {} };
  }
}

function maskKey(key: string): string {
  return key.length <= 8 ? key : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

/** About four characters per token: the usual rule of thumb for English and code. */
const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

function messageText(content: any): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

function promptOf(body: any): { last: string; all: string } {
  if (Array.isArray(body?.messages)) {
    const texts = body.messages.map((m: { content?: unknown }) => messageText(m?.content));
    return { last: texts[texts.length - 1] ?? '', all: texts.join('\n') };
  }
  const p = Array.isArray(body?.prompt) ? String(body.prompt[0] ?? '') : typeof body?.prompt === 'string' ? body.prompt : '';
  return { last: p, all: p };
}

export async function startOpenAiDouble(initial: OpenAiDoubleOptions = {}): Promise<OpenAiDouble> {
  let opts: OpenAiDoubleOptions = { ...initial };
  let faultHits = 0;
  let active = 0;
  const timers = new Timers();
  const requests: RecordedOpenAiRequest[] = [];
  const generations: OpenAiGeneration[] = [];
  const disconnects: OpenAiDisconnect[] = [];

  const send = (rec: RecordedOpenAiRequest, res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    rec.status = status;
    sendJson(res, status, body, { 'x-request-id': rec.requestId, ...headers }, 'application/json');
  };

  /** The fault to act on for this request, counting toward `times`. */
  const takeFault = (path: string): OpenAiFault => {
    const f = opts.fault ?? { kind: 'none' };
    if (f.kind === 'none' || !(opts.faultPaths ?? ['/v1/chat/completions', '/v1/completions']).includes(path)) return { kind: 'none' };
    if (f.kind === 'status' && f.times !== undefined && faultHits >= f.times) return { kind: 'none' };
    faultHits++;
    return f;
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void (async () => {
      const receivedAt = Date.now();
      const parsed = await readBody(req);
      const path = (req.url ?? '/').split('?')[0];
      const rec: RecordedOpenAiRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body: parsed.kind === 'json' ? parsed.value : parsed.kind === 'invalid' ? parsed.raw : undefined,
        requestId: `req_${randomUUID().replace(/-/g, '')}`,
        receivedAt,
      };
      requests.push(rec);

      // Authentication comes first at the real API, before routing and validation.
      const auth = req.headers.authorization;
      if (opts.apiKey !== undefined) {
        if (!auth) {
          return send(rec, res, 401, errorBody("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.", 'invalid_request_error', null));
        }
        const given = auth.replace(/^Bearer\s+/i, '');
        if (given !== opts.apiKey) {
          return send(rec, res, 401, errorBody(`Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key'));
        }
      }

      const route = `${rec.method} ${path}`;
      if (route === 'GET /v1/models') {
        return send(rec, res, 200, {
          object: 'list',
          data: (opts.models ?? ['gpt-5.4-mini', 'gpt-5.4-nano']).map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })),
        });
      }
      if (route !== 'POST /v1/chat/completions' && route !== 'POST /v1/completions') {
        return send(rec, res, 404, errorBody(`Invalid URL (${rec.method} ${path})`, 'invalid_request_error', null));
      }
      if (parsed.kind !== 'json' || typeof rec.body !== 'object' || rec.body === null) {
        return send(rec, res, 400, errorBody("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)", 'invalid_request_error', null));
      }
      const body = rec.body;
      const isChat = path === '/v1/chat/completions';
      if (typeof body.model !== 'string' || body.model === '') {
        return send(rec, res, 400, errorBody('you must provide a model parameter', 'invalid_request_error', null));
      }
      if (isChat && !Array.isArray(body.messages)) {
        return send(rec, res, 400, errorBody("Missing required parameter: 'messages'.", 'invalid_request_error', 'missing_required_parameter', 'messages'));
      }
      if (!isChat && body.prompt === undefined) {
        return send(rec, res, 400, errorBody("Missing required parameter: 'prompt'.", 'invalid_request_error', 'missing_required_parameter', 'prompt'));
      }
      if (opts.strictModels && !(opts.models ?? ['gpt-5.4-mini', 'gpt-5.4-nano']).includes(body.model)) {
        return send(rec, res, 404, defaultFaultBody(404, body.model).body);
      }

      const f = takeFault(path);
      if (f.kind === 'status') {
        const d = defaultFaultBody(f.status, body.model);
        return send(rec, res, f.status, f.body ?? d.body, f.headers ?? d.headers);
      }
      generate(rec, res, isChat, f);
    })();
  };

  function generate(rec: RecordedOpenAiRequest, res: http.ServerResponse, isChat: boolean, f: OpenAiFault): void {
    const body = rec.body;
    const gen: OpenAiGeneration = { request: rec, tokensSent: 0, chunksSent: 0, completed: false, aborted: false };
    generations.push(gen);
    let pending: { cancel(): void } | undefined;
    let cut = false;
    let finished = false;
    active++;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      active--;
      pending?.cancel();
    };
    onClientGone(res, () => cut, () => {
      if (gen.completed) return;
      gen.aborted = true;
      disconnects.push({ path: rec.path, requestId: rec.requestId, chunksSent: gen.chunksSent, tokensSent: gen.tokensSent, at: Date.now() });
      finish();
    });
    if (f.kind === 'hang') return;
    if (f.kind === 'resetAfterBody') {
      cut = true;
      finish();
      res.socket?.resetAndDestroy();
      return;
    }

    const tokenize = opts.tokenize ?? defaultTokenize;
    const prompt = promptOf(body);
    const fullText = (opts.respond ?? ((r: RecordedOpenAiRequest) => deterministicReply(promptOf(r.body).last)))(rec);
    const maxTokens = isChat ? body.max_completion_tokens ?? body.max_tokens : body.max_tokens;
    const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
    const { tokens, finish: finishReason } = truncateOutput(fullText, tokenize, { stop, maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined });
    const stream = body.stream === true;
    const includeUsage = stream && body.stream_options?.include_usage === true;
    const schedule = opts.schedule ?? { firstTokenMs: 0, perTokenMs: 0 };
    const id = isChat ? `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}` : `cmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const created = Math.floor(Date.now() / 1000);
    const model: string = body.model;

    const usage = (): OpenAiUsage => {
      const text = tokens.join('');
      const base: OpenAiUsage = {
        prompt_tokens: estimateTokens(prompt.all),
        completion_tokens: tokens.length,
        total_tokens: 0,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      };
      const over = opts.usage?.(rec, { text, tokens: tokens.length }) ?? {};
      const u = { ...base, ...over };
      u.total_tokens = over.total_tokens ?? u.prompt_tokens + u.completion_tokens;
      return u;
    };
    const head = { id, object: isChat ? 'chat.completion.chunk' : 'text_completion', created, model };
    // With include_usage every chunk carries `usage: null` except the final usage chunk.
    const withUsageNull = (o: Record<string, unknown>): Record<string, unknown> => (includeUsage ? { ...o, usage: null } : o);
    const contentChunk = (text: string, first: boolean): Record<string, unknown> => withUsageNull(isChat
      ? { ...head, service_tier: 'default', system_fingerprint: null, choices: [{ index: 0, delta: first ? { role: 'assistant', content: text, refusal: null } : { content: text }, logprobs: null, finish_reason: null }] }
      : { ...head, choices: [{ text, index: 0, logprobs: null, finish_reason: null }] });
    const finishChunk = (): Record<string, unknown> => withUsageNull(isChat
      ? { ...head, service_tier: 'default', system_fingerprint: null, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }] }
      : { ...head, choices: [{ text: '', index: 0, logprobs: null, finish_reason: finishReason }] });

    const writeEvent = (data: string): void => {
      if (!res.headersSent) {
        rec.status = 200;
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'x-request-id': rec.requestId });
      }
      res.write(`data: ${data}\n\n`);
    };
    /** Acts on a chunk-counting fault; true when the stream must not continue. */
    const faultBeforeChunk = (): boolean => {
      if (f.kind === 'dropAfterChunks' && gen.chunksSent >= f.n) {
        cut = true;
        finish();
        res.destroy();
        return true;
      }
      if (f.kind === 'malformedChunk' && gen.chunksSent >= f.afterChunks) {
        writeEvent('{not json');
        finish();
        res.end();
        return true;
      }
      if (f.kind === 'errorChunk' && gen.chunksSent >= f.afterChunks) {
        writeEvent(JSON.stringify(errorBody(f.message, 'server_error', null)));
        finish();
        res.end();
        return true;
      }
      return false;
    };
    const emit = (obj: unknown): boolean => {
      if (faultBeforeChunk()) return false;
      writeEvent(JSON.stringify(obj));
      gen.chunksSent++;
      return true;
    };

    let i = 0;
    const streamStep = (): void => {
      if (finished) return;
      // The API opens a chat stream with a chunk that carries only the role and empty content;
      // /v1/completions has no role.
      if (isChat && gen.chunksSent === 0 && !emit(contentChunk('', true))) return;
      if (i < tokens.length) {
        if (!emit(contentChunk(tokens[i], false))) return;
        i++;
        gen.tokensSent = i;
        pending = timers.after(schedule.perTokenMs, streamStep);
        return;
      }
      if (!emit(finishChunk())) return;
      if (includeUsage && f.kind !== 'omitUsage') {
        if (!emit({ ...head, ...(isChat ? { service_tier: 'default', system_fingerprint: null } : {}), choices: [], usage: usage() })) return;
      }
      if (faultBeforeChunk()) return;
      res.write('data: [DONE]\n\n');
      gen.completed = true;
      finish();
      res.end();
    };

    const wholeStep = (): void => {
      if (finished) return;
      if (i < tokens.length) {
        i++;
        gen.tokensSent = i;
        pending = timers.after(schedule.perTokenMs, wholeStep);
        return;
      }
      if (f.kind === 'dropAfterChunks') {
        cut = true;
        finish();
        res.destroy();
        return;
      }
      if (f.kind === 'malformedChunk') {
        finish();
        rec.status = 200;
        res.writeHead(200, { 'Content-Type': 'application/json', 'x-request-id': rec.requestId });
        res.end('{not json');
        return;
      }
      const text = tokens.join('');
      const u = f.kind === 'omitUsage' ? {} : { usage: usage() };
      gen.completed = true;
      finish();
      send(rec, res, 200, isChat
        ? {
          id, object: 'chat.completion', created, model,
          choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: finishReason }],
          ...u, service_tier: 'default', system_fingerprint: null,
        }
        : { id, object: 'text_completion', created, model, choices: [{ text, index: 0, logprobs: null, finish_reason: finishReason }], ...u });
    };

    pending = timers.after(schedule.firstTokenMs, stream ? streamStep : wholeStep);
  }

  const srv = await listenLoopback(handler, initial.port ?? 0);
  return {
    url: srv.url,
    port: srv.port,
    requests,
    generations,
    disconnects,
    configure(next) {
      if ('fault' in next) faultHits = 0;
      opts = { ...opts, ...next };
    },
    reset() {
      requests.length = 0;
      generations.length = 0;
      disconnects.length = 0;
      faultHits = 0;
    },
    get activeGenerations() {
      return active;
    },
    get pendingTimers() {
      return timers.pending;
    },
    waitFor(predicate, timeoutMs) {
      return waitUntil(predicate, timeoutMs, 'openai double condition');
    },
    async close() {
      timers.cancelAll();
      await srv.close();
    },
  };
}

// A loopback double of a team's shared inference server: vLLM's OpenAI-compatible API
// (`vllm serve <model> --enable-prefix-caching --api-key KEY`), with the capacity of one GPU
// (vllmCapacity.ts) driving when every token is written. Spoken as vLLM speaks it:
// - `--api-key`: every /v1 path needs `Authorization: Bearer KEY`, else 401 `{"error":"Unauthorized"}`;
// - GET /v1/models lists the served model; GET /health answers 200;
// - POST /v1/completions, streaming as server-sent events (`data: {...}` chunks of
//   `object: "text_completion"`, then `data: [DONE]`), with a final chunk carrying `usage`
//   (`choices: []`, as with stream_options.include_usage or --enable-force-include-usage),
//   including `prompt_tokens_details.cached_tokens` from the prefix cache; non-streaming too;
// - an unknown model is 404 with vLLM's error object; a request beyond capacity with overload
//   'reject' is 429 (what a proxy's parallel-request limit answers; vLLM itself queues);
// - a client that disconnects leaves the batch at once (vLLM aborts the request).
import * as http from 'node:http';
import {
  defaultTokenize, deterministicReply, listenLoopback, readBody, sendJson, Timers, truncateOutput,
} from './httpUtil';
import { CapacityModel, ONE_GPU, type CapacityConfig, type Sequence } from './vllmCapacity';

export interface VllmDoubleOptions {
  /** --served-model-name. Default 'Qwen/Qwen2.5-Coder-1.5B'. */
  model?: string;
  /** --api-key; without it every request is accepted. */
  apiKey?: string;
  capacity?: Partial<CapacityConfig>;
  /** The full text the model "would" produce for a prompt, before stop strings and max_tokens. */
  respond?: (prompt: string) => string;
  tokenize?: (text: string) => string[];
  port?: number;
}

export interface VllmRequestRecord {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  receivedAt: number;
  status?: number;
  promptTokens?: number;
  cachedTokens?: number;
  completionTokens?: number;
  firstTokenAt?: number;
  finishedAt?: number;
  aborted?: boolean;
}

export interface VllmDouble {
  url: string;
  port: number;
  readonly requests: VllmRequestRecord[];
  readonly model: CapacityModel;
  /** Change the key (or remove it) while running, as an operator restarting vLLM would. */
  setApiKey(key: string | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_VLLM_MODEL = 'Qwen/Qwen2.5-Coder-1.5B';

interface Live {
  seq: Sequence;
  tokens: string[];
  rec: VllmRequestRecord;
  res: http.ServerResponse;
  stream: boolean;
  id: string;
  created: number;
  finish: 'stop' | 'length';
  text: string;
}

export async function startVllmDouble(opts: VllmDoubleOptions = {}): Promise<VllmDouble> {
  const servedModel = opts.model ?? DEFAULT_VLLM_MODEL;
  let apiKey = opts.apiKey;
  let capacity = new CapacityModel({ ...ONE_GPU, ...opts.capacity });
  const tokenize = opts.tokenize ?? defaultTokenize;
  const respond = opts.respond ?? deterministicReply;
  const timers = new Timers();
  const requests: VllmRequestRecord[] = [];
  const live = new Map<Sequence, Live>();
  let stepping = false;
  let reqSeq = 0;

  /** The engine loop: one step at a time while anything runs or waits; idle otherwise. */
  const kick = (): void => {
    if (stepping) return;
    const r = capacity.step();
    if (r.batchSize === 0) return;
    stepping = true;
    timers.after(r.durationMs, () => {
      stepping = false;
      const now = Date.now();
      for (const seq of r.emitted) {
        const l = live.get(seq);
        if (!l) continue;
        const tok = l.tokens[seq.emitted - 1] ?? '';
        l.rec.firstTokenAt ??= now;
        l.text += tok;
        if (l.stream) writeChunk(l, tok, null);
      }
      for (const seq of r.finished) {
        const l = live.get(seq);
        if (l) finish(l, now);
      }
      kick();
    });
  };

  const finish = (l: Live, now: number): void => {
    live.delete(l.seq);
    l.rec.finishedAt = now;
    l.rec.completionTokens = l.seq.emitted;
    const usage = {
      prompt_tokens: l.seq.promptTokens,
      completion_tokens: l.seq.emitted,
      total_tokens: l.seq.promptTokens + l.seq.emitted,
      prompt_tokens_details: { cached_tokens: l.seq.cachedTokens },
    };
    if (!l.stream) {
      l.rec.status = 200;
      return sendJson(l.res, 200, {
        id: l.id, object: 'text_completion', created: l.created, model: servedModel,
        choices: [{ index: 0, text: l.text, logprobs: null, finish_reason: l.finish, stop_reason: null }], usage,
      });
    }
    writeChunk(l, '', l.finish);
    l.res.write(`data: ${JSON.stringify({ id: l.id, object: 'text_completion', created: l.created, model: servedModel, choices: [], usage })}\n\n`);
    l.res.end('data: [DONE]\n\n');
  };

  const writeChunk = (l: Live, text: string, finishReason: string | null): void => {
    l.res.write(`data: ${JSON.stringify({
      id: l.id, object: 'text_completion', created: l.created, model: servedModel,
      choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason, stop_reason: null }], usage: null,
    })}\n\n`);
  };

  const vllmError = (res: http.ServerResponse, rec: VllmRequestRecord, status: number, type: string, message: string): void => {
    rec.status = status;
    sendJson(res, status, { object: 'error', message, type, param: null, code: status });
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      const rec: VllmRequestRecord = { method: req.method ?? 'GET', path, headers: req.headers, receivedAt: Date.now() };
      requests.push(rec);
      const parsed = await readBody(req);
      if (path === '/health') {
        rec.status = 200;
        res.writeHead(200).end();
        return;
      }
      // vLLM's --api-key middleware guards every /v1 route with exactly this answer.
      if (apiKey !== undefined && path.startsWith('/v1') && req.headers.authorization !== `Bearer ${apiKey}`) {
        rec.status = 401;
        return sendJson(res, 401, { error: 'Unauthorized' });
      }
      if (req.method === 'GET' && path === '/v1/models') {
        rec.status = 200;
        return sendJson(res, 200, {
          object: 'list',
          data: [{ id: servedModel, object: 'model', created: 1_764_547_200, owned_by: 'vllm', root: servedModel, parent: null, max_model_len: 32768, permission: [] }],
        });
      }
      if (req.method !== 'POST' || path !== '/v1/completions') {
        rec.status = 404;
        return sendJson(res, 404, { detail: 'Not Found' });
      }
      if (parsed.kind !== 'json' || typeof parsed.value !== 'object' || parsed.value === null) {
        return vllmError(res, rec, 400, 'BadRequestError', 'Invalid JSON body');
      }
      // The wire body is untyped JSON by nature.
      const body = parsed.value as { model?: unknown; prompt?: unknown; max_tokens?: unknown; stop?: unknown; stream?: unknown };
      if (body.model !== servedModel) {
        return vllmError(res, rec, 404, 'NotFoundError', `The model \`${String(body.model)}\` does not exist.`);
      }
      if (typeof body.prompt !== 'string') return vllmError(res, rec, 400, 'BadRequestError', 'prompt must be a string');
      const promptTokens = tokenize(body.prompt);
      const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s): s is string => typeof s === 'string') : [];
      const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 16; // vLLM's default for /v1/completions
      const out = truncateOutput(respond(body.prompt), tokenize, { stop, maxTokens });
      const admission = capacity.admit(promptTokens, out.tokens.length);
      if (admission.kind === 'refused') {
        return vllmError(res, rec, 429, 'RateLimitError', 'Too many concurrent requests: the server is at capacity. Retry later.');
      }
      const seq = admission.seq;
      rec.promptTokens = seq.promptTokens;
      const l: Live = {
        seq, tokens: out.tokens, rec, res, stream: body.stream === true, id: `cmpl-${++reqSeq}`,
        created: Math.floor(Date.now() / 1000), finish: out.finish, text: '',
      };
      live.set(seq, l);
      if (l.stream) {
        rec.status = 200;
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      }
      res.on('close', () => {
        if (live.has(seq)) {
          live.delete(seq);
          rec.aborted = true;
          capacity.abort(seq);
        }
      });
      // cachedTokens is known once the sequence runs (queued ones learn it when they start).
      Object.defineProperty(rec, 'cachedTokens', { get: () => seq.cachedTokens, enumerable: true });
      kick();
    })();
  };

  const server = await listenLoopback(handler, opts.port ?? 0);
  return {
    url: server.url,
    port: server.port,
    requests,
    get model() {
      return capacity;
    },
    setApiKey(key) {
      apiKey = key;
    },
    reset() {
      requests.length = 0;
      capacity = new CapacityModel({ ...ONE_GPU, ...opts.capacity });
      live.clear();
      stepping = false;
      timers.cancelAll();
    },
    async close() {
      timers.cancelAll();
      await server.close();
    },
  };
}

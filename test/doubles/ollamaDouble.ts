// A loopback stand-in for the Ollama server (0.12.x wire protocol), for unit, integration and
// benchmark runs without a model. Request handling follows server/routes.go of ollama/ollama:
// the order of checks (unknown model -> unload -> capabilities -> load), the error wording, NDJSON
// framing with headers sent together with the first token, and metrics in nanoseconds.
import type * as http from 'node:http';
import {
  defaultTokenize, deterministicReply, fnv1a, listenLoopback, onClientGone, readBody, sendJson, sendText,
  Timers, truncateOutput, waitUntil,
} from './httpUtil';
import type { TokenSchedule } from './httpUtil';
import { renderPrompt, ServerSlot, type PromptPlan, type ServerProfile } from './serverCost';

export type { TokenSchedule } from './httpUtil';

export interface OllamaModelSpec {
  name: string;
  /** Default: derived from the template like the real server (`.Suffix` -> insert), else ['completion', 'insert']. */
  capabilities?: string[];
  template?: string;
  family?: string;
}

export type OllamaFault =
  | { kind: 'none' }
  /** 200 NDJSON whose lines are not JSON, then the end of the body without a `done` line. */
  | { kind: 'garbage' }
  /** The socket is destroyed after this many tokens (a crashed runner or a dropped proxy). */
  | { kind: 'cutMidStream'; afterTokens: number }
  /** `{"error": message}` as an NDJSON line after this many tokens, as the server does when the runner fails. */
  | { kind: 'errorLine'; afterTokens: number; message: string }
  /** An HTTP error before any content. */
  | { kind: 'status'; status: number; message: string }
  /** The request is read but no header is ever sent. */
  | { kind: 'hang' };

export interface RecordedOllamaRequest {
  method: string;
  path: string;
  // The wire body is untyped JSON by nature; tests read whichever fields they care about.
  body: any;
  headers: http.IncomingHttpHeaders;
  receivedAt: number;
}

export interface OllamaDoubleOptions {
  /** Default [{ name: 'qwen2.5-coder:1.5b-base' }]. */
  models?: OllamaModelSpec[];
  /** Default { firstTokenMs: 0, perTokenMs: 0 }. */
  schedule?: TokenSchedule;
  /** The full text the model "would" produce, before num_predict and stop apply. Default: deterministicReply(prompt). */
  respond?: (req: RecordedOllamaRequest) => string;
  /** How text is cut into streamed tokens. Default: defaultTokenize. */
  tokenize?: (text: string) => string[];
  /** Overrides the counts the final chunk reports (default: the prompt's tokens and the tokens sent). */
  counts?: (req: RecordedOllamaRequest) => { prompt_eval_count?: number; eval_count?: number };
  fault?: OllamaFault;
  /** Paths the fault applies to. Default ['/api/generate', '/api/chat']. */
  faultPaths?: string[];
  /** Reported by /api/version. Default '0.12.6'. */
  version?: string;
  /** Listen on this port (default: any free one); to restart a double where an earlier one was. */
  port?: number;
  /**
   * Ollama behind an auth proxy (a team server): every request needs `Authorization: Bearer` this
   * token, else 401 `{"error":"unauthorized"}` as the proxy answers.
   */
  requireBearer?: string;
  /**
   * Charge like a real one-slot server (serverCost.ts): requests run one at a time, the first
   * token waits for base + uncached prompt tokens / prompt rate, tokens then follow every
   * perTokenMs. Replaces `schedule` (except loadMs). Default: none (free prompts, no queue).
   */
  server?: ServerProfile;
}

export interface OllamaDisconnect {
  path: string;
  model: string;
  tokensSent: number;
  at: number;
}

export interface OllamaGeneration {
  /** 1, 2, ... in arrival order: what a benchmark maps ghost text back to. */
  id: number;
  request: RecordedOllamaRequest;
  tokensSent: number;
  completed: boolean;
  aborted: boolean;
  /** The prompt as the model saw it (template applied). */
  renderedPrompt: string;
  /** The text the double meant to stream (after stop strings and num_predict). */
  tokens: string[];
  /** When each streamed token was written (ms since epoch). */
  tokenTimes: number[];
  /** When the slot was granted (= receivedAt without a server profile). */
  startedAt?: number;
  firstTokenAt?: number;
  endedAt?: number;
  /** With a server profile: the prompt's cost. */
  promptTokens?: number;
  cachedTokens?: number;
  /** base + uncached prompt tokens / rate: how long after the slot was granted the first token was due. */
  firstTokenDueMs?: number;
  /** When the slot was free again (later than endedAt for an abort during prompt processing). */
  slotReleasedAt?: number;
  /** Uncached prompt tokens actually processed (less than uncached when aborted during the prompt). */
  processedTokens?: number;
}

export interface OllamaDouble {
  url: string;
  port: number;
  requests: RecordedOllamaRequest[];
  generations: OllamaGeneration[];
  disconnects: OllamaDisconnect[];
  configure(opts: Partial<OllamaDoubleOptions>): void;
  /** Clears the records (requests, generations, disconnects). */
  reset(): void;
  /** Forgets which models are loaded, so the next request pays loadMs again. */
  unloadAll(): void;
  /** Generations whose timers are still running. */
  readonly activeGenerations: number;
  /** Token timers still scheduled; 0 once every generation has ended or been cut off. */
  readonly pendingTimers: number;
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_MODEL = 'qwen2.5-coder:1.5b-base';
const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
// The FIM branch of the qwen2.5-coder template in the Ollama library; `.Suffix` is what makes the
// server report the `insert` capability.
const FIM_TEMPLATE = '{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{- else }}{{ .Prompt }}{{- end }}';
const PLAIN_TEMPLATE = '{{ .Prompt }}';

interface ResolvedModel {
  spec: OllamaModelSpec;
  /** As the server names it in errors: registry.ollama.ai/library/name:tag. */
  fullName: string;
  shortName: string;
  capabilities: string[];
  template: string;
  family: string;
  parameterSize: string;
  digest: string;
  modifiedAt: string;
}

/**
 * Ollama model names default the host, namespace and tag: "qwen2.5-coder" is
 * "registry.ollama.ai/library/qwen2.5-coder:latest". Matching is case-insensitive, as in
 * getExistingName.
 */
export function fullModelName(name: string): string {
  let rest = name.trim();
  let tag = 'latest';
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  if (parts.length === 1) parts.unshift('registry.ollama.ai', 'library');
  else if (parts.length === 2) parts.unshift('registry.ollama.ai');
  return `${parts.join('/')}:${tag}`;
}

function shortModelName(name: string): string {
  const full = fullModelName(name);
  return full.startsWith('registry.ollama.ai/library/') ? full.slice('registry.ollama.ai/library/'.length) : full;
}

function resolveModel(spec: OllamaModelSpec): ResolvedModel {
  const template = spec.template ?? (spec.capabilities && !spec.capabilities.includes('insert') ? PLAIN_TEMPLATE : FIM_TEMPLATE);
  const capabilities = spec.capabilities ?? (spec.template === undefined || template.includes('.Suffix') ? ['completion', 'insert'] : ['completion']);
  const base = shortModelName(spec.name).split(':')[0].split('/').pop() ?? spec.name;
  const size = /(\d+(?:\.\d+)?)b\b/i.exec(spec.name);
  const d1 = fnv1a(spec.name).toString(16).padStart(8, '0');
  const d2 = fnv1a(`${spec.name}#`).toString(16).padStart(8, '0');
  return {
    spec,
    fullName: fullModelName(spec.name),
    shortName: shortModelName(spec.name),
    capabilities,
    template,
    family: spec.family ?? (base.startsWith('qwen2') ? 'qwen2' : base.replace(/[-.:].*$/, '')),
    parameterSize: size ? `${size[1]}B` : '7B',
    digest: d1.repeat(4) + d2.repeat(4),
    modifiedAt: '2025-01-01T00:00:00Z',
  };
}

/**
 * keep_alive as the server's api.Duration reads it: a number is seconds, a string is a Go duration
 * ("5m", "1h30m", "300ms"); anything negative means "forever". Returns ms, Infinity, or an error.
 */
export function parseKeepAlive(v: unknown): { kind: 'ok'; ms: number } | { kind: 'invalid'; message: string } {
  if (v === undefined || v === null) return { kind: 'ok', ms: DEFAULT_KEEP_ALIVE_MS };
  if (typeof v === 'number') return { kind: 'ok', ms: v < 0 ? Infinity : v * 1000 };
  if (typeof v !== 'string') return { kind: 'invalid', message: 'json: cannot unmarshal keep_alive' };
  const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const m = /^([+-]?)((?:\d+(?:\.\d*)?(?:ns|us|µs|ms|s|m|h))+|0)$/.exec(v);
  if (!m) return { kind: 'invalid', message: `time: invalid duration "${v}"` };
  let ms = 0;
  for (const part of m[2].matchAll(/(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/g)) ms += parseFloat(part[1]) * unitMs[part[2]];
  return { kind: 'ok', ms: m[1] === '-' && ms > 0 ? Infinity : ms };
}

const NS_PER_MS = 1_000_000;
const ns = (ms: number): number => Math.max(1, Math.round(ms * NS_PER_MS));

export async function startOllamaDouble(initial: OllamaDoubleOptions = {}): Promise<OllamaDouble> {
  let opts: OllamaDoubleOptions = { ...initial };
  const timers = new Timers();
  /** Full model name -> when its keep-alive runs out (ms since epoch). */
  const loaded = new Map<string, number>();
  let active = 0;
  let generationSeq = 0;
  let slot: ServerSlot | undefined;
  const slotFor = (profile: ServerProfile): ServerSlot => {
    if (!slot || slot.profile !== profile) slot = new ServerSlot(profile);
    return slot;
  };

  const requests: RecordedOllamaRequest[] = [];
  const generations: OllamaGeneration[] = [];
  const disconnects: OllamaDisconnect[] = [];

  const models = (): ResolvedModel[] => (opts.models ?? [{ name: DEFAULT_MODEL }]).map(resolveModel);
  const findModel = (name: unknown): ResolvedModel | undefined => {
    if (typeof name !== 'string' || name.trim() === '') return undefined;
    const full = fullModelName(name).toLowerCase();
    return models().find((m) => m.fullName.toLowerCase() === full);
  };
  const fault = (path: string): OllamaFault => {
    const f = opts.fault ?? { kind: 'none' };
    return (opts.faultPaths ?? ['/api/generate', '/api/chat']).includes(path) ? f : { kind: 'none' };
  };
  const isLoaded = (m: ResolvedModel): boolean => (loaded.get(m.fullName) ?? 0) > Date.now();

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void (async () => {
      const receivedAt = Date.now();
      const parsed = await readBody(req);
      const path = (req.url ?? '/').split('?')[0];
      const rec: RecordedOllamaRequest = {
        method: req.method ?? 'GET',
        path,
        body: parsed.kind === 'json' ? parsed.value : parsed.kind === 'invalid' ? parsed.raw : undefined,
        headers: req.headers,
        receivedAt,
      };
      requests.push(rec);

      if (opts.requireBearer !== undefined && req.headers.authorization !== `Bearer ${opts.requireBearer}`) {
        return sendJson(res, 401, { error: 'unauthorized' });
      }
      const f = fault(path);
      if (f.kind === 'status') return sendJson(res, f.status, { error: f.message });
      if (f.kind === 'hang' && path !== '/api/generate' && path !== '/api/chat') {
        onClientGone(res, () => false, () => {
          disconnects.push({ path, model: String(rec.body?.model ?? ''), tokensSent: 0, at: Date.now() });
        });
        return;
      }

      const route = `${rec.method} ${path}`;
      switch (route) {
        case 'GET /':
        case 'HEAD /':
          return sendText(res, 200, 'Ollama is running');
        case 'GET /api/version':
        case 'HEAD /api/version':
          return sendJson(res, 200, { version: opts.version ?? '0.12.6' });
        case 'GET /api/tags':
          return sendJson(res, 200, { models: models().map(tagEntry) });
        case 'GET /api/ps':
          return sendJson(res, 200, { models: models().filter(isLoaded).map((m) => psEntry(m, loaded.get(m.fullName) ?? 0)) });
        case 'POST /api/show':
          return handleShow(rec, res, parsed);
        case 'POST /api/generate':
        case 'POST /api/chat':
          return handleInference(rec, res, parsed.kind);
        default:
          // gin's answer for an unknown route.
          return sendText(res, 404, '404 page not found');
      }
    })();
  };

  function handleShow(rec: RecordedOllamaRequest, res: http.ServerResponse, parsed: { kind: string }): void {
    if (parsed.kind === 'empty') return sendJson(res, 400, { error: 'missing request body' });
    const name = rec.body?.model || rec.body?.name;
    if (typeof name !== 'string' || name === '') return sendJson(res, 400, { error: 'model is required' });
    const m = findModel(name);
    if (!m) return sendJson(res, 404, { error: `model '${name}' not found` });
    sendJson(res, 200, {
      license: '',
      modelfile: `# Modelfile generated by "ollama show"\nFROM ${m.shortName}\nTEMPLATE """${m.template}"""\n`,
      parameters: '',
      template: m.template,
      details: detailsOf(m),
      model_info: { 'general.architecture': m.family, [`${m.family}.context_length`]: 32768 },
      capabilities: m.capabilities,
      modified_at: m.modifiedAt,
    });
  }

  function handleInference(rec: RecordedOllamaRequest, res: http.ServerResponse, bodyKind: string): void {
    const isChat = rec.path === '/api/chat';
    const body = rec.body ?? {};
    if (bodyKind === 'empty') return sendJson(res, 400, { error: 'missing request body' });
    if (bodyKind === 'invalid' || typeof body !== 'object') return sendJson(res, 400, { error: 'invalid character in request body' });
    const modelName: string = typeof body.model === 'string' ? body.model : '';
    if (modelName === '') return sendJson(res, 400, { error: 'model is required' });
    const m = findModel(modelName);
    if (!m) return sendJson(res, 404, { error: `model '${modelName}' not found` });
    const keepAlive = parseKeepAlive(body.keep_alive);
    if (keepAlive.kind === 'invalid') return sendJson(res, 400, { error: keepAlive.message });

    const messages: Array<{ role?: string; content?: string }> = Array.isArray(body.messages) ? body.messages : [];
    const prompt: string = isChat ? '' : typeof body.prompt === 'string' ? body.prompt : '';
    const empty = isChat ? messages.length === 0 : prompt === '';
    if (empty && keepAlive.ms === 0) {
      loaded.delete(m.fullName);
      return sendJson(res, 200, {
        model: modelName, created_at: new Date().toISOString(),
        ...(isChat ? { message: { role: 'assistant', content: '' } } : { response: '' }),
        done: true, done_reason: 'unload',
      });
    }
    if (!m.capabilities.includes('completion')) {
      return sendJson(res, 400, { error: `${JSON.stringify(modelName)} does not support ${isChat ? 'chat' : 'generate'}` });
    }
    // The capability check runs before raw mode is considered: a suffix on a model without
    // `insert` is refused even with raw: true (routes.go builds caps from req.Suffix alone).
    if (!isChat && typeof body.suffix === 'string' && body.suffix !== '' && !m.capabilities.includes('insert')) {
      return sendJson(res, 400, { error: `${m.fullName} does not support insert` });
    }

    const modelKey = m.fullName;
    const stream = body.stream !== false;
    const options = body.options ?? {};
    const tokenize = opts.tokenize ?? defaultTokenize;
    const promptText = isChat ? messages.map((x) => x.content ?? '').join('\n') : prompt;
    const stop = typeof options.stop === 'string' ? [options.stop] : Array.isArray(options.stop) ? options.stop : [];
    const fullText = empty ? '' : (opts.respond ?? ((r: RecordedOllamaRequest) => deterministicReply(promptOf(r.body))))(rec);
    const { tokens, finish: doneReason } = truncateOutput(fullText, tokenize, {
      stop, maxTokens: typeof options.num_predict === 'number' ? options.num_predict : undefined,
    });
    const renderedPrompt = isChat ? promptText : renderPrompt(m.template, prompt, typeof body.suffix === 'string' ? body.suffix : '', body.raw === true);

    const gen: OllamaGeneration = {
      id: ++generationSeq, request: rec, tokensSent: 0, completed: false, aborted: false, renderedPrompt, tokens, tokenTimes: [],
    };
    generations.push(gen);
    const f = fault(rec.path);
    const server = empty ? undefined : opts.server;
    const schedule = server
      ? { firstTokenMs: server.baseMs, perTokenMs: server.perTokenMs, loadMs: opts.schedule?.loadMs }
      : opts.schedule ?? { firstTokenMs: 0, perTokenMs: 0 };
    const loadMs = isLoaded(m) ? 0 : schedule.loadMs ?? 0;
    const start = Date.now();
    let loadedAt = start;
    let firstTokenAt = start;
    let pending: { cancel(): void } | undefined;
    let cut = false;
    let finished = false;
    // With a server profile: the slot, the prompt's plan once granted, and whether its prompt is done.
    const serverSlot = server ? slotFor(server) : undefined;
    let queued: { cancel(): void } | undefined;
    let plan: PromptPlan | undefined;
    let promptDone = false;
    let holdsSlot = false;
    active++;
    const releaseSlot = (afterMs: number): void => {
      if (!holdsSlot || !serverSlot) return;
      holdsSlot = false;
      gen.slotReleasedAt = Date.now() + Math.max(0, afterMs);
      if (afterMs > 0) timers.after(afterMs, () => serverSlot.release());
      else serverSlot.release();
    };
    const finish = (): void => {
      if (finished) return;
      finished = true;
      active--;
      gen.endedAt = Date.now();
      pending?.cancel();
      queued?.cancel();
      if (serverSlot && holdsSlot && plan && !promptDone) {
        // Gone during prompt processing: the batch in hand is still processed, and paid for.
        const r = serverSlot.abortDuringPrompt(renderedPrompt, plan, Date.now() - loadedAt);
        gen.processedTokens = r.processedTokens;
        releaseSlot(r.busyForMs);
      } else {
        releaseSlot(0);
      }
    };
    onClientGone(res, () => cut, () => {
      if (gen.completed) return;
      gen.aborted = true;
      disconnects.push({ path: rec.path, model: modelName, tokensSent: gen.tokensSent, at: Date.now() });
      finish();
    });
    if (f.kind === 'hang') return;
    const created = (): string => new Date().toISOString();
    const piece = (text: string): Record<string, unknown> => (isChat
      ? { model: modelName, created_at: created(), message: { role: 'assistant', content: text }, done: false }
      : { model: modelName, created_at: created(), response: text, done: false });
    const finalChunk = (text: string, reason: string): Record<string, unknown> => {
      const now = Date.now();
      const evalCount = gen.tokensSent;
      return {
        ...piece(text),
        done: true,
        done_reason: reason,
        // `context` (deprecated) is the token ids of prompt + output; raw mode and chat leave it out.
        ...(!isChat && !body.raw && reason !== 'load'
          ? { context: tokenize(prompt + tokens.join('')).map((t) => fnv1a(t) % 151_000) } : {}),
        ...(reason === 'load' ? {} : {
          total_duration: ns(now - start),
          load_duration: ns(loadedAt - start),
          // Like the runner: only the prompt tokens evaluated count, the cached ones do not.
          prompt_eval_count: plan ? Math.max(1, plan.uncachedTokens) : Math.max(1, tokenize(promptText).length),
          // With a server profile, only the prompt's own processing (the base latency is not prompt work).
          prompt_eval_duration: plan && serverSlot ? ns(serverSlot.promptMs(plan.uncachedTokens)) : ns(firstTokenAt - loadedAt),
          eval_count: evalCount,
          eval_duration: ns(now - firstTokenAt),
          ...opts.counts?.(rec),
        }),
      };
    };
    const writeLine = (obj: unknown): void => {
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      res.write(`${JSON.stringify(obj)}\n`);
    };
    const done = (): void => {
      gen.completed = true;
      finish();
    };
    const expiry = (): number => (keepAlive.ms === Infinity ? Number.MAX_SAFE_INTEGER : Date.now() + keepAlive.ms);

    const run = (): void => {
      gen.startedAt = Date.now();
      pending = timers.after(loadMs, () => {
        loadedAt = Date.now();
        loaded.set(m.fullName, expiry());
        if (empty) {
          // A load request: the real server answers with one JSON object even when streaming.
          done();
          return sendJson(res, 200, finalChunk('', 'load'));
        }
        if (!serverSlot) {
          pending = timers.after(schedule.firstTokenMs, step);
          return;
        }
        plan = serverSlot.plan(renderedPrompt);
        gen.promptTokens = plan.promptTokens;
        gen.cachedTokens = plan.cachedTokens;
        gen.firstTokenDueMs = plan.firstTokenMs;
        pending = timers.after(plan.firstTokenMs, () => {
          promptDone = true;
          gen.processedTokens = plan?.uncachedTokens;
          serverSlot.promptDone(renderedPrompt);
          step();
        });
      });
    };
    if (serverSlot) {
      queued = serverSlot.acquire(() => {
        queued = undefined;
        holdsSlot = true;
        if (finished) return releaseSlot(0);
        run();
      });
    } else {
      run();
    }

    let i = 0;
    const buffered: string[] = [];
    function step(): void {
      if (finished) return;
      if (i === 0) {
        firstTokenAt = Date.now();
        gen.firstTokenAt = firstTokenAt;
      }
      if (f.kind === 'cutMidStream' && i >= f.afterTokens) {
        cut = true;
        finish();
        res.destroy();
        return;
      }
      if (f.kind === 'errorLine' && i >= f.afterTokens) {
        if (!stream || !res.headersSent) {
          sendJson(res, 500, { error: f.message });
        } else {
          writeLine({ error: f.message });
          res.end();
        }
        finish();
        return;
      }
      if (f.kind === 'garbage' && i >= tokens.length) {
        finish();
        res.end();
        return;
      }
      if (i < tokens.length) {
        if (f.kind === 'garbage') {
          if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
          res.write(`<garbage ${i}> not json\n`);
        } else if (stream) {
          writeLine(piece(tokens[i]));
        } else {
          buffered.push(tokens[i]);
        }
        i++;
        gen.tokensSent = i;
        gen.tokenTimes.push(Date.now());
        pending = timers.after(schedule.perTokenMs, step);
        return;
      }
      loaded.set(modelKey, expiry());
      done();
      if (stream) {
        writeLine(finalChunk('', doneReason));
        res.end();
      } else {
        sendJson(res, 200, finalChunk(buffered.join(''), doneReason));
      }
    }
  }

  const srv = await listenLoopback(handler, initial.port ?? 0);
  return {
    url: srv.url,
    port: srv.port,
    requests,
    generations,
    disconnects,
    configure(next) {
      opts = { ...opts, ...next };
    },
    reset() {
      requests.length = 0;
      generations.length = 0;
      disconnects.length = 0;
    },
    unloadAll() {
      loaded.clear();
    },
    get activeGenerations() {
      return active;
    },
    get pendingTimers() {
      return timers.pending;
    },
    waitFor(predicate, timeoutMs) {
      return waitUntil(predicate, timeoutMs, 'ollama double condition');
    },
    async close() {
      timers.cancelAll();
      await srv.close();
    },
  };
}

function promptOf(body: any): string {
  if (Array.isArray(body?.messages)) {
    const last = body.messages[body.messages.length - 1];
    return typeof last?.content === 'string' ? last.content : '';
  }
  return typeof body?.prompt === 'string' ? body.prompt : '';
}

function detailsOf(m: ResolvedModel): Record<string, unknown> {
  return {
    parent_model: '',
    format: 'gguf',
    family: m.family,
    families: [m.family],
    parameter_size: m.parameterSize,
    quantization_level: 'Q4_K_M',
  };
}

function tagEntry(m: ResolvedModel): Record<string, unknown> {
  return {
    name: m.shortName,
    model: m.shortName,
    modified_at: m.modifiedAt,
    size: 986_000_000,
    digest: m.digest,
    details: detailsOf(m),
  };
}

function psEntry(m: ResolvedModel, expiresAt: number): Record<string, unknown> {
  return {
    name: m.shortName,
    model: m.shortName,
    size: 1_200_000_000,
    digest: m.digest,
    details: detailsOf(m),
    expires_at: new Date(Math.min(expiresAt, 8.64e15)).toISOString(),
    size_vram: 1_200_000_000,
    context_length: 4096,
  };
}

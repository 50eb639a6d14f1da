// The one classifier: whatever a model client threw becomes a BackendFailure, for every backend
// (local FIM through ollama-js or the openai SDK, cloud chat through the openai SDK, local chat
// through ollama-js). Two steps: `observe` reads the client's own error shapes into a few plain
// facts (a status and the server's words, a socket code, an abort, bad JSON), then one table
// decides the kind and the action. Only the wording depends on the side (a local server or the
// cloud: which setting to check, what fixes it), through the FailureContext.
//
// ollama-js does not export its ResponseError class, so its errors are recognised by name and
// fields; the openai SDK's classes are passed in (`instanceof` only works against the module copy
// that threw them); fetch (undici) errors by the `code` on their cause chain.
import { backendFailure, CANCELLED, type BackendFailure, type BackendFailureAction } from '../shared/backendFailure';
import { BackendError, type ModelHealth } from '../shared/modelBackend';

/**
 * The SDK's error classes, passed in rather than imported: the backends load `openai` lazily, and
 * `instanceof` only works against the same module instance that threw.
 */
export interface OpenAiErrorClasses {
  APIError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
}

export interface FailureContext {
  /** A local model server or the cloud: which settings the messages name and which fix they offer. */
  side: 'local' | 'cloud';
  /** The client that made the request: ollama-js, or the openai SDK (its error classes). */
  client: 'ollama' | OpenAiErrorClasses;
  /** Where the request went; messages show its host only (never credentials, path or query). */
  baseURL?: string;
  /** How messages name the server (e.g. 'Ollama'); by default the host (cloud) or 'the local model server'. */
  server?: string;
  model?: string;
  /** Exact strings that must never appear in a message (the API key, the local server token). */
  secrets?: readonly string[];
  /** Local: whether a bearer token went with the request. Absent: this request path never sends one. */
  tokenSent?: boolean;
  /** A chat reply (refactor, cloud inline): failures say that nothing was applied. */
  chat?: boolean;
}

/** What the side changes in a message: the settings to check and the fixes to offer. */
const SIDES = {
  local: {
    server: 'the local model server',
    endpointSetting: 'tandem.local.endpoint',
    timeoutFix: 'try again',
  },
  cloud: {
    server: undefined,
    endpointSetting: 'tandem.cloud.baseUrl',
    timeoutFix: 'try again, or raise tandem.cloud.timeoutSeconds',
  },
} as const;

/** The facts an error carries once the client's own shapes are read: the decision table's input. */
type Observed =
  | { is: 'cancelled' }
  | { is: 'timeout' }
  /** The connection could not be made, failed, or was cut: the socket code, when there is one. */
  | { is: 'transport'; code: string | undefined; dropped: boolean }
  /** The server answered with an error: an HTTP status, or (no status) an error inside its stream. */
  | { is: 'answered'; status: number | undefined; code?: string; text: string; requestId?: string }
  /** The reply could not be read: bad JSON, or (unfinished) a stream that ended without its last line. */
  | { is: 'malformed'; unfinished: boolean }
  | { is: 'other'; text: string };

/** Maps anything a model client (or its stream) threw to a failure. A BackendError keeps its own. */
export function failureFromError(err: unknown, ctx: FailureContext): BackendFailure {
  if (err instanceof BackendError) return err.failure;
  return decide(observe(err, ctx.client), ctx);
}

/** The FIM path's form: the same failure, thrown. */
export function toBackendError(err: unknown, ctx: FailureContext): BackendError {
  return err instanceof BackendError ? err : new BackendError(failureFromError(err, ctx), err);
}

function observe(err: unknown, client: FailureContext['client']): Observed {
  const e = err as { name?: unknown; message?: unknown; status_code?: unknown; error?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof client !== 'string') {
    // Order matters: the abort and connection classes are subclasses of APIError.
    if (err instanceof client.APIUserAbortError) return { is: 'cancelled' };
    if (err instanceof client.APIConnectionTimeoutError) return { is: 'timeout' };
    if (err instanceof client.APIConnectionError) return transport(err);
    if (err instanceof client.APIError) {
      const a = err as Error & { status?: number; code?: string | null; requestID?: string | null; error?: unknown };
      return { is: 'answered', status: a.status, text: apiErrorText(a), ...(a.code ? { code: a.code } : {}), ...(a.requestID ? { requestId: a.requestID } : {}) };
    }
  }
  // fetch's own abort (ollama-js passes it through).
  if (e?.name === 'AbortError') return { is: 'cancelled' };
  if (client === 'ollama' && e?.name === 'ResponseError' && typeof e.status_code === 'number') {
    return { is: 'answered', status: e.status_code, text: typeof e.error === 'string' ? e.error : message };
  }
  if (err instanceof SyntaxError) return { is: 'malformed', unfinished: false };
  // ollama-js skips lines that are not JSON (with a console warning) and then throws this when the
  // body ends without a `done` line; a real server always ends with one, so the reply was bad.
  if (client === 'ollama' && /did not receive done/i.test(message)) return { is: 'malformed', unfinished: true };
  if (isTransportError(err)) return transport(err);
  // ollama-js turns an `{"error": ...}` line inside the stream into a plain Error with Ollama's text.
  if (client === 'ollama' && err instanceof Error && err.constructor === Error) return { is: 'answered', status: undefined, text: message };
  return { is: 'other', text: message };
}

function transport(err: unknown): Observed {
  return { is: 'transport', code: causeCode(err), dropped: isDroppedConnection(err) };
}

/** The one decision table: what was observed → kind and action; the context only words it. */
function decide(o: Observed, ctx: FailureContext): BackendFailure {
  const w = wording(ctx);
  switch (o.is) {
    case 'cancelled':
      return CANCELLED;
    case 'timeout':
      return backendFailure('timeout', `${w.Name} did not answer in time; ${w.side.timeoutFix}.`, { action: 'retry' });
    case 'transport':
      return transportFailure(o.code, o.dropped, ctx, w);
    case 'answered':
      return answeredFailure(o, ctx, w);
    case 'malformed': {
      const what = o.unfinished ? 'not valid JSON or ended without its final line' : 'not valid streaming JSON';
      return backendFailure('malformed', `${w.Name} sent a reply that is ${what}${w.applied}.`, { action: 'retry' });
    }
    case 'other':
      return backendFailure('unknown', `The request to ${w.name} failed: ${serverDetail(o.text, w.secrets) || 'unknown error'}.`);
  }
}

/** No connection was made, so nothing left the machine. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function transportFailure(code: string | undefined, dropped: boolean, ctx: FailureContext, w: Wording): BackendFailure {
  const setting = w.side.endpointSetting;
  if (code === 'ECONNREFUSED') {
    // Refused by a local server: it is not running. By the cloud's host: the URL is wrong.
    return ctx.side === 'local'
      ? backendFailure('offline', `${w.Name} is not running at ${w.host} (connection refused); start it and try again.`, { action: 'retry' })
      : backendFailure('offline', `Could not connect to ${w.host} (connection refused); check ${setting}.`, { action: 'openSettings' });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return backendFailure('offline', `Could not resolve ${w.host}; check your network and ${setting}.`, { action: 'openSettings' });
  }
  if (code !== undefined && NOT_CONNECTED.has(code)) {
    return backendFailure('offline', `Could not reach ${w.host} (${code}); check your network and ${setting}.`, { action: 'retry' });
  }
  if (dropped) {
    return backendFailure('network', `The connection to ${w.name} dropped before the reply finished${w.applied}.`, { action: 'retry' });
  }
  return backendFailure('network', `Could not reach ${w.name}${code ? ` (${code})` : ''}; check your network.`, { action: 'retry' });
}

// Ollama's words for a model it does not have, with or without a 404 (an error line in the stream).
const MODEL_NOT_FOUND = /model ['"]?[^'"]*['"]? not found/i;

function answeredFailure(o: Extract<Observed, { is: 'answered' }>, ctx: FailureContext, w: Wording): BackendFailure {
  const { status } = o;
  const ids = { ...(status !== undefined ? { status } : {}), ...(o.requestId ? { requestId: o.requestId } : {}) };
  const detail = serverDetail(o.text, w.secrets);
  const because = detail ? `: ${detail}` : '';
  const fail = (kind: BackendFailure['kind'], message: string, action?: BackendFailureAction, extra: { tokenSent?: boolean } = {}) =>
    backendFailure(kind, message, { ...(action ? { action } : {}), ...ids, ...extra });
  const model = ctx.model ?? 'the model';

  // Ollama answers a FIM request to a model without `.Suffix` in its template this way.
  if (/does not support insert/i.test(o.text)) return fail('noFim', `${model} does not support fill-in-the-middle.`, 'openSettings');
  if (status === 401 || status === 403) {
    const { message, action, tokenSent } = unauthorized(status, because, ctx, w);
    return fail('unauthorized', message, action, tokenSent !== undefined ? { tokenSent } : {});
  }
  if (status === 404 || MODEL_NOT_FOUND.test(o.text)) {
    const code = status !== undefined ? ` (${status})` : '';
    if (ctx.side === 'cloud') {
      const which = ctx.model ? `model '${ctx.model}'` : 'the model';
      return fail('notFound', `${w.host} does not know ${which} or this endpoint${code}; check tandem.cloud.model and tandem.cloud.baseUrl.`, 'openSettings');
    }
    const fix = ctx.client === 'ollama' ? `pull it first (ollama pull ${model}) or pick another in tandem.local.model` : 'check tandem.local.model and tandem.local.endpoint';
    return fail('notFound', `Model "${model}" is not available on the server${code}; ${fix}.`, 'openSettings');
  }
  if (status === 429) {
    // Out of credit is also a 429, but waiting does not help, so it gets no retry.
    if (o.code === 'insufficient_quota') return fail('rateLimited', `The account has no quota left (429)${because}.`);
    const message = ctx.side === 'cloud'
      ? `${w.host} is rate limiting requests (429); wait a moment and try again.`
      // A shared server (or its proxy) at capacity: transient, so completions just back off.
      : `${w.Name} is at capacity (429); ${ctx.chat ? 'wait a moment and try again' : 'completions resume when it has room'}.`;
    return fail('rateLimited', message, 'retry');
  }
  if (status !== undefined && status >= 400 && status < 500) return fail('badRequest', `${w.Name} rejected the request (${status})${because}.`, 'openSettings');
  if (status === undefined || status >= 500) {
    // No status: an error inside an otherwise good stream, which is the server failing mid-reply.
    const what = status === undefined ? 'an error mid-reply' : `a server error (${status})`;
    return fail('server', `${w.Name} returned ${what}${because}${w.applied}.`, 'retry');
  }
  return fail('unknown', `${w.Name} answered with status ${status}${because}.`);
}

/** 401/403: the API key (cloud) or the local server token, and which fix applies. */
function unauthorized(status: number, because: string, ctx: FailureContext, w: Wording): { message: string; action?: BackendFailureAction; tokenSent?: boolean } {
  // A 401's text is dropped on purpose, on both sides: it often quotes the key or token.
  if (ctx.side === 'cloud') {
    return status === 401
      ? { message: `${w.host} rejected the API key (401); set a valid key.`, action: 'setApiKey' }
      : { message: `The API key is not allowed to do this (403)${because}.`, action: 'setApiKey' };
  }
  // vLLM --api-key, LiteLLM, an auth proxy in front of Ollama.
  if (ctx.tokenSent === undefined) return { message: `${w.Name} requires credentials (${status}) that this request does not send.` };
  return ctx.tokenSent
    ? { message: `${w.Name} rejected the token (${status}). Set the right one with "Tandem: Set Local Server Token".`, tokenSent: true }
    : { message: `${w.Name} requires a token (${status}). Set it with "Tandem: Set Local Server Token".`, tokenSent: false };
}

interface Wording {
  side: (typeof SIDES)[keyof typeof SIDES];
  /** The server as named mid-sentence, and capitalised to start one. */
  name: string;
  Name: string;
  /** The endpoint's host (never credentials, path or query). */
  host: string;
  applied: string;
  secrets: readonly string[];
}

function wording(ctx: FailureContext): Wording {
  const side = SIDES[ctx.side];
  const host = endpointLabel(ctx.baseURL);
  const name = ctx.server ?? side.server ?? host;
  return {
    side, name, host,
    // 'the local model server' starts a sentence capitalised; a host name never is.
    Name: name.startsWith('the ') ? `T${name.slice(1)}` : name,
    applied: ctx.chat ? '; nothing was applied' : '',
    secrets: ctx.secrets ?? [],
  };
}

/** The local model's state after a failed health check or warm-up, as the status bar shows it. */
export function healthFromFailure(f: BackendFailure, model: string): ModelHealth {
  switch (f.kind) {
    case 'offline': case 'network': case 'timeout': return { kind: 'offline', detail: f.message };
    case 'notFound': return { kind: 'modelMissing', model, detail: f.message };
    case 'noFim': return { kind: 'noFim', model, detail: f.message };
    case 'unauthorized': return { kind: 'unauthorized', status: f.status ?? 401, tokenSent: f.tokenSent ?? false, detail: f.message };
    default: return { kind: 'error', detail: f.message };
  }
}

// OpenAI keys (sk-..., sk-proj-...), bearer tokens and `api-key`/`key=` style parameters. The masked
// form OpenAI echoes ("sk-abc1****wxyz") is scrubbed too: it still names the key.
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_*-]{4,}/g,
  /\bBearer\s+[A-Za-z0-9_*.~+/=-]{8,}/gi,
  /\b(api[-_]?key|key|token)\s*[=:]\s*["']?[A-Za-z0-9_*.~+/=-]{8,}/gi,
];

export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    // Short strings would scrub ordinary words; real keys are long.
    if (s.length >= 8) out = out.split(s).join('[redacted]');
  }
  for (const re of SECRET_PATTERNS) out = out.replace(re, '[redacted]');
  return out;
}

/** A server's own words, cut to one readable line, secrets removed. */
function serverDetail(text: string | undefined, secrets: readonly string[] = []): string {
  if (!text) return '';
  const one = scrubSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 199)}…` : one;
}

/** The host part of a base URL, for messages: never the path's query or userinfo. */
export function endpointLabel(baseURL: string | undefined): string {
  if (!baseURL) return 'the server';
  try {
    return new URL(baseURL).host || 'the server';
  } catch {
    return 'the server';
  }
}

/** OpenAI-style `{ error: { message } }` bodies; the SDK keeps the inner object on `.error`. */
function apiErrorText(e: Error & { error?: unknown }): string {
  const body = e.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string') return body.message;
  // Strip the SDK's "401 " prefix so the status is not repeated.
  return e.message.replace(/^\d{3}\s+/, '').replace(/^status code \(no body\)$/, '');
}

const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
/** Socket codes that mean the transport failed, whatever the client wrapped them in. */
const TRANSPORT_CODES = new Set([...NOT_CONNECTED, ...DROPPED_CODES, 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function isTransportError(err: unknown): boolean {
  const code = causeCode(err);
  if (code !== undefined && TRANSPORT_CODES.has(code)) return true;
  // undici's own wrapper when the cause carries no code.
  return isDroppedConnection(err) || (err instanceof TypeError && /fetch failed/i.test(err.message));
}

/** undici reports a connection cut mid-body as `TypeError: terminated` with a socket error cause. */
export function isDroppedConnection(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = causeCode(err);
  if (code && DROPPED_CODES.has(code)) return true;
  return err.name === 'TypeError' && /terminated|other side closed/i.test(err.message);
}

/** The first `code` found along an error's cause chain (undici nests it two levels deep). */
function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

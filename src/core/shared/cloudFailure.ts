// Why a refactor request failed, as data the adapter shows without knowing any SDK: one sentence a
// user understands, and the one action that helps. Messages never carry secrets: the API key can
// appear in server error text (OpenAI echoes a masked key on 401, gateways sometimes echo it whole),
// so everything that came from outside goes through scrubSecrets first.

export type CloudFailureKind =
  | 'auth'
  | 'rateLimited'
  | 'server'
  | 'timeout'
  | 'network'
  | 'malformed'
  | 'truncated'
  | 'notFound'
  | 'badRequest'
  | 'cancelled'
  | 'unknown';

export type CloudFailureAction = 'setApiKey' | 'retry' | 'openSettings';

export interface CloudFailure {
  kind: CloudFailureKind;
  /** One sentence for the user: no secrets, no stack. */
  message: string;
  action?: CloudFailureAction;
  status?: number;
  requestId?: string;
  /** True when no connection was ever made (refused, name not resolved): nothing left the machine. */
  notConnected?: boolean;
}

/**
 * The SDK's error classes, passed in rather than imported: the backend loads `openai` lazily, and
 * `instanceof` only works against the same module instance that threw.
 */
export interface OpenAiErrorClasses {
  APIError: abstract new (...args: never[]) => Error;
  APIUserAbortError: abstract new (...args: never[]) => Error;
  APIConnectionError: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
}

export interface FailureContext {
  /** Where the request went, shown in network messages (credentials in the URL are dropped). */
  baseURL?: string;
  model?: string;
  /** Exact strings that must never appear in a message (the API key). */
  secrets?: readonly string[];
  /** The setting a user edits to fix a wrong model or endpoint. */
  settingsHint?: string;
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
export function serverDetail(text: string | undefined, secrets: readonly string[] = []): string {
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

export function cloudFailure(kind: CloudFailureKind, message: string, extra: Omit<CloudFailure, 'kind' | 'message'> = {}): CloudFailure {
  return { kind, message, ...extra };
}

/** Maps anything the openai SDK (or its stream) throws to a CloudFailure. */
export function cloudFailureFromError(err: unknown, sdk: OpenAiErrorClasses, ctx: FailureContext = {}): CloudFailure {
  const secrets = ctx.secrets ?? [];
  const where = endpointLabel(ctx.baseURL);
  const settings = ctx.settingsHint ?? 'tandem.cloud.model and tandem.cloud.baseUrl';

  // Order matters: the abort and connection classes are subclasses of APIError.
  if (err instanceof sdk.APIUserAbortError) return cloudFailure('cancelled', 'The request was cancelled.');
  if (err instanceof sdk.APIConnectionTimeoutError) {
    return cloudFailure('timeout', `${where} did not answer in time; try again, or raise tandem.cloud.timeoutSeconds.`, { action: 'retry' });
  }
  if (err instanceof sdk.APIConnectionError) return networkFailure(err, where);
  if (err instanceof sdk.APIError) {
    const e = err as Error & { status?: number; code?: string | null; requestID?: string | null; error?: unknown };
    const requestId = e.requestID ?? undefined;
    const detail = serverDetail(apiErrorText(e), secrets);
    return httpFailure(e.status, e.code ?? undefined, detail, { where, settings, model: ctx.model, requestId });
  }
  if (err instanceof SyntaxError) {
    return cloudFailure('malformed', `${where} sent a reply that is not valid streaming JSON; nothing was applied.`, { action: 'retry' });
  }
  if (isDroppedConnection(err)) {
    return cloudFailure('network', `The connection to ${where} dropped before the reply finished; nothing was applied.`, { action: 'retry' });
  }
  const text = err instanceof Error ? err.message : String(err);
  return cloudFailure('unknown', `The refactor request failed: ${serverDetail(text, secrets) || 'unknown error'}.`);
}

interface HttpContext {
  where: string;
  settings: string;
  model?: string;
  requestId?: string;
}

/** Maps an HTTP status (and OpenAI's error code) to a failure; shared by the SDK and stream paths. */
export function httpFailure(status: number | undefined, code: string | undefined, detail: string, c: HttpContext): CloudFailure {
  const ids = { ...(status !== undefined ? { status } : {}), ...(c.requestId ? { requestId: c.requestId } : {}) };
  const because = detail ? `: ${detail}` : '';
  if (status === 401) {
    // The server's text is dropped on purpose: it often quotes the key.
    return cloudFailure('auth', `${c.where} rejected the API key (401); set a valid key.`, { action: 'setApiKey', ...ids });
  }
  if (status === 403) {
    return cloudFailure('auth', `The API key is not allowed to do this (403)${because}.`, { action: 'setApiKey', ...ids });
  }
  if (status === 404) {
    const model = c.model ? `model '${c.model}'` : 'the model';
    return cloudFailure('notFound', `${c.where} does not know ${model} or this endpoint (404); check ${c.settings}.`, { action: 'openSettings', ...ids });
  }
  if (status === 429) {
    // Out of credit is also a 429, but waiting does not help, so it gets no retry.
    if (code === 'insufficient_quota') {
      return cloudFailure('rateLimited', `The account has no quota left (429)${because}.`, ids);
    }
    return cloudFailure('rateLimited', `${c.where} is rate limiting requests (429); wait a moment and try again.`, { action: 'retry', ...ids });
  }
  if (status === 400 || status === 409 || status === 413 || status === 422) {
    return cloudFailure('badRequest', `${c.where} rejected the request (${status})${because}.`, { action: 'openSettings', ...ids });
  }
  if (status === undefined || status >= 500) {
    // No status: an error event inside an otherwise good stream, which is the server failing mid-reply.
    const label = status === undefined ? 'an error mid-reply' : `a server error (${status})`;
    return cloudFailure('server', `${c.where} returned ${label}${because}; nothing was applied.`, { action: 'retry', ...ids });
  }
  return cloudFailure('unknown', `${c.where} answered with status ${status}${because}.`, ids);
}

function networkFailure(err: Error, where: string): CloudFailure {
  const code = causeCode(err);
  if (code === 'ECONNREFUSED') {
    return { ...cloudFailure('network', `Could not connect to ${where} (connection refused); check tandem.cloud.baseUrl.`, { action: 'openSettings' }), notConnected: true };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return { ...cloudFailure('network', `Could not resolve ${where}; check your network and tandem.cloud.baseUrl.`, { action: 'openSettings' }), notConnected: true };
  }
  if (isDroppedConnection(err)) {
    return cloudFailure('network', `The connection to ${where} dropped before the reply finished; nothing was applied.`, { action: 'retry' });
  }
  return cloudFailure('network', `Could not reach ${where}${code ? ` (${code})` : ''}; check your network.`, { action: 'retry' });
}

/** OpenAI-style `{ error: { message } }` bodies; the SDK keeps the inner object on `.error`. */
function apiErrorText(e: Error & { error?: unknown }): string {
  const body = e.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string') return body.message;
  // Strip the SDK's "401 " prefix so the status is not repeated.
  return e.message.replace(/^\d{3}\s+/, '').replace(/^status code \(no body\)$/, '');
}

const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/** undici reports a connection cut mid-body as `TypeError: terminated` with a socket error cause. */
export function isDroppedConnection(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = causeCode(err);
  if (code && DROPPED_CODES.has(code)) return true;
  return err.name === 'TypeError' && /terminated|other side closed/i.test(err.message);
}

/** The first `code` found along an error's cause chain (undici nests it two levels deep). */
export function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

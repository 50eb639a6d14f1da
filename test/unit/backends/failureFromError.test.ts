// The one classifier, as a table: each shape a client throws (the openai SDK's own classes, built the
// way the SDK builds them; ollama-js errors built the way ollama-js builds them; fetch/undici errors
// with their cause codes) → kind, action and message, for the local side and the cloud side. Every
// branch of the decision has a row whose expectation another branch would not meet. Then what the
// callers make of each kind (completion skip reason, status bar health), and the secret scrubbing
// every message goes through.
import * as assert from 'node:assert/strict';
import * as sdk from 'openai';
import {
  failureFromError, healthFromFailure, isDroppedConnection, scrubSecrets, toBackendError, type FailureContext,
} from '../../../src/core/backends/failureFromError';
import { backendFailure, type BackendFailureKind } from '../../../src/core/shared/backendFailure';
import { BackendError } from '../../../src/core/shared/modelBackend';
import { skipReasonFor } from '../../../src/core/completion/completionOutcome';

const KEY = 'sk-proj-AbCdEf0123456789GhIjKlMn';
const TOKEN = 'team-token-0123456789abcdef';
const MODEL = 'qwen2.5-coder:1.5b-base';

/** Every kind, checked by the compiler: a new kind must be added here, and so to every table below. */
const ALL_KINDS = Object.keys({
  cancelled: 1, offline: 1, network: 1, timeout: 1, unauthorized: 1, rateLimited: 1, server: 1, notFound: 1, noFim: 1,
  badRequest: 1, malformed: 1, truncated: 1, refused: 1, unknown: 1,
} satisfies Record<BackendFailureKind, 1>) as BackendFailureKind[];

const CONTEXTS = {
  /** The refactor and cloud inline path: openai SDK, chat reply. */
  cloud: { side: 'cloud', client: sdk, baseURL: 'https://user:pw@gateway.example.com/v1', model: 'gpt-5.4-mini', secrets: [KEY], chat: true },
  /** Inline completions from Ollama (ollama-js), no token. */
  ollama: { side: 'local', client: 'ollama', server: 'Ollama', baseURL: 'http://127.0.0.1:11434', model: MODEL, tokenSent: false, secrets: [] },
  /** Inline completions from a team's vLLM (openai SDK against a local server), with the token. */
  vllm: { side: 'local', client: sdk, baseURL: 'http://gpu-box:8000/v1', model: MODEL, tokenSent: true, secrets: [TOKEN] },
  /** A local refactor on Ollama's chat API: a chat reply, and a path that sends no token. */
  ollamaChat: { side: 'local', client: 'ollama', server: 'Ollama', baseURL: 'http://127.0.0.1:11434', model: MODEL, chat: true },
} satisfies Record<string, FailureContext>;

// --- error shapes, as each client builds them ---

function apiError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): Error {
  return sdk.APIError.generate(status, { error }, undefined, new Headers({ 'x-request-id': 'req_1', ...headers }));
}

/** An `error` event inside an SSE stream: the SDK throws an APIError without a status. */
function streamErrorEvent(message: string): Error {
  return new sdk.APIError(undefined, { message }, undefined, new Headers());
}

/** undici's fetch failure: `TypeError: fetch failed` with the socket error (and its code) as cause. */
function fetchFailed(code: string): Error {
  return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code }) });
}

function sdkConnection(code: string): Error {
  return new sdk.APIConnectionError({ cause: fetchFailed(code) });
}

/** undici's cut mid-body. */
function terminated(): Error {
  return Object.assign(new TypeError('terminated'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
}

/** ollama-js's ResponseError (not exported): the server's `error` text and the HTTP status. */
function responseError(status: number, text: string): Error {
  return Object.assign(new Error(text), { name: 'ResponseError', error: text, status_code: status });
}

/** ollama-js turns an `{"error": ...}` line inside the stream into a plain Error. */
function errorLine(text: string): Error {
  return new Error(text);
}

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

interface Row {
  name: string;
  ctx: keyof typeof CONTEXTS;
  err: () => unknown;
  kind: BackendFailureKind;
  action?: string;
  status?: number;
  tokenSent?: boolean;
  requestId?: string;
  message?: RegExp;
}

const rows: Row[] = [
  // Cancellation, whoever noticed it.
  { name: 'SDK user abort', ctx: 'cloud', err: () => new sdk.APIUserAbortError(), kind: 'cancelled' },
  { name: 'SDK user abort (local server)', ctx: 'vllm', err: () => new sdk.APIUserAbortError(), kind: 'cancelled' },
  { name: 'fetch AbortError (ollama-js)', ctx: 'ollama', err: abortError, kind: 'cancelled' },

  // Time.
  { name: 'SDK timeout', ctx: 'cloud', err: () => new sdk.APIConnectionTimeoutError(), kind: 'timeout', action: 'retry', message: /gateway\.example\.com did not answer in time.*tandem\.cloud\.timeoutSeconds/ },
  { name: 'SDK timeout (local server)', ctx: 'vllm', err: () => new sdk.APIConnectionTimeoutError(), kind: 'timeout', action: 'retry', message: /^The local model server did not answer in time; try again\.$/ },

  // No connection made: offline, nothing left the machine.
  { name: 'refused (cloud): wrong URL', ctx: 'cloud', err: () => sdkConnection('ECONNREFUSED'), kind: 'offline', action: 'openSettings', message: /Could not connect to gateway\.example\.com \(connection refused\); check tandem\.cloud\.baseUrl/ },
  { name: 'refused (Ollama): not running', ctx: 'ollama', err: () => fetchFailed('ECONNREFUSED'), kind: 'offline', action: 'retry', message: /^Ollama is not running at 127\.0\.0\.1:11434 \(connection refused\); start it/ },
  { name: 'refused (vLLM, through the SDK)', ctx: 'vllm', err: () => sdkConnection('ECONNREFUSED'), kind: 'offline', action: 'retry', message: /^The local model server is not running at gpu-box:8000/ },
  { name: 'DNS (cloud)', ctx: 'cloud', err: () => new sdk.APIConnectionError({ cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }) }), kind: 'offline', action: 'openSettings', message: /Could not resolve gateway\.example\.com; check your network and tandem\.cloud\.baseUrl/ },
  { name: 'DNS (local)', ctx: 'ollama', err: () => fetchFailed('EAI_AGAIN'), kind: 'offline', action: 'openSettings', message: /resolve 127\.0\.0\.1:11434.*tandem\.local\.endpoint/ },
  { name: 'host unreachable', ctx: 'vllm', err: () => fetchFailed('EHOSTUNREACH'), kind: 'offline', action: 'retry', message: /Could not reach gpu-box:8000 \(EHOSTUNREACH\); check your network and tandem\.local\.endpoint/ },

  // A connection that failed or dropped: network, the server may have the request.
  { name: 'dropped mid-body (undici, cloud)', ctx: 'cloud', err: terminated, kind: 'network', action: 'retry', message: /connection to gateway\.example\.com dropped before the reply finished; nothing was applied/ },
  { name: 'dropped mid-body (Ollama chat)', ctx: 'ollamaChat', err: terminated, kind: 'network', action: 'retry', message: /^The connection to Ollama dropped before the reply finished; nothing was applied\.$/ },
  { name: 'dropped, no code (FIM: nothing to apply)', ctx: 'ollama', err: () => new TypeError('terminated'), kind: 'network', action: 'retry', message: /^The connection to Ollama dropped before the reply finished\.$/ },
  { name: 'reset through the SDK', ctx: 'cloud', err: () => sdkConnection('ECONNRESET'), kind: 'network', action: 'retry', message: /dropped/ },
  { name: 'connect timeout code on a plain error', ctx: 'ollama', err: () => Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:11434'), { code: 'ETIMEDOUT' }), kind: 'network', action: 'retry', message: /Could not reach Ollama \(ETIMEDOUT\)/ },
  { name: 'SDK connection error without a code', ctx: 'cloud', err: () => new sdk.APIConnectionError({}), kind: 'network', action: 'retry', message: /^Could not reach gateway\.example\.com; check your network\.$/ },

  // The server answered: 401/403.
  { name: '401 (cloud): the text quotes the key, so it is dropped', ctx: 'cloud', err: () => apiError(401, { message: `Incorrect API key provided: ${KEY}` }), kind: 'unauthorized', action: 'setApiKey', status: 401, requestId: 'req_1', message: /^gateway\.example\.com rejected the API key \(401\); set a valid key\.$/ },
  { name: '403 (cloud)', ctx: 'cloud', err: () => apiError(403, { message: 'Project does not have access to model' }), kind: 'unauthorized', action: 'setApiKey', status: 403, message: /not allowed.*does not have access/ },
  { name: '401 (Ollama behind a proxy, no token)', ctx: 'ollama', err: () => responseError(401, 'unauthorized'), kind: 'unauthorized', status: 401, tokenSent: false, message: /^Ollama requires a token \(401\)\. Set it with "Tandem: Set Local Server Token"\.$/ },
  { name: '401 (vLLM, token sent): its text is dropped', ctx: 'vllm', err: () => apiError(401, { message: `bad token ${TOKEN}` }), kind: 'unauthorized', status: 401, tokenSent: true, message: /^The local model server rejected the token \(401\)\. Set the right one/ },
  { name: '403 (vLLM, token sent)', ctx: 'vllm', err: () => apiError(403, { message: 'forbidden' }), kind: 'unauthorized', status: 403, tokenSent: true, message: /rejected the token \(403\)/ },
  { name: '401 on a path that sends no token (local chat)', ctx: 'ollamaChat', err: () => responseError(401, 'unauthorized'), kind: 'unauthorized', status: 401, message: /^Ollama requires credentials \(401\) that this request does not send\.$/ },

  // 404 and "model not found".
  { name: '404 (cloud)', ctx: 'cloud', err: () => apiError(404, { message: 'no such model' }), kind: 'notFound', action: 'openSettings', status: 404, message: /does not know model 'gpt-5\.4-mini' or this endpoint \(404\); check tandem\.cloud\.model/ },
  { name: '404 (Ollama)', ctx: 'ollama', err: () => responseError(404, `model "${MODEL}" not found, try pulling it first`), kind: 'notFound', action: 'openSettings', status: 404, message: /^Model "qwen2\.5-coder:1\.5b-base" is not available on the server \(404\); pull it first \(ollama pull qwen2\.5-coder:1\.5b-base\)/ },
  { name: '404 (vLLM): no ollama pull hint', ctx: 'vllm', err: () => apiError(404, { message: 'The model does not exist' }), kind: 'notFound', action: 'openSettings', status: 404, message: /is not available on the server \(404\); check tandem\.local\.model and tandem\.local\.endpoint/ },
  { name: '"model not found" inside the stream (no status)', ctx: 'ollamaChat', err: () => errorLine(`model '${MODEL}' not found`), kind: 'notFound', action: 'openSettings', message: /^Model "qwen2\.5-coder:1\.5b-base" is not available on the server; pull it/ },

  // The model cannot fill in the middle (Ollama's 400 for a model without .Suffix).
  { name: 'does not support insert', ctx: 'ollama', err: () => responseError(400, 'registry.ollama.ai/library/llama3.2:latest does not support insert'), kind: 'noFim', action: 'openSettings', status: 400, message: /^qwen2\.5-coder:1\.5b-base does not support fill-in-the-middle\.$/ },

  // 429.
  { name: '429 (cloud)', ctx: 'cloud', err: () => apiError(429, { message: 'Rate limit reached' }, { 'retry-after': '2' }), kind: 'rateLimited', action: 'retry', status: 429, message: /rate limiting requests \(429\); wait a moment/ },
  { name: '429 out of quota: no retry', ctx: 'cloud', err: () => apiError(429, { message: 'quota', code: 'insufficient_quota' }), kind: 'rateLimited', status: 429, message: /no quota left \(429\): quota/ },
  { name: '429 (team server at capacity)', ctx: 'vllm', err: () => apiError(429, { message: 'Too many concurrent requests' }), kind: 'rateLimited', action: 'retry', status: 429, message: /^The local model server is at capacity \(429\); completions resume when it has room\.$/ },
  { name: '429 (local chat)', ctx: 'ollamaChat', err: () => responseError(429, 'busy'), kind: 'rateLimited', action: 'retry', status: 429, message: /^Ollama is at capacity \(429\); wait a moment and try again\.$/ },

  // Other 4xx.
  { name: '400 (cloud), the key scrubbed from the server text', ctx: 'cloud', err: () => apiError(400, { message: `max_completion_tokens is too large (key ${KEY})` }), kind: 'badRequest', action: 'openSettings', status: 400, message: /rejected the request \(400\): max_completion_tokens is too large \(key \[redacted\]\)/ },
  { name: '422 (cloud)', ctx: 'cloud', err: () => apiError(422, { message: 'bad' }), kind: 'badRequest', action: 'openSettings', status: 422 },
  { name: '400 (Ollama chat), the token scrubbed', ctx: 'ollamaChat', err: () => responseError(400, 'invalid options: token=abcdefgh12345678'), kind: 'badRequest', action: 'openSettings', status: 400, message: /^Ollama rejected the request \(400\): invalid options: \[redacted\]\.$/ },
  { name: '405 (local server)', ctx: 'vllm', err: () => apiError(405, { message: 'Method Not Allowed' }), kind: 'badRequest', action: 'openSettings', status: 405 },

  // The server failed.
  { name: '500 (cloud)', ctx: 'cloud', err: () => apiError(500, { message: 'oops' }), kind: 'server', action: 'retry', status: 500, message: /returned a server error \(500\): oops; nothing was applied/ },
  { name: '503 (cloud)', ctx: 'cloud', err: () => apiError(503, { message: 'overloaded' }), kind: 'server', action: 'retry', status: 503, message: /overloaded/ },
  { name: 'error event mid-stream (cloud)', ctx: 'cloud', err: () => streamErrorEvent('The server is overloaded'), kind: 'server', action: 'retry', message: /returned an error mid-reply: The server is overloaded; nothing was applied/ },
  { name: '500 (Ollama chat)', ctx: 'ollamaChat', err: () => responseError(500, 'runner crashed'), kind: 'server', action: 'retry', status: 500, message: /^Ollama returned a server error \(500\): runner crashed; nothing was applied\.$/ },
  { name: 'error line mid-stream (Ollama FIM)', ctx: 'ollama', err: () => errorLine('out of memory'), kind: 'server', action: 'retry', message: /^Ollama returned an error mid-reply: out of memory\.$/ },
  { name: 'a status that is no error class (Ollama)', ctx: 'ollama', err: () => responseError(302, 'moved'), kind: 'unknown', status: 302, message: /^Ollama answered with status 302: moved\.$/ },

  // The reply could not be read.
  { name: 'malformed JSON (cloud)', ctx: 'cloud', err: () => new SyntaxError('Unexpected token t in JSON'), kind: 'malformed', action: 'retry', message: /not valid streaming JSON; nothing was applied/ },
  { name: 'malformed JSON (local)', ctx: 'vllm', err: () => new SyntaxError('Unexpected token t in JSON'), kind: 'malformed', action: 'retry', message: /^The local model server sent a reply that is not valid streaming JSON\.$/ },
  { name: 'Ollama stream without its done line', ctx: 'ollamaChat', err: () => errorLine('Did not receive done or success response in stream.'), kind: 'malformed', action: 'retry', message: /not valid JSON or ended without its final line; nothing was applied/ },

  // Anything else.
  { name: 'anything else (cloud): a plain Error is not a server line', ctx: 'cloud', err: () => new Error(`weird failure with ${KEY}`), kind: 'unknown', message: /^The request to gateway\.example\.com failed: weird failure with \[redacted\]\.$/ },
  { name: 'a non-Error (local)', ctx: 'ollama', err: () => 'boom', kind: 'unknown', message: /^The request to Ollama failed: boom\.$/ },
  { name: 'a programming error (local)', ctx: 'ollama', err: () => new TypeError('x is not a function'), kind: 'unknown', message: /x is not a function/ },
];

describe('failureFromError: one table for every backend', () => {
  for (const row of rows) {
    it(`${row.ctx}: ${row.name} -> ${row.kind}`, () => {
      const f = failureFromError(row.err(), CONTEXTS[row.ctx]);
      assert.equal(f.kind, row.kind, f.message);
      assert.equal(f.action, row.action, f.message);
      assert.equal(f.status, row.status);
      assert.equal(f.tokenSent, row.tokenSent);
      if (row.requestId) assert.equal(f.requestId, row.requestId);
      if (row.message) assert.match(f.message, row.message);
      for (const secret of [KEY, TOKEN, 'user:pw']) assert.ok(!f.message.includes(secret), f.message);
    });
  }

  it('covers every kind a transport error can have (truncated and refused are the backends\' own)', () => {
    const seen = new Set(rows.map((r) => r.kind));
    assert.deepEqual(ALL_KINDS.filter((k) => !seen.has(k)), ['truncated', 'refused']);
  });

  it('reads the SDK classes it is given: an error from another copy of the SDK is not taken for an HTTP answer', () => {
    const foreign = { APIError: class extends Error {}, APIUserAbortError: class extends Error {}, APIConnectionError: class extends Error {}, APIConnectionTimeoutError: class extends Error {} };
    assert.equal(failureFromError(apiError(401, {}), { ...CONTEXTS.cloud, client: foreign }).kind, 'unknown');
  });

  it('recognises ollama-js shapes only for ollama-js: a ResponseError-like object from the SDK path is not read', () => {
    assert.equal(failureFromError(responseError(404, 'nope'), CONTEXTS.vllm).kind, 'unknown');
    assert.equal(failureFromError(errorLine('Did not receive done or success response in stream.'), CONTEXTS.vllm).kind, 'unknown');
  });

  it('a BackendError keeps its own failure, and toBackendError does not wrap it again', () => {
    const own = new BackendError(backendFailure('refused', 'Local-only mode: nothing was sent.'));
    assert.equal(failureFromError(own, CONTEXTS.ollama), own.failure);
    assert.equal(toBackendError(own, CONTEXTS.ollama), own);
    const wrapped = toBackendError(fetchFailed('ECONNREFUSED'), CONTEXTS.ollama);
    assert.ok(wrapped instanceof BackendError);
    assert.equal(wrapped.kind, 'offline');
    assert.equal(wrapped.message, wrapped.failure.message);
  });
});

describe('what callers make of each kind', () => {
  it('the completion engine: a skip reason for every kind (a dead server backs off, capacity never pops up)', () => {
    const want: Record<BackendFailureKind, string> = {
      cancelled: 'cancelled', offline: 'backendDown', network: 'backendDown', timeout: 'backendDown', unauthorized: 'unauthorized',
      rateLimited: 'serverBusy', server: 'error', notFound: 'modelMissing', noFim: 'noFim', badRequest: 'error', malformed: 'error',
      truncated: 'error', refused: 'disabled', unknown: 'error',
    };
    for (const kind of ALL_KINDS) assert.equal(skipReasonFor(new BackendError(backendFailure(kind, 'x'))), want[kind], kind);
    assert.equal(skipReasonFor(new TypeError('boom')), 'error');
  });

  it('the status bar: a health for every kind, with the token facts of a 401/403', () => {
    const want: Record<BackendFailureKind, string> = {
      cancelled: 'error', offline: 'offline', network: 'offline', timeout: 'offline', unauthorized: 'unauthorized',
      rateLimited: 'error', server: 'error', notFound: 'modelMissing', noFim: 'noFim', badRequest: 'error', malformed: 'error',
      truncated: 'error', refused: 'error', unknown: 'error',
    };
    for (const kind of ALL_KINDS) assert.equal(healthFromFailure(backendFailure(kind, 'x'), MODEL).kind, want[kind], kind);
    assert.deepEqual(healthFromFailure(failureFromError(apiError(403, {}), CONTEXTS.vllm), MODEL),
      { kind: 'unauthorized', status: 403, tokenSent: true, detail: 'The local model server rejected the token (403). Set the right one with "Tandem: Set Local Server Token".' });
    assert.deepEqual(healthFromFailure(failureFromError(responseError(404, 'nope'), CONTEXTS.ollama), MODEL).kind, 'modelMissing');
  });
});

describe('scrubSecrets', () => {
  const cases: [string, string][] = [
    [`key ${KEY} here`, 'key [redacted] here'],
    ['Incorrect API key provided: sk-abc1****************wxyz.', 'Incorrect API key provided: [redacted].'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: [redacted]'],
    ['url?api-key=0123456789abcdef&x=1', 'url?[redacted]&x=1'],
    ['no secrets in this sentence', 'no secrets in this sentence'],
    ['a task-list and sk-8 are not keys', 'a task-list and sk-8 are not keys'],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(scrubSecrets(input, [KEY]), want));
  }

  it('scrubs an exact secret that matches no pattern (e.g. an Azure key)', () => {
    assert.equal(scrubSecrets('echo 9f8e7d6c5b4a39281706 back', ['9f8e7d6c5b4a39281706']), 'echo [redacted] back');
  });
});

describe('isDroppedConnection', () => {
  it('recognises undici cuts and socket resets, not other errors', () => {
    assert.equal(isDroppedConnection(terminated()), true);
    assert.equal(isDroppedConnection(Object.assign(new Error('read'), { code: 'ECONNRESET' })), true);
    assert.equal(isDroppedConnection(new TypeError('x is not a function')), false);
    assert.equal(isDroppedConnection('terminated'), false);
  });
});

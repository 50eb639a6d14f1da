// Error mapping as a table over the SDK's own error classes (built the way the SDK builds them, with
// APIError.generate), plus the secret scrubbing every message goes through.
import * as assert from 'node:assert/strict';
import * as sdk from 'openai';
import { cloudFailureFromError, isDroppedConnection, scrubSecrets } from '../../../src/core/shared/cloudFailure';

const KEY = 'sk-proj-AbCdEf0123456789GhIjKlMn';
const ctx = { baseURL: 'https://user:pw@gateway.example.com/v1', model: 'gpt-5.4-mini', secrets: [KEY] };

function apiError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): Error {
  return sdk.APIError.generate(status, { error }, undefined, new Headers({ 'x-request-id': 'req_1', ...headers }));
}

function refused(): Error {
  const inner = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  return new sdk.APIConnectionError({ cause: Object.assign(new TypeError('fetch failed'), { cause: inner }) });
}

function terminated(): Error {
  const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
  return Object.assign(new TypeError('terminated'), { cause: socket });
}

describe('cloudFailureFromError', () => {
  const table: { name: string; err: () => unknown; kind: string; action?: string; status?: number; requestId?: string; message?: RegExp }[] = [
    { name: '401', err: () => apiError(401, { message: `Incorrect API key provided: ${KEY}` }), kind: 'auth', action: 'setApiKey', status: 401, requestId: 'req_1', message: /gateway\.example\.com rejected the API key/ },
    { name: '403', err: () => apiError(403, { message: 'Project does not have access to model' }), kind: 'auth', action: 'setApiKey', status: 403, message: /not allowed.*does not have access/ },
    { name: '404', err: () => apiError(404, { message: 'no such model' }), kind: 'notFound', action: 'openSettings', status: 404, message: /'gpt-5\.4-mini'/ },
    { name: '400', err: () => apiError(400, { message: 'max_completion_tokens is too large' }), kind: 'badRequest', action: 'openSettings', status: 400, message: /too large/ },
    { name: '422', err: () => apiError(422, { message: 'bad' }), kind: 'badRequest', action: 'openSettings', status: 422 },
    { name: '429', err: () => apiError(429, { message: 'Rate limit reached' }, { 'retry-after': '2' }), kind: 'rateLimited', action: 'retry', status: 429 },
    { name: '429 quota', err: () => apiError(429, { message: 'quota', code: 'insufficient_quota' }), kind: 'rateLimited', action: undefined, status: 429, message: /no quota/ },
    { name: '500', err: () => apiError(500, { message: 'oops' }), kind: 'server', action: 'retry', status: 500 },
    { name: '503', err: () => apiError(503, { message: 'overloaded' }), kind: 'server', action: 'retry', status: 503, message: /overloaded/ },
    { name: 'timeout', err: () => new sdk.APIConnectionTimeoutError(), kind: 'timeout', action: 'retry' },
    { name: 'refused', err: refused, kind: 'network', action: 'openSettings', message: /connection refused/ },
    { name: 'DNS', err: () => new sdk.APIConnectionError({ cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }) }), kind: 'network', action: 'openSettings', message: /resolve/ },
    { name: 'dropped mid-body (undici)', err: terminated, kind: 'network', action: 'retry', message: /dropped/ },
    { name: 'malformed JSON', err: () => new SyntaxError('Unexpected token t in JSON'), kind: 'malformed', action: 'retry' },
    { name: 'user abort', err: () => new sdk.APIUserAbortError(), kind: 'cancelled' },
    { name: 'anything else', err: () => new Error(`weird failure with ${KEY}`), kind: 'unknown', message: /weird failure with \[redacted\]/ },
  ];

  for (const row of table) {
    it(row.name, () => {
      const f = cloudFailureFromError(row.err(), sdk, ctx);
      assert.equal(f.kind, row.kind);
      assert.equal(f.action, row.action);
      assert.equal(f.status, row.status);
      if (row.requestId) assert.equal(f.requestId, row.requestId);
      if (row.message) assert.match(f.message, row.message);
      assert.ok(!f.message.includes(KEY), f.message);
      // The base URL's credentials never reach a message.
      assert.ok(!f.message.includes('user:pw'), f.message);
    });
  }

  it('reads the classes it is given, so an error from another copy of the SDK is still mapped by shape only when it matches', () => {
    const foreign = { APIError: class extends Error {}, APIUserAbortError: class extends Error {}, APIConnectionError: class extends Error {}, APIConnectionTimeoutError: class extends Error {} };
    assert.equal(cloudFailureFromError(apiError(401, {}), foreign, ctx).kind, 'unknown');
  });
});

describe('scrubSecrets', () => {
  const rows: [string, string][] = [
    [`key ${KEY} here`, 'key [redacted] here'],
    ['Incorrect API key provided: sk-abc1****************wxyz.', 'Incorrect API key provided: [redacted].'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: [redacted]'],
    ['url?api-key=0123456789abcdef&x=1', 'url?[redacted]&x=1'],
    ['no secrets in this sentence', 'no secrets in this sentence'],
    ['a task-list and sk-8 are not keys', 'a task-list and sk-8 are not keys'],
  ];
  for (const [input, want] of rows) {
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

import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAiChatBackend } from '../../../src/core/backends/openAiChatBackend';
import type { UsageRecord } from '../../../src/core/shared/usageRecord';
import type { ChatMessage, RefactorBackend, RefactorRunResult } from '../../../src/core/shared/refactorBackend';
import type { RefactorParts } from '../../../src/core/refactor/refactorPrompt';
import {
  isStale,
  runRefactor,
  untrustedGate,
  type CloudGate,
  type GateDecision,
  type RefactorDeps,
  type RefactorInput,
  type UsageMeta,
} from '../../../src/core/refactor/refactorSession';

const USAGE: UsageRecord = { model: 'm', inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0, source: 'reported' };

const input: RefactorInput = {
  selection: '    return a+b;\n',
  before: 'function add(a, b) {\n',
  after: '}\n',
  languageId: 'javascript',
  instruction: 'space the operator',
  path: 'src/add.js',
  range: { start: 21, end: 37 },
  documentVersion: 7,
  eol: '\n',
};

/** A backend that answers with `result` and remembers what it was asked. */
function fakeBackend(result: RefactorRunResult, route: 'cloud' | 'local' = 'cloud'): RefactorBackend & { calls: ChatMessage[][] } {
  const calls: ChatMessage[][] = [];
  return {
    route,
    model: 'm',
    calls,
    async run(messages, _signal, onProgress) {
      calls.push([...messages]);
      if (result.kind === 'ok') onProgress?.(result.text.length);
      return result;
    },
  };
}

function harness(backend: RefactorBackend, gate: CloudGate = untrustedGate(true), extra: Partial<RefactorDeps> = {}) {
  const usage: [UsageRecord, UsageMeta][] = [];
  const progress: number[] = [];
  const deps: RefactorDeps = {
    gate,
    backend,
    onUsage: (r, m) => usage.push([r, m]),
    onProgress: (n) => progress.push(n),
    ...extra,
  };
  return { deps, usage, progress };
}

const signal = () => new AbortController().signal;

describe('runRefactor', () => {
  it('sends, parses and returns a preview for the original range and version, with one usage record', async () => {
    const backend = fakeBackend({ kind: 'ok', text: '```js\nreturn a + b;\n```', usage: USAGE });
    const h = harness(backend);
    const out = await runRefactor(input, h.deps, signal());
    assert.deepEqual(out, { kind: 'preview', newText: '    return a + b;\n', range: input.range, documentVersion: 7, usage: USAGE });
    assert.deepEqual(h.usage, [[USAGE, { command: 'refactor', route: 'cloud', outcome: 'ok' }]]);
    assert.deepEqual(h.progress, [23]);
    assert.match(backend.calls[0][1].content, /space the operator/);
  });

  const outcomes: { name: string; result: RefactorRunResult; want: unknown; usageOutcome?: UsageMeta['outcome'] }[] = [
    { name: 'empty reply', result: { kind: 'ok', text: '```\n```', usage: USAGE }, want: { kind: 'empty' }, usageOutcome: 'ok' },
    { name: 'unchanged reply', result: { kind: 'ok', text: 'return a+b;', usage: USAGE }, want: { kind: 'unchanged' }, usageOutcome: 'ok' },
    {
      name: 'failure with tokens spent',
      result: { kind: 'error', partialText: 'ret', usage: { ...USAGE, source: 'estimated' }, error: { kind: 'network', message: 'dropped' } },
      want: { kind: 'failed', failure: { kind: 'network', message: 'dropped' } },
      usageOutcome: 'failed',
    },
    {
      name: 'failure that never reached a server: no usage record',
      result: { kind: 'error', partialText: '', error: { kind: 'offline', message: 'refused' } },
      want: { kind: 'failed', failure: { kind: 'offline', message: 'refused' } },
    },
    { name: 'cancelled with partial usage', result: { kind: 'cancelled', partialText: 'r', usage: USAGE }, want: { kind: 'cancelled' }, usageOutcome: 'cancelled' },
    { name: 'a cancelled-kind failure reads as cancelled', result: { kind: 'error', partialText: '', error: { kind: 'cancelled', message: 'x' } }, want: { kind: 'cancelled' } },
  ];
  for (const o of outcomes) {
    it(o.name, async () => {
      const h = harness(fakeBackend(o.result));
      assert.deepEqual(await runRefactor(input, h.deps, signal()), o.want);
      assert.deepEqual(h.usage.map(([, m]) => m.outcome), o.usageOutcome ? [o.usageOutcome] : []);
    });
  }

  it('refuses in an untrusted workspace: nothing sent, no usage', async () => {
    const backend = fakeBackend({ kind: 'ok', text: 'x', usage: USAGE });
    const h = harness(backend, untrustedGate(() => false));
    const out = await runRefactor(input, h.deps, signal());
    assert.equal(out.kind, 'refused');
    assert.ok(out.kind === 'refused');
    assert.equal(out.reason, 'untrustedWorkspace');
    assert.match(out.explain, /not trusted/);
    assert.equal(backend.calls.length, 0);
    assert.deepEqual(h.usage, []);
  });

  it('the gate sees bounded context and decides what is sent; restore() runs before parsing', async () => {
    const secret = 'hunter2-very-secret';
    const longBefore = 'x\n'.repeat(5000) + `const pw = "${secret}";\n`;
    let seen: RefactorParts | undefined;
    const gate: CloudGate = async (parts) => {
      seen = parts;
      return {
        kind: 'send',
        parts: { ...parts, selection: parts.selection.replace(secret, '<SECRET_1>'), before: parts.before.replace(secret, '<SECRET_1>'), path: undefined },
        restore: (t) => t.replace('<SECRET_1>', secret),
      };
    };
    const backend = fakeBackend({ kind: 'ok', text: '```js\nlogin("<SECRET_1>", a + b);\n```', usage: USAGE });
    const h = harness(backend, gate);
    const out = await runRefactor({ ...input, before: longBefore, selection: `    login("${secret}", a+b);\n`, maxContextChars: 1000 }, h.deps, signal());
    assert.ok(seen && seen.before.length <= 1000, 'the gate saw unbounded context');
    const sent = backend.calls[0].map((m) => m.content).join('\n');
    assert.ok(!sent.includes(secret), 'the secret was sent');
    assert.ok(!sent.includes('src/add.js'), 'the path the gate withheld was sent');
    assert.deepEqual(out, { kind: 'preview', newText: `    login("${secret}", a + b);\n`, range: input.range, documentVersion: 7, usage: USAGE });
  });

  it('needsConfirmation without a confirm step is refused', async () => {
    const backend = fakeBackend({ kind: 'ok', text: 'x', usage: USAGE });
    const gate: CloudGate = async () => ({ kind: 'needsConfirmation', reason: 'firstSend', explain: 'Send 1 KB to api.openai.com?' });
    const out = await runRefactor(input, harness(backend, gate).deps, signal());
    assert.deepEqual(out, { kind: 'refused', reason: 'firstSend', explain: 'Send 1 KB to api.openai.com?' });
    assert.equal(backend.calls.length, 0);
  });

  it('needsConfirmation asks confirm() and follows the decision it returns', async () => {
    const backend = fakeBackend({ kind: 'ok', text: 'return a - b;', usage: USAGE });
    const gate: CloudGate = async () => ({ kind: 'needsConfirmation', explain: 'Send?' });
    const asked: GateDecision[] = [];
    const yes = harness(backend, gate, {
      confirm: async (d) => {
        asked.push(d);
        return { kind: 'send', parts: { ...input }, restore: (t) => t };
      },
    });
    assert.equal((await runRefactor(input, yes.deps, signal())).kind, 'preview');
    assert.equal(asked.length, 1);
    const no = harness(backend, gate, { confirm: async () => ({ kind: 'refuse', reason: 'declined', explain: 'You said no.' }) });
    assert.deepEqual(await runRefactor(input, no.deps, signal()), { kind: 'refused', reason: 'declined', explain: 'You said no.' });
    assert.equal(backend.calls.length, 1);
  });

  it('a local backend does not consult the cloud gate', async () => {
    const backend = fakeBackend({ kind: 'ok', text: 'return a + b;', usage: USAGE }, 'local');
    const h = harness(backend, async () => assert.fail('the cloud gate was asked about a local run'));
    const out = await runRefactor(input, h.deps, signal());
    assert.equal(out.kind, 'preview');
    assert.equal(h.usage[0][1].route, 'local');
  });

  it('cancelled before sending: no call, no usage', async () => {
    const backend = fakeBackend({ kind: 'ok', text: 'x', usage: USAGE });
    const ac = new AbortController();
    const gate: CloudGate = async (parts) => {
      ac.abort();
      return { kind: 'send', parts, restore: (t) => t };
    };
    const h = harness(backend, gate);
    assert.deepEqual(await runRefactor(input, h.deps, ac.signal), { kind: 'cancelled' });
    assert.equal(backend.calls.length, 0);
    assert.deepEqual(h.usage, []);
  });

  it('end to end over the real SDK: a redacted secret never reaches the server and comes back restored', async () => {
    const secret = 'sk-live-abcdefghijklmnop0123';
    const bodies: string[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_e2e' });
        const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
        send({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: '```js\nconst key = "[REDACTED_1]";\n```' }, finish_reason: 'stop' }] });
        send({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 50, completion_tokens: 9 } });
        res.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const backend = new OpenAiChatBackend({
        baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: 'sk-test-key-000000000', model: 'gpt-5.4-mini',
        maxOutputTokens: 200, timeoutMs: 5000, maxRateLimitRetries: 0, estimateTokens: (t) => t.length,
      });
      const gate: CloudGate = async (parts) => ({
        kind: 'send',
        parts: { ...parts, selection: parts.selection.split(secret).join('[REDACTED_1]') },
        restore: (t) => t.split('[REDACTED_1]').join(secret),
      });
      const h = harness(backend, gate);
      const out = await runRefactor({ ...input, selection: `var key = "${secret}";`, before: '', after: '' }, h.deps, signal());
      assert.deepEqual(out, {
        kind: 'preview', newText: `const key = "${secret}";`, range: input.range, documentVersion: 7,
        usage: { model: 'gpt-5.4-mini', inputTokens: 50, cachedInputTokens: 0, outputTokens: 9, reasoningTokens: 0, requestId: 'req_e2e', source: 'reported' },
      });
      assert.equal(bodies.length, 1);
      assert.ok(!bodies[0].includes(secret), 'the secret reached the server');
      assert.equal(h.usage.length, 1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('isStale', () => {
  const rows: [string, number, number, string, string, boolean][] = [
    ['same version', 3, 3, 'a', 'a', false],
    ['same version (text cannot differ, but version wins)', 3, 3, 'b', 'a', false],
    ['edited elsewhere, selection text intact', 3, 4, 'a', 'a', false],
    ['edited under the selection', 3, 4, 'b', 'a', true],
    ['selection text now empty', 3, 5, '', 'a', true],
  ];
  for (const [name, then, now, textNow, textThen, want] of rows) {
    it(name, () => assert.equal(isStale(then, now, textNow, textThen), want));
  }
});

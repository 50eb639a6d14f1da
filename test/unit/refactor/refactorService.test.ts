// The refactor decision path end to end in one process: the real router, budget, gate (secretlint
// redaction), OpenAI SDK against the OpenAI double, a real ledger and egress log in a temp folder.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpendLedger } from '../../../src/core/cost/ledger';
import { EgressLog, memoryLineStore } from '../../../src/core/privacy/egressLog';
import { createPathExcluder } from '../../../src/core/privacy/pathExclusion';
import { RefactorService, type RefactorRequest, type RefactorServiceDeps } from '../../../src/core/refactor/refactorService';
import { snapshotOf } from '../../support/settingsSnapshot';
import { refactorServiceFor } from '../../support/cloudServices';
import { startOpenAiDouble, type OpenAiDouble } from '../../doubles/openaiDouble';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';

const KEY = 'sk-test-service-0123456789';

function request(over: Partial<RefactorRequest> = {}): RefactorRequest {
  const before = 'export function f() {\n';
  const selection = '  return 1+1;\n';
  const after = '}\n';
  return {
    before, selection, after, languageId: 'typescript', instruction: 'add spaces around +',
    range: { start: before.length, end: before.length + selection.length }, documentVersion: 1, eol: '\n',
    relativePath: 'src/f.ts', ...over,
  };
}

describe('RefactorService (router + budget + gate + ledger + egress) against the doubles', () => {
  let openai: OpenAiDouble;
  let ollama: OllamaDouble;
  let dir: string;
  let raw: Record<string, unknown>;
  let trusted: boolean;
  let key: string | undefined;
  let userBaseUrl: string | undefined;
  let budget: { dailyUsd?: number };
  let egressStore: ReturnType<typeof memoryLineStore>;
  let ledger: SpendLedger;

  before(async () => {
    openai = await startOpenAiDouble();
    ollama = await startOllamaDouble();
  });
  after(async () => {
    await openai.close();
    await ollama.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-service-'));
    openai.reset();
    ollama.reset();
    openai.configure({
      respond: () => '```ts\n  return 1 + 1;\n```',
      usage: () => ({ prompt_tokens: 1200, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 200 } }),
      fault: { kind: 'none' },
    });
    ollama.configure({ respond: () => '```ts\n  return 1 + 1;\n```' });
    raw = { 'cloud.baseUrl': `${openai.url}/v1`, 'local.endpoint': ollama.url };
    userBaseUrl = `${openai.url}/v1`;
    trusted = true;
    key = KEY;
    budget = {};
    egressStore = memoryLineStore();
    ledger = new SpendLedger(join(dir, 'ledger'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function service(over: Partial<RefactorServiceDeps> = {}): RefactorService {
    return refactorServiceFor({
      settings: () => snapshotOf({ ...raw, 'cloud.baseUrl': userBaseUrl, 'cloud.dailyBudgetUsd': budget.dailyUsd }, { 'cloud.baseUrl': raw['cloud.baseUrl'] }),
      trusted: () => trusted,
      workspaceName: () => 'ws',
      isExcluded: (p) => createPathExcluder().isExcludedPath(p),
      localHealth: () => ({ kind: 'ready', model: 'qwen2.5-coder:1.5b-base', fim: 'native' }),
      apiKey: async () => key,
      ledger,
      egress: new EgressLog(egressStore),
      ...over,
    });
  }

  const run = (s: RefactorService, req = request(), opts = {}) => s.run(req, { signal: new AbortController().signal, ...opts });

  it('previews the cloud reply and records the exact reported cost in the ledger and the egress log', async () => {
    const r = await run(service());
    assert.equal(r.kind, 'preview');
    if (r.kind === 'preview') assert.equal(r.newText, '  return 1 + 1;\n');
    // gpt-5.4-mini: 1000 input x 0.75 + 200 cached x 0.075 + 300 output x 4.50 per 1M = 0.00075 + 0.000015 + 0.00135
    assert.equal(r.costMicros, 2115);
    const { records } = await ledger.read();
    assert.equal(records.length, 1);
    assert.equal(records[0].costMicros, 2115);
    assert.equal(records[0].source, 'reported');
    assert.equal(records[0].route, 'cloud');
    await new Promise((res) => setImmediate(res));
    const egress = egressStore.text().trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(egress.length, 1);
    assert.equal(egress[0].filePath, 'src/f.ts');
    assert.equal(egress[0].costMicros, 2115);
    assert.match(egress[0].sha256, /^[0-9a-f]{64}$/);
    assert.equal(openai.requests.filter((q) => q.path === '/v1/chat/completions').length, 1);
    assert.equal(openai.requests[0].headers.authorization, `Bearer ${KEY}`);
  });

  it('shows a pre-flight ceiling with the real tokenizer before anything is sent', async () => {
    const plan = await service().plan(request());
    assert.equal(plan.route.kind, 'cloud');
    assert.ok(plan.estimate && plan.estimate.inputTokens > 10);
    assert.equal(plan.estimate.maxOutputTokens, 4096);
    // ceiling = input at the full rate + the whole output cap
    assert.ok(plan.estimate.maxCostMicros >= 4096 * 4.5);
    assert.equal(openai.requests.length, 0);
  });

  it('refuses over the daily hard cap with the numbers, sending nothing', async () => {
    budget = { dailyUsd: 0.01 };
    const r = await run(service());
    assert.equal(r.kind, 'refused');
    if (r.kind === 'refused') {
      assert.equal(r.reason, 'overBudget');
      assert.match(r.explain, /\$0\.01/);
      assert.match(r.explain, /up to \$0\.0/);
    }
    assert.equal(openai.requests.length, 0);
    assert.equal(ollama.requests.filter((q) => q.path === '/api/chat').length, 0);
  });

  it('in an untrusted workspace sends nothing to the cloud, and offers the local model instead of using it silently', async () => {
    trusted = false;
    const s = service();
    const r = await run(s);
    assert.equal(r.kind, 'refused');
    assert.equal(r.plan.localAlternative, true);
    assert.equal(openai.requests.length, 0);
    const local = await run(s, request(), { forceLocal: true });
    assert.equal(local.kind, 'preview');
    assert.equal(openai.requests.length, 0);
    assert.equal(ollama.requests.filter((q) => q.path === '/api/chat').length, 1);
  });

  it('localOnly mode runs on the Ollama chat endpoint and records a zero-cost local record', async () => {
    raw['privacy.mode'] = 'localOnly';
    const r = await run(service());
    assert.equal(r.kind, 'preview');
    assert.equal(openai.requests.length, 0);
    assert.equal(ollama.requests.filter((q) => q.path === '/api/chat').length, 1);
    const { records } = await ledger.read();
    assert.equal(records[0].route, 'local');
    assert.equal(records[0].costMicros, 0);
    assert.equal(egressStore.text(), '', 'nothing left the machine');
  });

  it('does not send the key to a base URL the user did not set at user level', async () => {
    userBaseUrl = undefined; // the workspace set it; the user never did
    const r = await run(service());
    assert.equal(r.kind, 'refused');
    if (r.kind === 'refused') assert.equal(r.reason, 'endpointNotAllowed');
    assert.equal(openai.requests.length, 0);
  });

  it('refuses an excluded file with the rule', async () => {
    const r = await run(service(), request({ relativePath: '.env.local' }));
    assert.equal(r.kind, 'refused');
    if (r.kind === 'refused') {
      assert.equal(r.reason, 'excludedFile');
      assert.match(r.explain, /\.env/);
    }
    assert.equal(openai.requests.length + ollama.requests.length, 0);
  });

  it('without a key, says so and sends nothing', async () => {
    key = undefined;
    const r = await run(service());
    assert.equal(r.kind, 'refused');
    if (r.kind === 'refused') assert.equal(r.reason, 'noApiKey');
    assert.equal(openai.requests.length, 0);
  });

  it('redacts a secret in the context, restores it in the applied text, and asks before sending one in the selection', async () => {
    const secret = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    openai.configure({ respond: (req) => {
      const user = String(req.body.messages.at(-1).content);
      const placeholder = /TANDEM_REDACTED_\d+/.exec(user)?.[0] ?? 'none';
      return '```ts\n  const t = "' + placeholder + '"; return 1 + 1;\n```';
    } });
    const req = request({ selection: `  const t = "${secret}"; return 1+1;\n` });
    const refusedWithoutConsent = await run(service(), req, { confirmSecrets: async () => false });
    assert.equal(refusedWithoutConsent.kind, 'refused');
    assert.equal(openai.requests.length, 0);
    const r = await run(service(), req, { confirmSecrets: async () => true });
    assert.equal(r.kind, 'preview');
    const body = JSON.stringify(openai.requests[0].body);
    assert.ok(!body.includes(secret), 'the secret never reached the server');
    if (r.kind === 'preview') assert.ok(r.newText.includes(secret), 'restored locally in the result');
    await new Promise((res) => setImmediate(res));
    const egress = JSON.parse(egressStore.text().trim());
    assert.ok(egress.redactionCount >= 1);
    assert.ok(!egressStore.text().includes(secret));
  });

  it('a 401 fails with the set-key action, charges nothing and still records that the payload left', async () => {
    openai.configure({ fault: { kind: 'status', status: 401 } });
    const r = await run(service());
    assert.equal(r.kind, 'failed');
    if (r.kind === 'failed') {
      assert.equal(r.failure.kind, 'unauthorized');
      assert.equal(r.failure.action, 'setApiKey');
      assert.ok(!r.failure.message.includes(KEY));
    }
  });
});

import { strict as assert } from 'node:assert';
import { createLocalBackend } from '../../../src/core/backends/createLocalBackend';
import { formatDoctorText, maskKey, runDoctor, type DoctorCheck, type DoctorDeps } from '../../../src/core/setup/doctor';
import { readSettings } from '../../../src/core/settings';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';
import { startOpenAiDouble, type OpenAiDouble } from '../../doubles/openaiDouble';

const KEY = 'sk-test-0123456789abcdef';

describe('doctor (Check Setup) against the doubles', () => {
  let ollama: OllamaDouble;
  let openai: OpenAiDouble;

  before(async () => {
    ollama = await startOllamaDouble({ schedule: { firstTokenMs: 5, perTokenMs: 1 } });
    openai = await startOpenAiDouble({ apiKey: KEY });
  });
  after(async () => {
    await ollama.close();
    await openai.close();
  });
  beforeEach(() => {
    ollama.configure({ models: undefined, fault: { kind: 'none' }, version: '0.12.6', schedule: { firstTokenMs: 5, perTokenMs: 1 } });
    ollama.unloadAll();
    ollama.reset();
    openai.reset();
  });

  function deps(raw: Record<string, unknown> = {}, over: Partial<DoctorDeps> = {}): DoctorDeps {
    const settings = readSettings((k) => ({
      'local.endpoint': ollama.url, 'cloud.baseUrl': `${openai.url}/v1`, ...raw,
    } as Record<string, unknown>)[k]);
    return {
      settings,
      localBackend: createLocalBackend(settings),
      apiKey: async () => KEY,
      userLevelBaseUrl: `${openai.url}/v1`,
      budget: { dailyUsd: 1, monthlyUsd: 20, warnAtFraction: 0.8, hardStop: true },
      timeoutMs: 3000,
      ...over,
    };
  }
  const byId = (checks: DoctorCheck[], id: string) => {
    const c = checks.find((x) => x.id === id);
    assert.ok(c, `check ${id} present`);
    return c;
  };

  it('healthy: every check passes, with the version, a cold then warm completion, and a free cloud call with the key', async () => {
    ollama.configure({ schedule: { firstTokenMs: 5, perTokenMs: 1, loadMs: 1200 } });
    const r = await runDoctor(deps());
    assert.equal(r.overall, 'ok', formatDoctorText(r));
    assert.deepEqual(r.checks.map((c) => c.id),
      ['local.server', 'local.model', 'local.fim', 'local.latency', 'cloud.apiKey', 'cloud.reachable', 'cost.budget', 'privacy.mode']);
    assert.match(byId(r.checks, 'local.server').detail, /version 0\.12\.6/);
    const latency = byId(r.checks, 'local.latency');
    assert.match(latency.detail, /first token \d+ ms/);
    assert.match(latency.detail, /tokens\/s/);
    assert.match(latency.detail, /was cold: loading it took 1\.\d s/);
    // Two generate requests: the first paid the load, the second was warm.
    const gens = ollama.requests.filter((q) => q.path === '/api/generate');
    assert.equal(gens.length, 2);
    const models = openai.requests.filter((q) => q.path === '/v1/models');
    assert.equal(models.length, 1, 'one free call');
    assert.equal(models[0].headers.authorization, `Bearer ${KEY}`);
    assert.equal(openai.requests.filter((q) => q.path !== '/v1/models').length, 0, 'nothing billable was called');
    assert.match(byId(r.checks, 'cost.budget').detail, /daily \$1\.00, monthly \$20\.00/);
    assert.match(byId(r.checks, 'cloud.apiKey').detail, /sk-…cdef/);
    assert.ok(!JSON.stringify(r).includes(KEY), 'the key itself never appears in the report');
  });

  it('a warm model is reported warm', async () => {
    const r = await runDoctor(deps());
    assert.match(byId(r.checks, 'local.latency').detail, /already loaded \(warm\)/);
  });

  it('server down: fails with "ollama serve", skips what depends on it, sends nothing else', async () => {
    const r = await runDoctor(deps({ 'local.endpoint': 'http://127.0.0.1:9' }));
    assert.equal(r.overall, 'fail');
    const server = byId(r.checks, 'local.server');
    assert.equal(server.status, 'fail');
    assert.equal(server.fix?.shellCommand, 'ollama serve');
    for (const id of ['local.model', 'local.fim', 'local.latency']) assert.equal(byId(r.checks, id).status, 'skip');
    assert.equal(ollama.requests.length, 0);
  });

  it('model missing: offers the exact pull command', async () => {
    const r = await runDoctor(deps({ 'local.model': 'qwen2.5-coder:7b-base' }));
    const model = byId(r.checks, 'local.model');
    assert.equal(model.status, 'fail');
    assert.equal(model.fix?.shellCommand, "ollama pull 'qwen2.5-coder:7b-base'");
    assert.equal(byId(r.checks, 'local.server').status, 'ok');
    assert.match(byId(r.checks, 'local.server').detail, /0\.12\.6/, 'the version is still reported');
  });

  it('a model without FIM: fails the FIM check and points at the model setting', async () => {
    ollama.configure({ models: [{ name: 'llama3.2:1b', capabilities: ['completion'] }] });
    const r = await runDoctor(deps({ 'local.model': 'llama3.2:1b' }));
    const fim = byId(r.checks, 'local.fim');
    assert.equal(fim.status, 'fail');
    assert.deepEqual(fim.fix?.args, ['tandem.local.model']);
    assert.equal(byId(r.checks, 'local.latency').status, 'skip');
  });

  it('a broken stream: the timed completion fails, the rest is still reported', async () => {
    ollama.configure({ fault: { kind: 'garbage' } });
    const r = await runDoctor(deps());
    assert.equal(byId(r.checks, 'local.latency').status, 'fail');
    assert.equal(byId(r.checks, 'cloud.reachable').status, 'ok');
  });

  it('a rejected key: 401 fails the cloud check with a Set API Key fix', async () => {
    const r = await runDoctor(deps({}, { apiKey: async () => 'sk-wrong-key-000000' }));
    const cloud = byId(r.checks, 'cloud.reachable');
    assert.equal(cloud.status, 'fail');
    assert.match(cloud.detail, /HTTP 401/);
    assert.equal(cloud.fix?.command, 'tandem.setApiKey');
  });

  it('no key: warns with the fix, and does not call the cloud', async () => {
    const r = await runDoctor(deps({}, { apiKey: async () => undefined }));
    assert.equal(byId(r.checks, 'cloud.apiKey').status, 'warn');
    assert.equal(byId(r.checks, 'cloud.apiKey').fix?.command, 'tandem.setApiKey');
    assert.equal(byId(r.checks, 'cloud.reachable').status, 'skip');
    assert.equal(openai.requests.length, 0);
  });

  it('a workspace-chosen base URL never receives the key', async () => {
    const r = await runDoctor(deps({}, { userLevelBaseUrl: undefined }));
    const cloud = byId(r.checks, 'cloud.reachable');
    assert.equal(cloud.status, 'fail');
    assert.match(cloud.detail, /not sent there/);
    assert.equal(openai.requests.length, 0);
  });

  it('cloud unreachable: fails', async () => {
    const r = await runDoctor(deps({ 'cloud.baseUrl': 'http://127.0.0.1:9/v1' }, { userLevelBaseUrl: 'http://127.0.0.1:9/v1' }));
    assert.equal(byId(r.checks, 'cloud.reachable').status, 'fail');
    assert.match(byId(r.checks, 'cloud.reachable').detail, /not reachable/);
  });

  it('local only: no cloud call at all, and says so', async () => {
    const r = await runDoctor(deps({ 'privacy.mode': 'localOnly' }));
    assert.equal(byId(r.checks, 'cloud.reachable').status, 'skip');
    assert.match(byId(r.checks, 'privacy.mode').detail, /Local only/);
    assert.equal(openai.requests.length, 0);
  });

  it('no budget: warns in hybrid mode', async () => {
    const r = await runDoctor(deps({}, { budget: { warnAtFraction: 0.8, hardStop: true } }));
    assert.equal(byId(r.checks, 'cost.budget').status, 'warn');
  });

  it('an OpenAI-compatible local server is checked through /v1', async () => {
    const local = await startOpenAiDouble({ models: ['qwen2.5-coder-1.5b'] });
    try {
      const r = await runDoctor(deps({ 'local.provider': 'openai-compatible', 'local.endpoint': `${local.url}/v1`, 'local.model': 'qwen2.5-coder-1.5b' }));
      assert.equal(byId(r.checks, 'local.server').status, 'ok', formatDoctorText(r));
      assert.equal(byId(r.checks, 'local.latency').status, 'ok', formatDoctorText(r));
    } finally {
      await local.close();
    }
  });

  it('formats as text with a mark, the fix and an overall line', async () => {
    const r = await runDoctor(deps({ 'local.model': 'nope:1b' }));
    const text = formatDoctorText(r);
    assert.match(text, /✖ FAIL Model: Model "nope:1b" is not available on the server/);
    assert.match(text, /fix: run `ollama pull 'nope:1b'`/);
    assert.match(text, /Overall: FAIL/);
  });

  it('masks keys', () => {
    assert.equal(maskKey('sk-abcdefghijkl'), 'sk-…ijkl');
    assert.equal(maskKey('short'), '…');
  });
});

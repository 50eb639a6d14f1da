// Issue 13: a team server behind a token. The OpenAI-compatible backend used to send the
// placeholder key `not-needed`, the Ollama backend nothing; vLLM --api-key, LiteLLM and auth proxies
// answer 401. Real clients (openai, ollama) against the vLLM double and the Ollama double.
import { strict as assert } from 'node:assert';
import { createLocalBackend } from '../../../src/core/backends/createLocalBackend';
import { BackendError } from '../../../src/core/shared/modelBackend';
import { systemClock } from '../../../src/core/shared/clock';
import { CompletionEngine } from '../../../src/core/completion/completionEngine';
import { DEFAULT_ENGINE_SETTINGS } from '../../../src/core/completion/engineSettings';
import { runDoctor } from '../../../src/core/setup/doctor';
import { problemForInlineFailure } from '../../../src/core/setup/problemNotifier';
import { readSettings, readSettingsSnapshot, type TandemSettings } from '../../../src/core/settings';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';
import { startVllmDouble, type VllmDouble } from '../../doubles/vllmDouble';

const TOKEN = 'team-token-7f3a9c';
const MODEL_VLLM = 'qwen2.5-coder-1.5b';
const req = { prefix: 'function add(a, b) {\n  return ', suffix: '\n}\n', languageId: 'javascript', maxTokens: 16, stop: [], temperature: 0.2 };

describe('local server token', function () {
  this.timeout(15_000);
  let vllm: VllmDouble;
  let ollama: OllamaDouble;
  before(async () => {
    vllm = await startVllmDouble({ model: MODEL_VLLM, apiKey: TOKEN, respond: () => 'a + b;\n', capacity: { perTokenMs: 1 } });
    ollama = await startOllamaDouble({ requireBearer: TOKEN, respond: () => 'a + b;\n' });
  });
  after(async () => {
    await vllm.close();
    await ollama.close();
  });
  beforeEach(() => {
    vllm.reset();
    ollama.reset();
  });

  const settingsFor = (provider: 'ollama' | 'openai-compatible'): TandemSettings => readSettings((k) => ({
    'local.provider': provider,
    'local.endpoint': provider === 'ollama' ? ollama.url : `${vllm.url}/v1`,
    'local.model': provider === 'ollama' ? 'qwen2.5-coder:1.5b-base' : MODEL_VLLM,
  } as Record<string, unknown>)[k]);
  const authHeaders = (provider: 'ollama' | 'openai-compatible') =>
    (provider === 'ollama' ? ollama.requests : vllm.requests).map((r) => r.headers.authorization);

  for (const provider of ['openai-compatible', 'ollama'] as const) {
    describe(provider, () => {
      it('without a token: health says a token is needed (401), and no placeholder key is sent', async () => {
        const b = createLocalBackend(settingsFor(provider));
        const h = await b.checkHealth();
        assert.equal(h.kind, 'unauthorized');
        assert.equal(h.kind === 'unauthorized' && h.tokenSent, false);
        assert.equal(h.kind === 'unauthorized' && h.status, 401);
        assert.ok(authHeaders(provider).every((a) => a === undefined), `no Authorization header at all: ${authHeaders(provider).join(',')}`);
        await assert.rejects(b.complete(req, new AbortController().signal), (e: BackendError) => e.kind === 'unauthorized' && /requires a token/.test(e.message));
      });

      it('with the token: Authorization: Bearer reaches the server; ready and completing', async () => {
        const b = createLocalBackend(settingsFor(provider), { token: TOKEN });
        const h = await b.checkHealth();
        assert.equal(h.kind, 'ready', JSON.stringify(h));
        const r = await b.complete(req, new AbortController().signal);
        assert.match(r.text, /a \+ b;/);
        assert.ok(authHeaders(provider).length > 0 && authHeaders(provider).every((a) => a === `Bearer ${TOKEN}`));
      });

      it('a wrong token: "rejected", and the engine turns it into a skip the status bar shows, not a popup per keystroke', async () => {
        const b = createLocalBackend(settingsFor(provider), { token: 'wrong' });
        const h = await b.checkHealth();
        assert.equal(h.kind === 'unauthorized' && h.tokenSent, true);
        const engine = new CompletionEngine({ backend: () => b, clock: systemClock, settings: () => ({ ...DEFAULT_ENGINE_SETTINGS, minDebounceMs: 0, maxDebounceMs: 0, speculative: 'off' }) });
        const o = await engine.complete({ documentKey: 'file:///a.js', languageId: 'javascript', text: 'const x = \n', offset: 10, trigger: 'automatic' }, new AbortController().signal);
        assert.equal(o.kind === 'skipped' && o.reason, 'unauthorized');
        // Typing on: the circuit holds automatic requests back instead of sending each keystroke.
        const before = authHeaders(provider).length;
        for (let i = 0; i < 5; i++) {
          await engine.complete({ documentKey: 'file:///a.js', languageId: 'javascript', text: `const x${i} = \n`, offset: 11, trigger: 'automatic' }, new AbortController().signal);
        }
        assert.equal(authHeaders(provider).length, before, 'no further requests while the breaker is open');
        engine.dispose();
        const problem = problemForInlineFailure({ reason: 'unauthorized', detail: o.kind === 'skipped' ? o.detail : '', trigger: 'automatic', model: 'm', endpoint: 'e', provider, consecutiveFailures: 10 });
        assert.equal(problem, undefined, 'typing never pops up');
        const asked = problemForInlineFailure({ reason: 'unauthorized', detail: 'x', trigger: 'invoke', model: 'm', endpoint: 'e', provider });
        assert.equal(asked?.channel, 'statusMessage');
      });

      it('Check Setup says the token was rejected and offers the command that sets it', async () => {
        const s = settingsFor(provider);
        const run = (token?: string) => runDoctor({
          settings: s, localBackend: createLocalBackend(s, { token }), apiKey: async () => undefined, userLevelBaseUrl: undefined,
          budget: { hardStop: true, warnAtFraction: 0.8 }, timeoutMs: 3000,
        });
        const rejected = (await run('wrong')).checks.find((c) => c.id === 'local.server')!;
        assert.equal(rejected.status, 'fail');
        assert.match(rejected.detail, /rejected the local server token \(HTTP 401\)/);
        assert.equal(rejected.fix?.command, 'tandem.setLocalToken');
        const missing = (await run()).checks.find((c) => c.id === 'local.server')!;
        assert.match(missing.detail, /requires a token \(HTTP 401\)/);
        const ok = (await run(TOKEN)).checks.find((c) => c.id === 'local.server')!;
        assert.equal(ok.status, 'ok');
      });
    });
  }

  it('a server at capacity (429): a "busy" skip that never pops up, not an error', async () => {
    const busy = await startVllmDouble({ model: MODEL_VLLM, respond: () => 'a '.repeat(300), capacity: { maxRunning: 1, overload: 'reject', perTokenMs: 50 } });
    try {
      const s = readSettings((k) => ({ 'local.provider': 'openai-compatible', 'local.endpoint': `${busy.url}/v1`, 'local.model': MODEL_VLLM } as Record<string, unknown>)[k]);
      const hog = new AbortController();
      const holding = createLocalBackend(s).complete({ ...req, maxTokens: 300 }, hog.signal).catch(() => undefined);
      while (busy.model.runningCount === 0) await new Promise((r) => setTimeout(r, 5));
      const engine = new CompletionEngine({ backend: () => createLocalBackend(s), clock: systemClock, settings: () => ({ ...DEFAULT_ENGINE_SETTINGS, minDebounceMs: 0, maxDebounceMs: 0, speculative: 'off' }) });
      const o = await engine.complete({ documentKey: 'file:///a.js', languageId: 'javascript', text: 'const x = \n', offset: 10, trigger: 'automatic' }, new AbortController().signal);
      engine.dispose();
      hog.abort();
      await holding;
      assert.equal(o.kind === 'skipped' && o.reason, 'serverBusy');
      assert.equal(busy.model.stats.refused, 1);
      assert.equal(problemForInlineFailure({ reason: 'serverBusy', trigger: 'automatic', model: 'm', endpoint: 'e', provider: 'openai-compatible', consecutiveFailures: 20 }), undefined);
    } finally {
      await busy.close();
    }
  });

  describe('only the user-level endpoint receives the token (settings snapshot policy)', () => {
    // [user-level endpoint, workspace endpoint, token may go to the effective endpoint]
    const table: Array<[string | undefined, string | undefined, boolean]> = [
      ['http://gpu.team.internal:8000/v1', undefined, true],
      ['http://gpu.team.internal:8000/v1/', undefined, true],
      // A cloned repository's .vscode/settings.json points the endpoint elsewhere: no token.
      ['http://gpu.team.internal:8000/v1', 'http://evil.example:8000/v1', false],
      ['http://gpu.team.internal:8000/v1', 'http://gpu.team.internal:8001/v1', false],
      ['http://gpu.team.internal:8000/v1', 'https://gpu.team.internal:8000/v1', false],
      // The workspace repeats the user's own endpoint: still the user's choice.
      ['http://gpu.team.internal:8000/v1', 'http://gpu.team.internal:8000/v1', true],
      // No user-level endpoint: only the default (this machine's Ollama) may get it.
      [undefined, undefined, true],
      [undefined, 'http://gpu.team.internal:8000/v1', false],
    ];
    for (const [user, workspace, allowed] of table) {
      it(`user ${user ?? 'unset'}, workspace ${workspace ?? 'unset'} -> ${allowed ? 'token' : 'no token'}`, () => {
        const snap = readSettingsSnapshot({
          user: (k) => (k === 'local.endpoint' ? user : undefined),
          workspace: (k) => (k === 'local.endpoint' ? workspace : undefined),
          trusted: true,
        });
        assert.equal(snap.policy.localTokenAllowed, allowed);
      });
    }
    it('a workspace cannot allow a remote host for local-only mode (user-only setting)', () => {
      const snap = readSettingsSnapshot({
        user: () => undefined,
        workspace: (k) => (k === 'local.allowedRemoteHosts' ? ['evil.example'] : undefined),
        trusted: true,
      });
      assert.deepEqual(snap.local.allowedRemoteHosts, []);
      assert.ok(snap.ignoredWorkspaceKeys.includes('local.allowedRemoteHosts'));
    });
  });
});

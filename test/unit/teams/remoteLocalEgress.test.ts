// Issue 11 item 4: "local" that is not local. With tandem.local.endpoint on another machine, inline
// code, a hard-coded password and another file's snippet used to reach that host while the status
// said nothing leaves the machine (local-only mode too), and the egress log stayed empty. Here the
// real engine and the real backends send to `gpu.team.internal`, which an injected fetch resolves
// to the loopback double (nothing ever leaves 127.0.0.1): the status says remote, local-only
// refuses, and the egress log holds every request (size and SHA-256 of the exact body, no text).
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { systemClock } from '../../../src/core/shared/clock';
import { CompletionEngine } from '../../../src/core/completion/completionEngine';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../../src/core/completion/engineSettings';
import { EgressLog, memoryLineStore } from '../../../src/core/privacy/egressLog';
import { isLoopbackHostname, localDestination } from '../../../src/core/privacy/localDestination';
import { LocalEgressRecorder } from '../../../src/core/privacy/localEgressRecorder';
import { describePrivacy, type PrivacyStatusInput } from '../../../src/core/status/privacyStatus';
import { decideRoute } from '../../../src/core/routing/routeDecision';
import { describeLocalState } from '../../../src/core/status/localState';
import { LocalEgressBackend } from '../../../src/core/routing/localEgressBackend';
import { readSettings, type PrivacyMode } from '../../../src/core/settings';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';
import { startVllmDouble, type VllmDouble } from '../../doubles/vllmDouble';

const PASSWORD = 'Tr0ub4dor&3-prod-db';
const CODE = `import { connect } from './db';\nconst DB_PASSWORD = "${PASSWORD}";\nexport async function open() {\n  return connect({ password: DB_PASSWORD, host: 'db.internal' });\n}\nexport function |\n`;
const SNIPPET = { path: 'src/billing.ts', text: 'export const BILLING_SECRET_PLAN = "enterprise-gold";' };

/** A fetch that sends requests for `gpu.team.internal` to the loopback double (a fake DNS). */
function teamDns(loopbackPort: number): typeof fetch {
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname !== 'gpu.team.internal') throw new Error(`test fetch only resolves gpu.team.internal, not ${url.hostname}`);
    url.hostname = '127.0.0.1';
    url.port = String(loopbackPort);
    return fetch(url, init);
  };
}

function ctx() {
  const offset = CODE.indexOf('|');
  return {
    documentKey: 'file:///work/app/src/db.ts', languageId: 'typescript', text: CODE.replace('|', ''), offset,
    trigger: 'invoke' as const, snippets: [SNIPPET],
  };
}

const engineSettings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, minDebounceMs: 0, maxDebounceMs: 0, speculative: 'off' };

describe('a non-loopback local endpoint is egress', function () {
  this.timeout(15_000);

  describe('loopback is decided from the URL alone', () => {
    const table: Array<[string, boolean]> = [
      ['localhost', true], ['LOCALHOST', true], ['api.localhost', true], ['127.0.0.1', true], ['127.0.0.2', true],
      ['127.255.255.254', true], ['[::1]', true], ['::1', true], ['::ffff:7f00:1', true],
      ['gpu.team.internal', false], ['10.0.0.5', false], ['192.168.1.20', false], ['0.0.0.0', false],
      ['localhost.evil.com', false], ['127.0.0.1.nip.io', false], ['128.0.0.1', false], ['::ffff:a00:1', false], ['127.0.0.256', false],
    ];
    for (const [host, loopback] of table) {
      it(`${host} -> ${loopback ? 'this machine' : 'another machine'}`, () => assert.equal(isLoopbackHostname(host), loopback));
    }
    it('allowed hosts match host or host:port, case-insensitively; anything else stays not allowed', () => {
      assert.deepEqual(localDestination('http://GPU.team.internal:8000/v1', ['gpu.team.internal']), { kind: 'remote', host: 'gpu.team.internal:8000', allowed: true });
      assert.deepEqual(localDestination('http://gpu.team.internal:8000/v1', ['gpu.team.internal:9000']), { kind: 'remote', host: 'gpu.team.internal:8000', allowed: false });
      assert.equal(localDestination('http://127.0.0.1:11434', []).kind, 'loopback');
      assert.equal(localDestination('not a url', ['not a url']).kind, 'remote');
    });
  });

  describe('status and routing', () => {
    const input = (mode: PrivacyMode, allowed: string[]): PrivacyStatusInput => ({
      mode, trusted: true, hasApiKey: true, endpointAllowed: true, cloudHost: 'api.openai.com', cloudModel: 'gpt-5.4-mini',
      cloudFallback: false, inlineInExcludedFiles: false, localHealth: { kind: 'ready', model: 'm', fim: 'native' },
      localDestination: localDestination('http://gpu.team.internal:8000/v1', allowed),
      activeFile: { path: 'src/db.ts', exclusion: { excluded: false } },
    });
    it('hybrid: the status names the host and says code leaves; inline goes to the remote local model', () => {
      const v = describePrivacy(input('hybrid', []));
      assert.match(v.text, /gpu\.team\.internal:8000/);
      assert.match(v.tooltip[0], /another machine/);
      assert.equal(v.inline.kind, 'local');
      assert.equal(v.inline.kind === 'local' && v.inline.remoteHost, 'gpu.team.internal:8000');
      assert.equal(v.severity, 'warning');
    });
    it('local only: refused (inline and refactor), and the status never says "nothing leaves" while pointing elsewhere', () => {
      const v = describePrivacy(input('localOnly', []));
      assert.equal(v.inline.kind, 'refuse');
      assert.equal(v.inline.reason, 'remoteLocalEndpoint');
      assert.equal(v.refactor.kind, 'refuse');
      assert.match(v.text, /blocked/);
      assert.doesNotMatch(v.tooltip.join('\n'), /Nothing leaves this machine/);
    });
    it('local only with the host allowed in user settings: runs there, and says so', () => {
      const v = describePrivacy(input('localOnly', ['gpu.team.internal']));
      assert.equal(v.inline.kind, 'local');
      assert.match(v.tooltip[0], /code leaves this machine for that server/);
    });
    it('the local model item says where code goes, and "remote blocked" in local-only mode', () => {
      const base = { health: { kind: 'ready' as const, model: 'm', fim: 'native' as const }, busy: false, provider: 'ollama' as const, endpoint: 'http://gpu.team.internal:11434', model: 'm', inlineEnabled: true };
      const remote = describeLocalState({ ...base, remote: { host: 'gpu.team.internal:11434', blocked: false } });
      assert.match(remote.tooltip.join('\n'), /Code goes to gpu\.team\.internal:11434, another machine/);
      assert.match(remote.tooltip[0], /code leaves this machine/);
      const blocked = describeLocalState({ ...base, privacyMode: 'localOnly', remote: { host: 'gpu.team.internal:11434', blocked: true } });
      assert.equal(blocked.text, 'Tandem: remote blocked');
      const here = describeLocalState({ ...base, endpoint: 'http://127.0.0.1:11434' });
      assert.doesNotMatch(here.tooltip.join('\n'), /another machine/);
    });
    it('an excluded file is never completed on another machine, even with enableInExcludedFiles', () => {
      const d = decideRoute({
        kind: 'inline', mode: 'hybrid', trusted: true, excluded: { excluded: true, rule: '.env*' }, localHealth: 'ready', cloudFallback: false,
        explicitInvoke: false, inlineInExcludedFiles: true, budget: { kind: 'ok' }, hasApiKey: true, endpointAllowed: true,
        localDestination: localDestination('http://gpu.team.internal:8000', []),
      });
      assert.equal(d.kind, 'refuse');
    });
    it('the user-allowed hosts setting is application-scoped in the manifest (a workspace cannot allow a host)', () => {
      const pkg = require('../../../package.json');
      const props = Object.assign({}, ...pkg.contributes.configuration.map((c: { properties: object }) => c.properties));
      assert.equal(props['tandem.local.allowedRemoteHosts'].scope, 'application');
    });
  });

  for (const provider of ['ollama', 'openai-compatible'] as const) {
    describe(`through the real engine and the ${provider} backend`, () => {
      let ollama: OllamaDouble | undefined;
      let vllm: VllmDouble | undefined;
      let port = 0;
      beforeEach(async () => {
        if (provider === 'ollama') {
          ollama = await startOllamaDouble({ respond: () => 'openPool();\n' });
          port = Number(new URL(ollama.url).port);
        } else {
          vllm = await startVllmDouble({ model: 'qwen2.5-coder-1.5b', respond: () => 'openPool();\n', capacity: { perTokenMs: 1 } });
          port = vllm.port;
        }
      });
      afterEach(async () => {
        await ollama?.close();
        await vllm?.close();
        ollama = vllm = undefined;
      });
      const bodies = (): string[] => provider === 'ollama'
        ? ollama!.requests.filter((r) => r.path === '/api/generate' && r.body?.prompt).map((r) => JSON.stringify(r.body))
        : vllm!.requests.filter((r) => r.path === '/v1/completions').map(() => '');

      function setup(mode: PrivacyMode, allowed: string[] = []) {
        const endpoint = provider === 'ollama' ? 'http://gpu.team.internal:11434' : 'http://gpu.team.internal:8000/v1';
        const s = readSettings((k) => ({ 'local.provider': provider, 'local.endpoint': endpoint, 'local.model': provider === 'ollama' ? 'qwen2.5-coder:1.5b-base' : 'qwen2.5-coder-1.5b' } as Record<string, unknown>)[k]);
        const store = memoryLineStore();
        const recorder = new LocalEgressRecorder(new EgressLog(store), { delayMs: 60_000 });
        const sent: string[] = [];
        const dns = teamDns(port);
        const spy: typeof fetch = (input, init) => {
          if (typeof init?.body === 'string' && init.method === 'POST' && /generate|completions/.test(String(input))) sent.push(init.body);
          return dns(input, init);
        };
        const backend = new LocalEgressBackend(s, {
          policy: () => ({ mode, allowedRemoteHosts: allowed }), recorder, workspace: () => 'app',
          filePathOf: (key) => key.replace('file:///work/app/', ''), fetch: spy,
        });
        const engine = new CompletionEngine({ backend: () => backend, clock: systemClock, settings: () => engineSettings });
        return { store, recorder, engine, sent };
      }

      it('hybrid: code, the password and the snippet go to the host, and every request is in the egress log (hash, size, host; no text)', async () => {
        const { store, recorder, engine, sent } = setup('hybrid');
        const o = await engine.complete(ctx(), new AbortController().signal);
        assert.equal(o.kind, 'shown', JSON.stringify(o));
        const o2 = await engine.complete({ ...ctx(), text: ctx().text.replace('open()', 'openAll()'), offset: ctx().offset + 3 }, new AbortController().signal);
        assert.equal(o2.kind, 'shown');
        engine.dispose();
        assert.equal(sent.length, 2);
        assert.ok(sent.every((b) => b.includes(PASSWORD) && b.includes('BILLING_SECRET_PLAN')), 'what reached the server carried the code, the password and the snippet');
        assert.equal(store.text(), '', 'nothing written on the request path');
        await recorder.flush();
        const { entries } = await new EgressLog(store).read();
        // Every request made for a completion is there (Ollama's once-per-model /api/show too: it
        // carries only the model name); each completion body by its exact size and hash.
        assert.equal(entries.length, sent.length + (provider === 'ollama' ? 1 : 0));
        for (const e of entries) {
          assert.equal(e.endpointHost, provider === 'ollama' ? 'gpu.team.internal:11434' : 'gpu.team.internal:8000');
          assert.equal(e.feature, 'inlineLocal');
          assert.equal(e.filePath, 'src/db.ts');
          assert.equal(e.workspace, 'app');
        }
        for (const body of sent) {
          const sha = createHash('sha256').update(body).digest('hex');
          assert.ok(entries.some((e) => e.sha256 === sha && e.bytes === Buffer.byteLength(body)), 'the body sent is recorded by hash and size');
        }
        assert.doesNotMatch(store.text(), new RegExp(`${PASSWORD.replace(/[&]/g, '.')}|BILLING|connect`), 'no payload in the log');
        assert.equal(bodies().length, 2);
      });

      it('local only: refused before anything is sent; nothing reaches the server', async () => {
        const { engine, sent, recorder, store } = setup('localOnly');
        const o = await engine.complete(ctx(), new AbortController().signal);
        engine.dispose();
        assert.equal(o.kind, 'skipped');
        assert.equal(sent.length, 0);
        assert.equal(bodies().length, 0);
        await recorder.flush();
        assert.equal(store.text(), '');
      });

      it('local only with the host allowed in user settings: sent and recorded', async () => {
        const { engine, sent, recorder, store } = setup('localOnly', ['gpu.team.internal']);
        const o = await engine.complete(ctx(), new AbortController().signal);
        engine.dispose();
        assert.equal(o.kind, 'shown');
        assert.equal(sent.length, 1);
        await recorder.flush();
        assert.equal((await new EgressLog(store).read()).entries.length, provider === 'ollama' ? 2 : 1);
      });
    });
  }

  it('a loopback endpoint is not egress: nothing is recorded', async () => {
    const double = await startOllamaDouble({ respond: () => 'x();\n' });
    try {
      const s = readSettings((k) => ({ 'local.endpoint': double.url } as Record<string, unknown>)[k]);
      const store = memoryLineStore();
      const recorder = new LocalEgressRecorder(new EgressLog(store), { delayMs: 1 });
      const backend = new LocalEgressBackend(s, { policy: () => ({ mode: 'localOnly', allowedRemoteHosts: [] }), recorder });
      const engine = new CompletionEngine({ backend: () => backend, clock: systemClock, settings: () => engineSettings });
      assert.equal((await engine.complete(ctx(), new AbortController().signal)).kind, 'shown');
      engine.dispose();
      await recorder.flush();
      assert.equal(store.text(), '');
    } finally {
      await double.close();
    }
  });
});

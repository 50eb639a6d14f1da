// End to end, below the editor: RefactorService.run (router, gate, redaction, the real openai SDK)
// against the loopback OpenAI double, over generated workspaces with excluded files and planted
// secrets. What is checked is what the double RECEIVED on the wire, not what the gate returned.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { SpendLedger } from '../../../src/core/cost/ledger';
import { EgressLog, memoryLineStore } from '../../../src/core/privacy/egressLog';
import { createPathExcluder } from '../../../src/core/privacy/pathExclusion';
import type { RefactorRequest } from '../../../src/core/refactor/refactorService';
import type { SettingsSnapshot } from '../../../src/core/settings';
import { snapshotOf } from '../../support/settingsSnapshot';
import { refactorServiceFor } from '../../support/cloudServices';
import { startOpenAiDouble, type OpenAiDouble, type RecordedOpenAiRequest } from '../../doubles/openaiDouble';
import { buildWorkspace, selectionIn, workspaceArbitrary } from './fixtures/generatedWorkspace';

const API_KEY = 'sk-test-e2e-0123456789';
const ADDED_LINE = 'const refactoredByDouble = true;';

/** The selection the double was sent, read out of the user message the way a model would see it. */
function sentSelection(req: RecordedOpenAiRequest): string | undefined {
  const user = (req.body?.messages ?? []).find((m: { role: string }) => m.role === 'user')?.content as string | undefined;
  const m = user ? /The selection to rewrite:\n(`{3,})[^\n]*\n([\s\S]*?)\n?\1(?:\n|$)/.exec(user) : null;
  return m ? m[2] : undefined;
}

describe('RefactorService.run against the OpenAI double: nothing excluded or secret reaches the wire', function () {
  this.timeout(120_000);
  let double: OpenAiDouble;
  let ledgerDir: string;

  before(async () => {
    // The "model" echoes the selection it received (placeholders included) and adds one line, so
    // the preview shows whether the placeholders were put back.
    double = await startOpenAiDouble({
      respond: (req) => `\`\`\`\n${(sentSelection(req) ?? '').replace(/\n$/, '')}\n${ADDED_LINE}\n\`\`\``,
    });
    ledgerDir = mkdtempSync(path.join(tmpdir(), 'tandem-e2e-ledger-'));
  });

  after(async () => {
    await double?.close();
    rmSync(ledgerDir, { recursive: true, force: true });
  });

  const excluder = createPathExcluder({ globs: ['**/*.private.ts'], tandemignoreText: 'internal/\n' });

  function service(changes: { settings?: Record<string, unknown>; trusted?: boolean; userBaseUrl?: string | null } = {}) {
    const baseUrl = `${double.url}/v1`;
    const raw: Record<string, unknown> = { 'cloud.baseUrl': baseUrl, 'cloud.model': 'gpt-5.4-mini', ...changes.settings };
    const userBaseUrl = changes.userBaseUrl === null ? undefined : changes.userBaseUrl ?? baseUrl;
    const settings: SettingsSnapshot = snapshotOf({ ...raw, 'cloud.baseUrl': userBaseUrl }, { 'cloud.baseUrl': raw['cloud.baseUrl'] });
    const egressStore = memoryLineStore();
    const egress = new EgressLog(egressStore);
    const svc = refactorServiceFor({
      settings: () => settings,
      trusted: () => changes.trusted ?? true,
      workspaceName: () => 'generated',
      isExcluded: (p) => excluder.isExcludedPath(p),
      localHealth: () => ({ kind: 'ready', model: 'qwen2.5-coder:1.5b-base', fim: 'native' }),
      apiKey: async () => API_KEY,
      ledger: new SpendLedger(ledgerDir),
      egress,
    });
    return { svc, egress };
  }

  function request(relativePath: string, text: string, start: number, end: number): RefactorRequest {
    return {
      relativePath,
      path: relativePath,
      selection: text.slice(start, end),
      before: text.slice(0, start),
      after: text.slice(end),
      languageId: 'typescript',
      instruction: 'Tidy this up.',
      range: { start, end },
      documentVersion: 1,
      eol: '\n',
    };
  }

  const workspaceArb = workspaceArbitrary({ maxFiles: 4, maxLines: 10 });

  it('for generated workspaces: excluded files are refused with 0 requests; sent bodies hold no planted secret; the preview has them back', async () => {
    let sends = 0;
    let refusals = 0;
    await fc.assert(
      fc.asyncProperty(workspaceArb, async (ws) => {
        // Secrets go into every file, excluded ones too: those must not leave either.
        const files = buildWorkspace(ws, { plantInExcluded: true });
        const { current, start, end } = selectionIn(ws, files);
        const req = request(current.path, current.text, start, end);

        double.reset();
        const { svc, egress } = service();
        let asked = 0;
        const result = await svc.run(req, { signal: new AbortController().signal, confirmSecrets: async () => { asked++; return true; } });

        if (current.excluded || excluder.isExcludedPath(current.path).excluded) {
          refusals++;
          assert.equal(result.kind, 'refused');
          assert.equal(result.kind === 'refused' && result.reason, 'excludedFile');
          assert.equal(double.requests.length, 0, 'an excluded file makes no request');
          assert.equal((await egress.read()).entries.length, 0);
          return;
        }
        sends++;
        assert.equal(double.requests.length, 1, `one request (outcome ${result.kind})`);
        const wire = JSON.stringify(double.requests[0].body);
        for (const f of files) {
          if (f.excluded) assert.ok(!wire.includes(f.marker), `content of excluded ${f.path} reached the double`);
          for (const s of f.secrets) assert.ok(!wire.includes(s), `planted secret from ${f.path} reached the double: ${s}`);
        }
        assert.equal(double.requests[0].headers.authorization, `Bearer ${API_KEY}`);

        const selectionSecrets = current.secrets.filter((s) => req.selection.includes(s));
        if (selectionSecrets.length > 0) assert.equal(asked, 1, 'a selection holding a secret asks first');

        assert.equal(result.kind, 'preview', JSON.stringify(result));
        if (result.kind !== 'preview') return;
        assert.ok(result.newText.includes(ADDED_LINE));
        assert.ok(!result.newText.includes('TANDEM_REDACTED_'), 'no placeholder left in the preview');
        for (const s of selectionSecrets) assert.ok(result.newText.includes(s), 'the original secret is restored in the preview');

        const { entries } = await egress.read();
        assert.equal(entries.length, 1, 'one egress record per cloud send');
        const e = entries[0];
        assert.equal(e.filePath, current.path);
        assert.equal(e.endpointHost, new URL(double.url).host);
        assert.match(e.sha256, /^[0-9a-f]{64}$/);
        assert.ok(e.bytes > 0);
        if (current.secrets.some((s) => current.text.includes(s))) assert.ok(e.redactionCount > 0, 'redactions are counted');
        assert.ok(!JSON.stringify(e).includes(req.selection.trim().slice(0, 40)) || req.selection.trim().length < 12, 'the record holds no payload');
      }),
      { numRuns: 40, seed: 20260601 },
    );
    // The generator must exercise both paths, or the property says little.
    assert.ok(sends > 5 && refusals > 5, `sends ${sends}, refusals ${refusals}`);
  });

  const GH = 'gh' + 'p_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
  const FILE = `export function client() {\n  const token = "${GH}";\n  return new Octokit({ auth: token });\n}\n`;
  const sel = { start: FILE.indexOf('  const'), end: FILE.indexOf('  return') };

  it('a declined confirmation sends nothing', async () => {
    double.reset();
    const { svc, egress } = service();
    const r = await svc.run(request('src/gh.ts', FILE, sel.start, sel.end), { signal: new AbortController().signal, confirmSecrets: async () => false });
    assert.equal(r.kind, 'refused');
    assert.equal(r.kind === 'refused' && r.reason, 'secretNotConfirmed');
    assert.equal(double.requests.length, 0);
    assert.equal((await egress.read()).entries.length, 0);
  });

  for (const [name, changes, reason] of [
    ['an untrusted workspace', { trusted: false }, 'untrustedWorkspace'],
    ['local-only mode', { settings: { 'privacy.mode': 'localOnly', 'local.endpoint': 'http://127.0.0.1:9' } }, undefined],
    ['a base URL the user did not set (the workspace redirected it)', { userBaseUrl: null }, 'endpointNotAllowed'],
  ] as const) {
    it(`${name} makes 0 requests to the cloud double`, async () => {
      double.reset();
      const { svc, egress } = service(changes);
      // The local model would be used for these only if the user chose it (forceLocal), or in
      // local-only mode, where the local backend is Ollama at an address nothing listens on here.
      const r = await svc.run(request('src/gh.ts', FILE, sel.start, sel.end),
        { signal: new AbortController().signal, confirmSecrets: async () => true });
      assert.equal(double.requests.length, 0, `outcome ${JSON.stringify(r)}`);
      assert.equal((await egress.read()).entries.length, 0);
      if (reason) {
        assert.equal(r.kind, 'refused');
        assert.equal(r.kind === 'refused' && r.reason, reason);
      }
    });
  }
});

// Cloud help for inline completions, end to end in one process: the real router, budget, cloud gate
// (secretlint redaction), the openai SDK against the OpenAI double, a real ledger and egress log.
// What matters is what the server saw (or did not), what was recorded, and what would be shown.
import type { CloudContext } from '../../../src/core/routing/cloudContext';
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelHealth } from '../../../src/core/shared/modelBackend';
import {
  AUTO_CLOUD_MIN_INTERVAL_MS, CLOUD_INLINE_MAX_OUTPUT_TOKENS, CloudInlineService, CURSOR_MARKER,
  type CloudInlineDeps, type CloudInlineRequest, type CloudInlineResult,
} from '../../../src/core/completion/cloudInlineService';
import { SpendLedger } from '../../../src/core/cost/ledger';
import { EgressLog, memoryLineStore } from '../../../src/core/privacy/egressLog';
import { createPathExcluder } from '../../../src/core/privacy/pathExclusion';
import { snapshotOf } from '../../support/settingsSnapshot';
import { cloudInlineServiceFor } from '../../support/cloudServices';
import { startOpenAiDouble, type OpenAiDouble } from '../../doubles/openaiDouble';

const KEY = 'sk-test-inline-0123456789';
const READY: ModelHealth = { kind: 'ready', model: 'qwen2.5-coder:1.5b-base', fim: 'native' };
const OFFLINE: ModelHealth = { kind: 'offline', detail: 'connect ECONNREFUSED 127.0.0.1:9' };
const GH = 'gh' + 'p_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';

/** A file with the cursor where `|` is. */
function request(withCursor: string, over: Partial<CloudInlineRequest> = {}): CloudInlineRequest {
  const offset = withCursor.indexOf('|');
  return {
    relativePath: 'src/calc.ts', documentKey: 'file:///ws/src/calc.ts', languageId: 'typescript',
    text: withCursor.slice(0, offset) + withCursor.slice(offset + 1), offset, trigger: 'invoke', ...over,
  };
}

const BODY = request('export function multiply(a: number, b: number): number {\n  |\n}\n');

describe('CloudInlineService (router + budget + gate + OpenAI + ledger + egress) against the OpenAI double', () => {
  let openai: OpenAiDouble;
  let dir: string;
  let raw: Record<string, unknown>;
  let trusted: boolean;
  let key: string | undefined;
  let health: ModelHealth;
  let budget: { dailyUsd?: number };
  let egressStore: ReturnType<typeof memoryLineStore>;
  let ledger: SpendLedger;
  let clock: number;
  let sleeps: number[];

  before(async () => {
    openai = await startOpenAiDouble({ apiKey: KEY });
  });
  after(async () => {
    await openai.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-cloud-inline-'));
    openai.reset();
    openai.configure({
      respond: () => 'return a * b;',
      // gpt-5.4-mini: 100 x $0.75/M + 10 x $4.50/M = $0.000075 + $0.000045 = 120 micro-dollars.
      usage: () => ({ prompt_tokens: 100, completion_tokens: 10 }),
      fault: { kind: 'none' },
    });
    raw = { 'cloud.baseUrl': `${openai.url}/v1`, 'inline.cloudFallback': true };
    trusted = true;
    key = KEY;
    health = READY;
    budget = {};
    egressStore = memoryLineStore();
    ledger = new SpendLedger(join(dir, 'ledger'));
    clock = 1_800_000_000_000;
    sleeps = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function service(over: Partial<CloudContext & Pick<CloudInlineDeps, 'sleep'>> = {}): CloudInlineService {
    return cloudInlineServiceFor({
      settings: () => snapshotOf({ ...raw, 'cloud.baseUrl': `${openai.url}/v1`, 'cloud.dailyBudgetUsd': budget.dailyUsd }, { 'cloud.baseUrl': raw['cloud.baseUrl'] }),
      trusted: () => trusted,
      workspaceName: () => 'ws',
      isExcluded: (p) => createPathExcluder().isExcludedPath(p),
      localHealth: () => health,
      apiKey: async () => key,
      ledger,
      egress: new EgressLog(egressStore),
      now: () => clock,
      sleep: async (ms) => { sleeps.push(ms); },
      ...over,
    });
  }

  const run = (s: CloudInlineService, req = BODY, signal = new AbortController().signal) => s.complete(req, signal);
  const chats = () => openai.requests.filter((r) => r.path === '/v1/chat/completions');
  const egress = async () => {
    await new Promise((res) => setImmediate(res));
    const t = egressStore.text().trim();
    return t === '' ? [] : t.split('\n').map((l) => JSON.parse(l));
  };
  function shown(r: CloudInlineResult) {
    assert.equal(r.kind, 'shown', JSON.stringify(r));
    return r as Extract<CloudInlineResult, { kind: 'shown' }>;
  }

  it('an explicit invoke with the fallback on goes to the cloud once, shows the reply and records its reported cost', async () => {
    const r = shown(await run(service()));
    assert.equal(r.text, 'return a * b;');
    assert.equal(r.route.reason, 'cloudFallbackInvoked');
    assert.equal(r.costMicros, 120);
    assert.equal(chats().length, 1);
    const body = chats()[0].body;
    assert.equal(chats()[0].headers.authorization, `Bearer ${KEY}`);
    assert.equal(body.model, 'gpt-5.4-mini');
    assert.equal(body.max_completion_tokens, CLOUD_INLINE_MAX_OUTPUT_TOKENS);
    assert.equal(body.stream, true);
    assert.equal(body.reasoning_effort, undefined, 'the refactor reasoning setting is not used for inline');
    const user = body.messages.at(-1).content as string;
    assert.ok(user.includes(`number {\n  ${CURSOR_MARKER}\n}`), user);
    assert.ok(user.includes('src/calc.ts'), user);
    const { records } = await ledger.read();
    assert.equal(records.length, 1);
    assert.deepEqual(
      { route: records[0].route, command: records[0].command, cost: records[0].costMicros, source: records[0].source, input: records[0].inputTokens },
      { route: 'cloud', command: 'inline', cost: 120, source: 'reported', input: 100 },
    );
    const sent = await egress();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].feature, 'inlineFallback');
    assert.equal(sent[0].filePath, 'src/calc.ts');
    assert.equal(sent[0].costMicros, 120);
    assert.equal(sent[0].endpointHost, `127.0.0.1:${openai.port}`);
  });

  describe('never silently: no request unless the router says cloud', () => {
    const table: Array<[string, () => void, string, string]> = [
      ['fallback off (the default)', () => { delete raw['inline.cloudFallback']; }, 'local', 'inlineLocal'],
      ['fallback off, local model down', () => { delete raw['inline.cloudFallback']; health = OFFLINE; }, 'refuse', 'localDown'],
      ['local-only privacy mode', () => { raw['privacy.mode'] = 'localOnly'; }, 'local', 'inlineLocal'],
      ['local-only mode, local model down', () => { raw['privacy.mode'] = 'localOnly'; health = OFFLINE; }, 'refuse', 'localDown'],
      ['untrusted workspace', () => { trusted = false; }, 'local', 'inlineLocal'],
      ['no API key, local down', () => { key = undefined; health = OFFLINE; }, 'refuse', 'localDown'],
      ['automatic trigger while the local model is ready', () => { /* trigger below */ }, 'local', 'inlineLocal'],
    ];
    for (const [name, arrange, kind, reason] of table) {
      it(name, async () => {
        arrange();
        const trigger = name.startsWith('automatic') ? 'automatic' : 'invoke';
        const r = await run(service(), { ...BODY, trigger });
        assert.equal(r.kind, 'notCloud');
        assert.equal(r.route.kind, kind);
        assert.equal(r.route.reason, reason);
        assert.equal(openai.requests.length, 0, 'nothing reached the server');
        assert.equal((await ledger.read()).records.length, 0);
        assert.equal((await egress()).length, 0);
      });
    }

    it('says why the fallback is unavailable when the local model is down and no key is set', async () => {
      key = undefined;
      health = OFFLINE;
      const route = await service().route(BODY);
      assert.match(route.explain, /no OpenAI API key/);
    });

    it('an excluded file is refused, even invoked with the fallback on', async () => {
      const r = await run(service(), { ...BODY, relativePath: '.env.local' });
      assert.equal(r.route.kind, 'refuse');
      assert.equal(r.route.reason, 'excludedFile');
      assert.equal(openai.requests.length, 0);
    });

    it('a workspace base URL other than the user-level one gets no key and no request', async () => {
      raw['cloud.baseUrl'] = 'http://127.0.0.1:9/v1';
      health = OFFLINE;
      const r = await run(service());
      assert.equal(r.route.kind, 'refuse');
      assert.match(r.route.explain, /base URL/);
      assert.equal(openai.requests.length, 0);
    });

    it('over the daily hard cap: the pre-flight ceiling refuses before anything is sent', async () => {
      // Spent today: $0.0099 of a $0.01 cap; the request could cost more than what is left.
      ledger.append({ workspace: 'ws', route: 'cloud', command: 'refactor', model: 'gpt-5.4-mini', inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costMicros: 9_900, source: 'reported', time: Date.now() });
      budget = { dailyUsd: 0.01 };
      const s = service({ now: () => Date.now() });
      const r = await run(s);
      assert.equal(r.kind, 'notCloud');
      assert.equal(r.route.reason, 'inlineLocal', 'local model ready: it serves instead');
      health = OFFLINE;
      const down = await run(s);
      assert.equal(down.route.kind, 'refuse');
      assert.match(down.route.explain, /budget is spent/);
      assert.equal(openai.requests.length, 0);
    });
  });

  describe('while the local model is down', () => {
    beforeEach(() => { health = OFFLINE; });

    it('an automatic trigger waits for a pause, goes to the cloud, and the next one within the interval does not', async () => {
      const s = service();
      const first = shown(await run(s, { ...BODY, trigger: 'automatic' }));
      assert.equal(first.route.reason, 'cloudFallbackLocalDown');
      assert.equal(sleeps.length, 1, 'waited for a pause before sending');
      clock += 2_000;
      const typed = request('export function multiply(a: number, b: number): number {\n  r|\n}\n', { trigger: 'automatic' });
      const second = await run(s, typed);
      assert.equal(second.kind, 'skipped');
      assert.equal(second.kind === 'skipped' && second.reason, 'throttled');
      assert.equal(chats().length, 1);
      // An explicit invoke is never throttled: the user asked for it.
      shown(await run(s, { ...typed, trigger: 'invoke' }));
      assert.equal(chats().length, 2);
      clock += AUTO_CLOUD_MIN_INTERVAL_MS + 1;
      const later = request('export function multiply(a: number, b: number): number {\n  re|\n}\n', { trigger: 'automatic' });
      shown(await run(s, later));
      assert.equal(chats().length, 3);
    });

    it('an automatic trigger cancelled during the pause (the user typed on) sends nothing', async () => {
      const abort = new AbortController();
      const s = service({ sleep: async () => { abort.abort(); } });
      const r = await run(s, { ...BODY, trigger: 'automatic' }, abort.signal);
      assert.equal(r.kind, 'skipped');
      assert.equal(r.kind === 'skipped' && r.reason, 'cancelled');
      assert.equal(openai.requests.length, 0);
    });
  });

  it('asking again for the same text and position reuses the reply (no second request, no second charge)', async () => {
    const s = service();
    shown(await run(s));
    const again = shown(await run(s));
    assert.equal(again.fromCache, true);
    assert.equal(again.text, 'return a * b;');
    assert.equal(chats().length, 1);
    assert.equal((await ledger.read()).records.length, 1);
  });

  it('sends a secret in the file as a placeholder and restores it in the completion', async () => {
    const withSecret = request(`const token = "${GH}";\nconst copy = |\n`);
    openai.configure({
      respond: (req) => {
        const user = req.body.messages.at(-1).content as string;
        const placeholder = /TANDEM_REDACTED_\d+/.exec(user)?.[0] ?? 'none';
        return `"${placeholder}";`;
      },
    });
    const r = shown(await run(service(), withSecret));
    assert.equal(r.text, `"${GH}";`);
    const sentText = JSON.stringify(chats()[0].body);
    assert.ok(!sentText.includes(GH), 'the secret never reached the server');
    assert.match(sentText, /TANDEM_REDACTED_1/);
    const [entry] = await egress();
    assert.equal(entry.redactionCount, 1);
  });

  it('post-processes the reply like a local one: fences stripped, suffix not re-typed', async () => {
    openai.configure({ respond: () => '```ts\nconst total = add(a, b));\n```' });
    const r = shown(await run(service(), request('function f(a: number, b: number) {\n  |)\n}\n')));
    assert.equal(r.text, 'const total = add(a, b)');
  });

  it('keeps a multi-line reply to its block', async () => {
    openai.configure({ respond: () => '  const r = a * b;\n  return r;\n}\n\nexport const x = 1;' });
    const r = shown(await run(service(), request('export function multiply(a: number, b: number): number {\n|\n}\n')));
    assert.equal(r.text, '  const r = a * b;\n  return r;');
  });

  it('does not ask mid-line', async () => {
    const r = await run(service(), request('const x = |foo;\n'));
    assert.equal(r.kind, 'skipped');
    assert.equal(r.kind === 'skipped' && r.reason, 'midLine');
    assert.equal(openai.requests.length, 0);
  });

  it('a server error is a skipped completion with the reason, and the request is still in the ledger', async () => {
    openai.configure({ fault: { kind: 'status', status: 500 } });
    const r = await run(service());
    assert.equal(r.kind, 'skipped');
    assert.equal(r.kind === 'skipped' && r.reason, 'failed');
    assert.equal(chats().length, 1, 'no silent retry');
    const { records } = await ledger.read();
    assert.equal(records.length, 1);
    assert.equal(records[0].costMicros, 0);
  });

  it('a wrong key (401) fails, and the reason does not carry the key', async () => {
    key = 'sk-wrong-key-0000000000';
    const r = await run(service());
    assert.equal(r.kind, 'skipped');
    assert.equal(r.kind === 'skipped' && r.reason, 'failed');
    assert.equal(chats()[0].status, 401);
    assert.ok(r.kind === 'skipped' && !r.detail.includes('sk-wrong-key-0000000000'), r.kind === 'skipped' ? r.detail : '');
  });

  it('a model without a known price records the cost as unknown, not free', async () => {
    raw['cloud.model'] = 'my-gateway-model';
    const r = shown(await run(service()));
    assert.equal(r.costMicros, null);
    assert.equal((await ledger.read()).records[0].costMicros, null);
  });
});

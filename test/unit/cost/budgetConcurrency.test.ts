// The hard stop as busy users and attackers break it: several windows (real processes) sending at
// once against one daily cap, one window firing a refactor and 30 overlapping inline requests, and
// a server that reads the body and then resets the connection. The OpenAI double reports usage as a
// real server would: the prompt tokens it was sent and the completion tokens it generated (3,000 of
// a refactor's 4,096 cap, all 128 of an inline request's).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpendLedger } from '../../../src/core/cost/ledger';
import { countChatTokens } from '../../../src/core/cost/tokenCount';
import { EgressLog, memoryLineStore } from '../../../src/core/privacy/egressLog';
import { createPathExcluder } from '../../../src/core/privacy/pathExclusion';
import type { CloudContext } from '../../../src/core/routing/cloudContext';
import { startOpenAiDouble, type OpenAiDouble } from '../../doubles/openaiDouble';
import { cloudInlineServiceFor, cloudPipelineFor, refactorServiceFor } from '../../support/cloudServices';
import { snapshotOf } from '../../support/settingsSnapshot';
import { type Child, startFixture } from './fixtures/childProcess';

const REFACTOR = (n = 0) => {
  const before = `export function area${n}(r: number) {\n`;
  return {
    relativePath: 'src/shapes.ts', languageId: 'typescript', instruction: 'Use Math.PI and name the constant.',
    before, selection: '  return 3.14 * r * r;\n', after: '}\n', range: { start: before.length, end: before.length + 24 },
    documentVersion: 1, eol: '\n' as const,
  };
};

describe('budget hard stop under concurrency (reservations)', function () {
  this.timeout(120_000);
  let openai: OpenAiDouble;
  let dir: string;
  const children: Child[] = [];

  before(async () => {
    openai = await startOpenAiDouble();
  });
  after(async () => openai.close());
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-budget-'));
    openai.reset();
    openai.configure({
      fault: { kind: 'none' },
      // Long enough that requests overlap, as windows sending "at once" do.
      schedule: { firstTokenMs: 150, perTokenMs: 0 },
      respond: () => '```ts\n  return Math.PI * r * r;\n```',
      usage: (req) => ({
        prompt_tokens: countChatTokens(req.body.messages),
        completion_tokens: Math.min(Number(req.body.max_completion_tokens ?? 4096), 3000),
      }),
    });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
      await c.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function spentMicros(): Promise<number> {
    const { records } = await new SpendLedger(path.join(dir, 'ledger')).read();
    return records.reduce((sum, r) => sum + (r.costMicros ?? 0), 0);
  }

  for (const windows of [2, 4, 8]) {
    it(`${windows} windows sending refactors at once never push spend past a $0.05 daily cap`, async () => {
      const ledgerDir = path.join(dir, 'ledger');
      const started = Array.from({ length: windows }, () => startFixture('cloudWindow.ts', [ledgerDir, `${openai.url}/v1`, '0.05', '6']));
      children.push(...started);
      await Promise.all(started.map((c) => c.waitFor('ready', 60_000)));
      for (const c of started) c.proc.stdin.write('go\n');
      const exits = await Promise.all(started.map((c) => c.exited));
      for (const e of exits) assert.equal(e.code, 0, e.stderr);
      const spent = await spentMicros();
      const sent = openai.requests.filter((r) => r.path === '/v1/chat/completions').length;
      console.log(`      ${windows} windows: spent $${(spent / 1e6).toFixed(4)} of a $0.05 cap in ${sent} requests`);
      assert.ok(spent <= 50_000, `spent ${spent} micro-dollars, over the 50,000 cap`);
      assert.ok(sent >= 2, 'the budget allowed some requests');
      for (const c of started) assert.match(c.output(), /refused:overBudget/, 'every window ends refused by the cap');
    });
  }

  function context(ledger: SpendLedger, egress: EgressLog, cap: number): CloudContext {
    const settings = snapshotOf({ 'cloud.baseUrl': `${openai.url}/v1`, 'cloud.dailyBudgetUsd': cap, 'cloud.hardStop': true, 'inline.cloudFallback': true });
    return {
      settings: () => settings,
      trusted: () => true,
      workspaceName: () => 'ws',
      isExcluded: (p) => createPathExcluder().isExcludedPath(p),
      localHealth: () => ({ kind: 'ready', model: 'qwen2.5-coder:1.5b-base', fim: 'native' }),
      apiKey: async () => 'sk-test-budget',
      ledger,
      egress,
    };
  }

  it('one window, 1 refactor + 30 overlapping explicit inline requests, $0.02 cap: spend stays under the cap', async () => {
    const ledger = new SpendLedger(path.join(dir, 'ledger'));
    const ctx = context(ledger, new EgressLog(memoryLineStore()), 0.02);
    const pipeline = cloudPipelineFor(ctx);
    const refactor = refactorServiceFor(ctx, pipeline);
    const inline = cloudInlineServiceFor(ctx, pipeline);
    const signal = new AbortController().signal;
    const line = (i: number) => `const value${i} = compute(${i});\n`;
    const results = await Promise.all([
      refactor.run(REFACTOR(), { signal }),
      ...Array.from({ length: 30 }, (_, i) => {
        const text = `${Array.from({ length: 20 }, (_, k) => line(k + i)).join('')}export const total${i} = `;
        return inline.complete({ relativePath: `src/f${i}.ts`, documentKey: `f${i}`, languageId: 'typescript', text, offset: text.length, trigger: 'invoke' }, signal);
      }),
    ]);
    const spent = await spentMicros();
    const sent = openai.requests.filter((r) => r.path === '/v1/chat/completions').length;
    const refused = results.filter((r) => (r.kind === 'skipped' && r.reason === 'overBudget') || (r.kind === 'refused' && r.reason === 'overBudget')).length;
    console.log(`      1 refactor + 30 inline: spent $${(spent / 1e6).toFixed(4)} of a $0.02 cap in ${sent} requests (${refused} refused by the cap)`);
    assert.ok(spent <= 20_000, `spent ${spent} micro-dollars, over the 20,000 cap`);
    assert.ok(refused > 0, 'the cap refused some requests');
  });

  it('a server that reads the body and resets the connection: one egress entry, the reserved ceiling charged', async () => {
    openai.configure({ fault: { kind: 'resetAfterBody' } });
    const ledger = new SpendLedger(path.join(dir, 'ledger'));
    const store = memoryLineStore();
    const ctx = context(ledger, new EgressLog(store), 5);
    const refactor = refactorServiceFor(ctx);
    const r = await refactor.run(REFACTOR(), { signal: new AbortController().signal });
    assert.equal(r.kind, 'failed', JSON.stringify(r));
    assert.equal(openai.requests.filter((q) => q.path === '/v1/chat/completions').length, 1, 'the body reached the server');
    await new Promise((res) => setTimeout(res, 20));
    const egress = store.text().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const { records } = await ledger.read();
    const ceiling = r.plan.estimate!.maxCostMicros;
    console.log(`      dead connection: ${egress.length} egress entry, ${records.length} ledger record at ${records[0]?.costMicros} micro-dollars (ceiling ${ceiling})`);
    assert.equal(egress.length, 1);
    assert.equal(records.length, 1);
    assert.equal(records[0].costMicros, ceiling);
    assert.equal(records[0].source, 'estimated');
    assert.equal(egress[0].costMicros, ceiling);
    // Nothing stays reserved.
    assert.deepEqual(fs.readdirSync(path.join(dir, 'ledger', 'reservations')).filter((n) => n.endsWith('.json')), []);
  });

  it('the ceiling is computed after redaction: placeholders longer than the secret are counted', async () => {
    const ledger = new SpendLedger(path.join(dir, 'ledger'));
    const ctx = context(ledger, new EgressLog(memoryLineStore()), 5);
    const req = { ...REFACTOR(), before: 'const token = "ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";\n' + REFACTOR().before };
    const plan = await refactorServiceFor(ctx).plan(req);
    assert.ok(plan.preview, 'the plan carries what would be sent');
    assert.ok(plan.preview.redactions.length > 0, 'the token is redacted');
    assert.ok(!JSON.stringify(plan.preview.messages).includes('a1B2c3D4e5F6g7H8i9J0'), 'the preview holds no secret');
    assert.equal(plan.estimate!.inputTokens, countChatTokens(plan.preview.messages), 'the ceiling counts the redacted messages');
  });
});

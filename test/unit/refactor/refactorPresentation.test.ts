import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpendLedger } from '../../../src/core/cost/ledger';
import { EgressLog, memoryLineStore } from '../../../src/core/privacy/egressLog';
import {
  presentResult, progressMessage, rememberInstruction, routeOf, staleNotice,
} from '../../../src/core/refactor/refactorPresentation';
import { type RefactorPlan, type RefactorRequest, type RefactorResult } from '../../../src/core/refactor/refactorService';
import { snapshotOf } from '../../support/settingsSnapshot';
import { refactorServiceFor } from '../../support/cloudServices';
import { startOpenAiDouble, type OpenAiDouble } from '../../doubles/openaiDouble';

const cloudPlan: RefactorPlan = { route: { kind: 'cloud', reason: 'cloudRefactor', explain: 'The refactor runs in the cloud.', budgetWarning: false }, localAlternative: false };
const blockedPlan = (reason: 'noApiKey' | 'overBudget' | 'untrustedWorkspace'): RefactorPlan =>
  ({ route: { kind: 'local', reason, explain: `The refactor runs on the local model: ${reason}.` }, localAlternative: true });
const refusePlan: RefactorPlan = { route: { kind: 'refuse', reason: 'excludedFile', explain: 'This file is excluded from AI features (.env), so it cannot be refactored.' }, localAlternative: false };

describe('refactor presentation: what the command returns and shows', () => {
  it('a preview needs no notice and reports the route and cost', () => {
    const r: RefactorResult = { kind: 'preview', newText: 'x', range: { start: 0, end: 1 }, documentVersion: 1, plan: cloudPlan, costMicros: 1234 };
    const p = presentResult(r);
    assert.deepEqual(p.summary, { kind: 'preview', route: 'cloud', costMicros: 1234 });
    assert.equal(p.notice, undefined);
  });

  it('a cancel is silent: the user asked for it', () => {
    const p = presentResult({ kind: 'cancelled', plan: cloudPlan, costMicros: null });
    assert.deepEqual(p.summary, { kind: 'cancelled', route: 'cloud', costMicros: null });
    assert.equal(p.notice, undefined);
  });

  it('each failure carries its own action', () => {
    const table: Array<[string, 'setApiKey' | 'retry' | 'openSettings' | undefined]> = [
      ['unauthorized', 'setApiKey'], ['server', 'retry'], ['notFound', 'openSettings'], ['unknown', undefined],
    ];
    for (const [kind, action] of table) {
      const p = presentResult({ kind: 'failed', failure: { kind: kind as 'unauthorized', message: `Failure ${kind}.`, ...(action ? { action } : {}) }, plan: cloudPlan });
      assert.equal(p.summary.kind, 'failed');
      assert.equal(p.summary.reason, kind);
      assert.equal(p.notice?.severity, 'error');
      assert.deepEqual(p.notice?.actions, action ? [action] : []);
      assert.match(p.notice!.message, new RegExp(`Failure ${kind}`));
    }
  });

  it('a cloud block the local model could serve offers "Run Locally" (and "Set API Key" when the key is missing)', () => {
    const noKey = presentResult({ kind: 'refused', reason: 'noApiKey', explain: 'x', plan: blockedPlan('noApiKey') });
    assert.deepEqual(noKey.notice?.actions, ['setApiKey', 'runLocally']);
    assert.match(noKey.notice!.message, /no OpenAI API key is set/);
    assert.match(noKey.notice!.message, /Nothing left this machine/);
    assert.equal(noKey.summary.route, undefined, 'nothing was sent anywhere');

    const budget = presentResult({ kind: 'refused', reason: 'overBudget', explain: 'x', plan: blockedPlan('overBudget') });
    assert.deepEqual(budget.notice?.actions, ['runLocally']);
  });

  it('with forceLocal the run is local, and a refusal is told as the service explains it', () => {
    assert.equal(routeOf(blockedPlan('overBudget'), true), 'local');
    assert.equal(routeOf(blockedPlan('overBudget'), false), undefined);
    const r = presentResult({ kind: 'refused', reason: 'localRefactorNeedsOllama', explain: 'Local refactors run through Ollama.', plan: blockedPlan('overBudget') }, { forceLocal: true });
    assert.deepEqual(r.notice?.actions, []);
    assert.equal(r.summary.route, 'local');
    assert.match(r.summary.message!, /Local refactors run through Ollama/);
  });

  it('a hard refusal (excluded file) has no local alternative', () => {
    const r = presentResult({ kind: 'refused', reason: 'excludedFile', explain: refusePlan.route.explain, plan: refusePlan });
    assert.deepEqual(r.notice?.actions, []);
    assert.match(r.summary.message!, /excluded/);
  });

  it('empty and unchanged replies say so', () => {
    assert.equal(presentResult({ kind: 'empty', plan: cloudPlan }).notice?.severity, 'warning');
    assert.match(presentResult({ kind: 'unchanged', plan: cloudPlan }).summary.message!, /no change/);
  });

  it('stale results offer a re-run', () => {
    assert.deepEqual(staleNotice().actions, ['rerun']);
    assert.match(staleNotice().message, /not applied/);
  });

  it('progress shows the streamed size and the pre-flight ceiling', () => {
    assert.equal(progressMessage(0), 'waiting for the model…');
    assert.equal(progressMessage(12345, 12300), '12,345 chars received · ≤ $0.0123');
    assert.equal(progressMessage(5, undefined), '5 chars received');
  });

  it('recent instructions: most recent first, no duplicates, bounded', () => {
    let list: string[] = [];
    for (const i of ['a', 'b', 'c', ' a ', 'd']) list = rememberInstruction(list, i, 3);
    assert.deepEqual(list, ['d', 'a', 'c']);
    assert.deepEqual(rememberInstruction(list, '   ', 3), list);
  });
});

describe('refactor presentation over the real service and the OpenAI double', function () {
  this.timeout(20_000);
  let double: OpenAiDouble;
  let dir: string;
  const KEY = `sk-test-${Math.random().toString(36).slice(2)}abcdef`;

  before(async () => {
    double = await startOpenAiDouble({ apiKey: KEY });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-present-'));
  });
  after(async () => {
    await double.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const request: RefactorRequest = {
    selection: 'function add(a, b) { return a+b; }\n',
    before: '',
    after: '',
    languageId: 'javascript',
    instruction: 'space the operator',
    relativePath: 'src/add.js',
    range: { start: 0, end: 36 },
    documentVersion: 1,
    eol: '\n',
  };

  function service(key: string | undefined, localHealth: 'ready' | 'offline') {
    const baseUrl = `${double.url}/v1`;
    const settings = snapshotOf({ 'cloud.baseUrl': baseUrl });
    return refactorServiceFor({
      settings: () => settings,
      trusted: () => true,
      workspaceName: () => 'ws',
      isExcluded: () => ({ excluded: false }),
      localHealth: () => (localHealth === 'ready' ? { kind: 'ready', model: 'm', fim: 'native' } : { kind: 'offline', detail: 'down' }),
      apiKey: async () => key,
      ledger: new SpendLedger(path.join(dir, `ledger-${Math.random()}`)),
      egress: new EgressLog(memoryLineStore()),
    });
  }

  it('a wrong key: failed/unauthorized with "Set API Key", and the key is in no message', async () => {
    const wrong = `${KEY}-wrong`;
    const result = await service(wrong, 'offline').run(request, { signal: new AbortController().signal });
    const p = presentResult(result);
    assert.equal(p.summary.kind, 'failed');
    assert.equal(p.summary.reason, 'unauthorized');
    assert.deepEqual(p.notice?.actions, ['setApiKey']);
    assert.ok(!JSON.stringify(p).includes(wrong.slice(0, 20)), 'no part of the key in what is shown');
    assert.equal(double.requests.at(-1)?.headers.authorization, `Bearer ${wrong}`);
  });

  it('the right key: a preview, routed to the cloud, with a cost', async () => {
    double.configure({ respond: () => '```javascript\nfunction add(a, b) { return a + b; }\n```' });
    const result = await service(KEY, 'offline').run(request, { signal: new AbortController().signal });
    const p = presentResult(result);
    assert.equal(p.summary.kind, 'preview');
    assert.equal(p.summary.route, 'cloud');
    assert.equal(typeof p.summary.costMicros, 'number');
    assert.equal(result.kind === 'preview' ? result.newText : '', 'function add(a, b) { return a + b; }\n');
  });

  it('no key and the local model ready: refused with "Set API Key" and "Run Locally"; nothing sent', async () => {
    double.reset();
    const result = await service(undefined, 'ready').run(request, { signal: new AbortController().signal });
    const p = presentResult(result);
    assert.equal(p.summary.kind, 'refused');
    assert.equal(p.summary.reason, 'noApiKey');
    assert.deepEqual(p.notice?.actions, ['setApiKey', 'runLocally']);
    assert.equal(double.requests.length, 0);
  });
});

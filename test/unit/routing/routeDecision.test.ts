import { strict as assert } from 'node:assert';
import { decideRoute, localHealthFor, type LocalHealth, type RouteDecision, type RouteInput } from '../../../src/core/routing/routeDecision';

const BASE: RouteInput = {
  kind: 'inline',
  mode: 'hybrid',
  trusted: true,
  excluded: { excluded: false },
  localHealth: 'ready',
  cloudFallback: false,
  explicitInvoke: false,
  inlineInExcludedFiles: false,
  budget: { kind: 'ok' },
  hasApiKey: true,
  endpointAllowed: true,
};

const EXCLUDED = { excluded: true, rule: 'default: .env*' };

// [description, input changes from BASE, expected kind, expected reason]
const TABLE: Array<[string, Partial<RouteInput>, RouteDecision['kind'], string]> = [
  // inline
  ['inline, defaults', {}, 'local', 'inlineLocal'],
  ['inline, local-only mode', { mode: 'localOnly' }, 'local', 'inlineLocal'],
  ['inline, untrusted workspace still completes locally', { trusted: false }, 'local', 'inlineLocal'],
  ['inline, no key does not matter locally', { hasApiKey: false }, 'local', 'inlineLocal'],
  ['inline, unknown health: try local', { localHealth: 'unknown' }, 'local', 'inlineLocal'],
  ['inline, local down, no fallback', { localHealth: 'down' }, 'refuse', 'localDown'],
  ['inline, excluded file', { excluded: EXCLUDED }, 'refuse', 'excludedFile'],
  ['inline, excluded file, even with cloud fallback invoked', { excluded: EXCLUDED, cloudFallback: true, explicitInvoke: true }, 'refuse', 'excludedFile'],
  ['inline, excluded file, opted in: local', { excluded: EXCLUDED, inlineInExcludedFiles: true }, 'local', 'excludedFileLocalAllowed'],
  ['inline, excluded file, opted in, local down: never cloud', { excluded: EXCLUDED, inlineInExcludedFiles: true, localHealth: 'down', cloudFallback: true }, 'refuse', 'excludedFile'],
  ['inline, fallback on, typing, local ready: local', { cloudFallback: true }, 'local', 'inlineLocal'],
  ['inline, fallback on, explicit invoke: cloud', { cloudFallback: true, explicitInvoke: true }, 'cloud', 'cloudFallbackInvoked'],
  ['inline, fallback on, local down: cloud', { cloudFallback: true, localHealth: 'down' }, 'cloud', 'cloudFallbackLocalDown'],
  ['inline, fallback off, explicit invoke: local', { explicitInvoke: true }, 'local', 'inlineLocal'],
  ['inline, fallback on, invoke, local-only mode: local', { cloudFallback: true, explicitInvoke: true, mode: 'localOnly' }, 'local', 'inlineLocal'],
  ['inline, fallback on, invoke, untrusted: local', { cloudFallback: true, explicitInvoke: true, trusted: false }, 'local', 'inlineLocal'],
  ['inline, fallback on, invoke, over budget: local', { cloudFallback: true, explicitInvoke: true, budget: { kind: 'refuse' } }, 'local', 'inlineLocal'],
  ['inline, fallback on, local down, no key: refuse', { cloudFallback: true, localHealth: 'down', hasApiKey: false }, 'refuse', 'localDown'],
  ['inline, fallback on, local down, foreign endpoint: refuse', { cloudFallback: true, localHealth: 'down', endpointAllowed: false }, 'refuse', 'localDown'],
  ['inline, fallback on, local down, local-only: refuse', { cloudFallback: true, localHealth: 'down', mode: 'localOnly' }, 'refuse', 'localDown'],
  ['inline, fallback on, invoke, budget warn: cloud', { cloudFallback: true, explicitInvoke: true, budget: { kind: 'warn' } }, 'cloud', 'cloudFallbackInvoked'],
  // refactor
  ['refactor, defaults', { kind: 'refactor' }, 'cloud', 'cloudRefactor'],
  ['refactor, budget warn: still cloud', { kind: 'refactor', budget: { kind: 'warn' } }, 'cloud', 'cloudRefactor'],
  ['refactor, excluded file', { kind: 'refactor', excluded: EXCLUDED }, 'refuse', 'excludedFile'],
  ['refactor, excluded file, local-only', { kind: 'refactor', excluded: EXCLUDED, mode: 'localOnly' }, 'refuse', 'excludedFile'],
  ['refactor, excluded, opted in for inline: still refused', { kind: 'refactor', excluded: EXCLUDED, inlineInExcludedFiles: true }, 'refuse', 'excludedFile'],
  ['refactor, local-only: local chat', { kind: 'refactor', mode: 'localOnly' }, 'local', 'localOnlyMode'],
  ['refactor, local-only, local down', { kind: 'refactor', mode: 'localOnly', localHealth: 'down' }, 'refuse', 'localDown'],
  ['refactor, local-only, unknown health: try local', { kind: 'refactor', mode: 'localOnly', localHealth: 'unknown' }, 'local', 'localOnlyMode'],
  ['refactor, untrusted: local', { kind: 'refactor', trusted: false }, 'local', 'untrustedWorkspace'],
  ['refactor, untrusted, local down', { kind: 'refactor', trusted: false, localHealth: 'down' }, 'refuse', 'untrustedWorkspace'],
  ['refactor, no key: local', { kind: 'refactor', hasApiKey: false }, 'local', 'noApiKey'],
  ['refactor, no key, local down', { kind: 'refactor', hasApiKey: false, localHealth: 'down' }, 'refuse', 'noApiKey'],
  ['refactor, foreign endpoint: local', { kind: 'refactor', endpointAllowed: false }, 'local', 'endpointNotAllowed'],
  ['refactor, foreign endpoint, local down', { kind: 'refactor', endpointAllowed: false, localHealth: 'down' }, 'refuse', 'endpointNotAllowed'],
  ['refactor, over budget: local', { kind: 'refactor', budget: { kind: 'refuse' } }, 'local', 'overBudget'],
  ['refactor, over budget, local down', { kind: 'refactor', budget: { kind: 'refuse' }, localHealth: 'down' }, 'refuse', 'overBudget'],
  ['refactor, local down does not matter for cloud', { kind: 'refactor', localHealth: 'down' }, 'cloud', 'cloudRefactor'],
  ['refactor, precedence: local-only before untrusted', { kind: 'refactor', mode: 'localOnly', trusted: false }, 'local', 'localOnlyMode'],
  ['refactor, precedence: untrusted before no key', { kind: 'refactor', trusted: false, hasApiKey: false }, 'local', 'untrustedWorkspace'],
  ['refactor, precedence: no key before endpoint', { kind: 'refactor', hasApiKey: false, endpointAllowed: false }, 'local', 'noApiKey'],
  ['refactor, precedence: endpoint before budget', { kind: 'refactor', endpointAllowed: false, budget: { kind: 'refuse' } }, 'local', 'endpointNotAllowed'],
];

/** Every combination of every input. */
function allInputs(): RouteInput[] {
  const out: RouteInput[] = [];
  const bools = [false, true];
  for (const kind of ['inline', 'refactor'] as const)
    for (const mode of ['hybrid', 'localOnly'] as const)
      for (const trusted of bools)
        for (const excluded of [{ excluded: false }, EXCLUDED])
          for (const localHealth of ['ready', 'down', 'unknown'] as LocalHealth[])
            for (const cloudFallback of bools)
              for (const explicitInvoke of bools)
                for (const inlineInExcludedFiles of bools)
                  for (const budget of [{ kind: 'ok' }, { kind: 'warn' }, { kind: 'refuse' }] as const)
                    for (const hasApiKey of bools)
                      for (const endpointAllowed of bools)
                        out.push({ kind, mode, trusted, excluded, localHealth, cloudFallback, explicitInvoke, inlineInExcludedFiles, budget, hasApiKey, endpointAllowed });
  return out;
}

describe('decideRoute', () => {
  describe('table', () => {
    for (const [name, changes, kind, reason] of TABLE) {
      it(name, () => {
        const d = decideRoute({ ...BASE, ...changes });
        assert.deepEqual([d.kind, d.reason], [kind, reason], d.explain);
      });
    }
  });

  describe('over every combination of inputs', () => {
    const inputs = allInputs();

    it(`covers ${inputs.length} combinations`, () => {
      assert.equal(inputs.length, 2 * 2 * 2 * 2 * 3 * 2 * 2 * 2 * 3 * 2 * 2);
    });

    it('never chooses the cloud when mode, trust, exclusion, key, endpoint or budget forbid it', () => {
      for (const i of inputs) {
        const forbidden = i.mode === 'localOnly' || !i.trusted || i.excluded.excluded || !i.hasApiKey || !i.endpointAllowed || i.budget.kind === 'refuse';
        if (forbidden) assert.notEqual(decideRoute(i).kind, 'cloud', JSON.stringify(i));
      }
    });

    it('inline goes to the cloud only with the fallback on, and only on invoke or with local down', () => {
      for (const i of inputs.filter((x) => x.kind === 'inline')) {
        const d = decideRoute(i);
        if (d.kind === 'cloud') {
          assert.ok(i.cloudFallback && (i.explicitInvoke || i.localHealth === 'down'), JSON.stringify(i));
        }
      }
    });

    it('a permitted cloud inline happens whenever fallback is on and invoked or local is down', () => {
      for (const i of inputs.filter((x) => x.kind === 'inline' && !x.excluded.excluded)) {
        const permitted = i.mode === 'hybrid' && i.trusted && i.hasApiKey && i.endpointAllowed && i.budget.kind !== 'refuse';
        const wanted = i.cloudFallback && (i.explicitInvoke || i.localHealth === 'down');
        assert.equal(decideRoute(i).kind === 'cloud', permitted && wanted, JSON.stringify(i));
      }
    });

    it('an excluded file never reaches the cloud, and the local model only for opted-in inline', () => {
      for (const i of inputs.filter((x) => x.excluded.excluded)) {
        const d = decideRoute(i);
        if (i.kind === 'refactor' || !i.inlineInExcludedFiles) assert.deepEqual([d.kind, d.reason], ['refuse', 'excludedFile']);
        else assert.ok(d.kind !== 'cloud');
      }
    });

    it('never routes to a local model that is down', () => {
      for (const i of inputs) if (i.localHealth === 'down') assert.notEqual(decideRoute(i).kind, 'local', JSON.stringify(i));
    });

    it('a refactor that is not excluded goes to the cloud exactly when nothing forbids it', () => {
      for (const i of inputs.filter((x) => x.kind === 'refactor' && !x.excluded.excluded)) {
        const permitted = i.mode === 'hybrid' && i.trusted && i.hasApiKey && i.endpointAllowed && i.budget.kind !== 'refuse';
        assert.equal(decideRoute(i).kind === 'cloud', permitted, JSON.stringify(i));
      }
    });

    it('explains every decision in one sentence or two, and flags a budget warning only on cloud', () => {
      for (const i of inputs) {
        const d = decideRoute(i);
        assert.ok(d.explain.length > 10 && d.explain.length < 240 && /[.?]$/.test(d.explain), d.explain);
        if (d.kind === 'cloud') assert.equal(d.budgetWarning, i.budget.kind === 'warn');
        if (d.kind === 'refuse' && d.reason === 'excludedFile') assert.ok(d.explain.includes('.env*'), 'names the rule');
      }
    });

    it('is a function of its input (same input, same decision)', () => {
      for (const i of inputs.slice(0, 500)) assert.deepEqual(decideRoute(i), decideRoute({ ...i }));
    });
  });
});

describe('localHealthFor', () => {
  const table: Array<[Parameters<typeof localHealthFor>[1], LocalHealth, LocalHealth]> = [
    // health, inline, refactor
    [undefined, 'unknown', 'unknown'],
    [{ kind: 'checking' }, 'unknown', 'unknown'],
    [{ kind: 'ready', model: 'm', fim: 'native' }, 'ready', 'ready'],
    [{ kind: 'noFim', model: 'm', detail: '' }, 'down', 'ready'],
    [{ kind: 'offline', detail: '' }, 'down', 'down'],
    [{ kind: 'modelMissing', model: 'm', detail: '' }, 'down', 'down'],
    [{ kind: 'error', detail: '' }, 'down', 'down'],
  ];
  for (const [health, inline, refactor] of table) {
    it(`${health?.kind ?? 'no check yet'} -> inline ${inline}, refactor ${refactor}`, () => {
      assert.equal(localHealthFor('inline', health), inline);
      assert.equal(localHealthFor('refactor', health), refactor);
    });
  }
});

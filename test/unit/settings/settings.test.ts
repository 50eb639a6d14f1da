// Raw configuration values become one frozen, typed settings object: invalid values fall back to
// defaults, numbers are clamped, URLs normalised.
import * as assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, readSettings } from '../../../src/core/settings';

const read = (raw: Record<string, unknown>) => readSettings((k) => raw[k]);

describe('readSettings', () => {
  it('gives the defaults when nothing is set', () => {
    assert.deepEqual(read({}), DEFAULT_SETTINGS);
    assert.equal(DEFAULT_SETTINGS.local.model, 'qwen2.5-coder:1.5b-base');
    assert.equal(DEFAULT_SETTINGS.local.endpoint, 'http://127.0.0.1:11434');
    assert.equal(DEFAULT_SETTINGS.cloud.model, 'gpt-5.4-mini');
  });

  const cases: Array<[string, Record<string, unknown>, (s: ReturnType<typeof read>) => unknown, unknown]> = [
    ['valid provider', { 'local.provider': 'openai-compatible' }, (s) => s.local.provider, 'openai-compatible'],
    ['unknown provider falls back', { 'local.provider': 'vllm' }, (s) => s.local.provider, 'ollama'],
    ['endpoint trailing slash dropped', { 'local.endpoint': 'http://gpu-box:8000/v1/' }, (s) => s.local.endpoint, 'http://gpu-box:8000/v1'],
    ['non-http endpoint rejected', { 'local.endpoint': 'file:///etc/passwd' }, (s) => s.local.endpoint, 'http://127.0.0.1:11434'],
    ['garbage endpoint rejected', { 'local.endpoint': 'not a url' }, (s) => s.local.endpoint, 'http://127.0.0.1:11434'],
    ['blank model falls back', { 'local.model': '   ' }, (s) => s.local.model, 'qwen2.5-coder:1.5b-base'],
    ['model trimmed', { 'local.model': ' codellama:7b-code ' }, (s) => s.local.model, 'codellama:7b-code'],
    ['maxTokens clamped low', { 'local.maxTokens': 1 }, (s) => s.local.maxTokens, 8],
    ['maxTokens clamped high', { 'local.maxTokens': 100000 }, (s) => s.local.maxTokens, 1024],
    ['maxTokens rounded', { 'local.maxTokens': 64.6 }, (s) => s.local.maxTokens, 65],
    ['NaN ignored', { 'local.temperature': Number.NaN }, (s) => s.local.temperature, 0.2],
    ['string number ignored', { 'inline.maxLines': '5' }, (s) => s.inline.maxLines, 8],
    ['boolean kept', { 'inline.enabled': false }, (s) => s.inline.enabled, false],
    ['non-boolean ignored', { 'inline.enabled': 'no' }, (s) => s.inline.enabled, true],
    ['languages filtered', { 'inline.disabledLanguages': ['markdown', 3, ''] }, (s) => s.inline.disabledLanguages, ['markdown']],
    ['privacy mode', { 'privacy.mode': 'localOnly' }, (s) => s.privacy.mode, 'localOnly'],
    ['bad privacy mode', { 'privacy.mode': 'paranoid' }, (s) => s.privacy.mode, 'hybrid'],
    ['reasoning effort', { 'cloud.reasoningEffort': 'low' }, (s) => s.cloud.reasoningEffort, 'low'],
    ['budget negative clamped', { 'cloud.dailyBudgetUsd': -5 }, (s) => s.cloud.dailyBudgetUsd, 0],
    ['price rows validated', { 'cloud.prices': [{ model: 'm', inputPerMTok: 1, outputPerMTok: 2 }, { model: 'bad' }] }, (s) => s.cloud.prices.map((p) => p.model), ['m']],
  ];
  for (const [name, raw, pick, expected] of cases) {
    it(name, () => assert.deepEqual(pick(read(raw)), expected));
  }

  it('is frozen all the way down', () => {
    const s = read({ 'inline.disabledLanguages': ['markdown'] });
    assert.ok(Object.isFrozen(s) && Object.isFrozen(s.local) && Object.isFrozen(s.inline.disabledLanguages));
  });
});

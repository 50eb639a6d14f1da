import { strict as assert } from 'node:assert';
import { engineSettingsFrom } from '../../../src/core/completion/engineSettings';
import { readSettings } from '../../../src/core/settings';

describe('engineSettingsFrom', () => {
  it('takes the inline and local settings the engine needs', () => {
    const raw: Record<string, unknown> = { 'inline.enabled': false, 'inline.maxLines': 3, 'local.maxTokens': 64, 'local.temperature': 0 };
    const s = engineSettingsFrom(readSettings((k) => raw[k]));
    assert.deepEqual([s.enabled, s.maxLines, s.maxTokens, s.temperature], [false, 3, 64, 0]);
  });

  it('fits prompt and answer in the context window, most of the prompt before the cursor', () => {
    for (const contextTokens of [256, 1536, 8192]) {
      const s = engineSettingsFrom(readSettings((k) => (k === 'local.contextTokens' ? contextTokens : undefined)));
      const promptTokens = (s.maxPrefixChars + s.maxSuffixChars) / 3.5;
      assert.ok(promptTokens + s.maxTokens <= contextTokens || s.maxPrefixChars + s.maxSuffixChars <= 256, `${contextTokens}`);
      assert.ok(s.maxPrefixChars > 2 * s.maxSuffixChars);
    }
  });
});

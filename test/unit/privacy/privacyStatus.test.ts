import { strict as assert } from 'node:assert';
import { describePrivacy, privacyLogLine, type PrivacyStatusInput } from '../../../src/core/status/privacyStatus';
import { decideRoute } from '../../../src/core/routing/routeDecision';

const READY = { kind: 'ready' as const, model: 'qwen2.5-coder:1.5b-base', fim: 'native' as const };

function input(changes: Partial<PrivacyStatusInput> = {}): PrivacyStatusInput {
  return {
    mode: 'hybrid', trusted: true, hasApiKey: true, endpointAllowed: true, cloudHost: 'api.openai.com', cloudModel: 'gpt-5.4-mini',
    cloudFallback: false, inlineInExcludedFiles: false, localHealth: READY,
    activeFile: { path: 'src/app.ts', exclusion: { excluded: false } },
    ...changes,
  };
}

describe('describePrivacy (the privacy status item)', () => {
  const table: Array<[string, Partial<PrivacyStatusInput>, RegExp, string, string]> = [
    ['hybrid, trusted', {}, /^\$\(cloud\) hybrid$/, 'cloud', 'local'],
    ['local only', { mode: 'localOnly' }, /^\$\(shield\) local only$/, 'local', 'local'],
    ['untrusted', { trusted: false }, /restricted/, 'local', 'local'],
    ['excluded file', { activeFile: { path: '.env', exclusion: { excluded: true, rule: 'default: .env*' } } }, /hybrid .*excluded/, 'refuse', 'refuse'],
    ['no key', { hasApiKey: false }, /hybrid/, 'local', 'local'],
    ['local down, local only', { mode: 'localOnly', localHealth: { kind: 'offline', detail: 'ECONNREFUSED' } }, /local only/, 'refuse', 'refuse'],
  ];
  for (const [name, changes, text, refactor, inline] of table) {
    it(`${name}: "${text.source}", refactor → ${refactor}, inline → ${inline}`, () => {
      const v = describePrivacy(input(changes));
      assert.match(v.text, text);
      assert.equal(v.refactor.kind, refactor);
      assert.equal(v.inline.kind, inline);
    });
  }

  it('shows the router\'s own explanation in the tooltip and the log line', () => {
    const i = input({ trusted: false });
    const v = describePrivacy(i);
    const direct = decideRoute({
      kind: 'refactor', mode: 'hybrid', trusted: false, excluded: { excluded: false }, localHealth: 'ready', cloudFallback: false,
      explicitInvoke: true, inlineInExcludedFiles: false, budget: { kind: 'ok' }, hasApiKey: true, endpointAllowed: true,
    });
    assert.deepEqual(v.refactor, direct);
    assert.ok(v.tooltip.some((l) => l.includes(direct.explain)), v.tooltip.join('\n'));
    assert.match(privacyLogLine(v, 'src/app.ts'), /refactor → local \(untrustedWorkspace\)/);
    assert.equal(v.severity, 'warning');
    // The refactor service does not hand a blocked cloud refactor to the local model unasked.
    assert.ok(v.tooltip.some((l) => /^Refactor here .*local model if you choose it/.test(l)), v.tooltip.join('\n'));
    assert.ok(describePrivacy(input({ mode: 'localOnly' })).tooltip.some((l) => /^Refactor here .*: local model\./.test(l)));
  });

  it('names the excluding rule and says the file informs no prompt', () => {
    const v = describePrivacy(input({ activeFile: { path: 'config/.env.local', exclusion: { excluded: true, rule: 'default: .env*' } } }));
    assert.ok(v.tooltip.some((l) => l.includes('default: .env*') && /never informs any prompt/.test(l)));
    assert.match(v.accessibleLabel, /excluded/);
    assert.doesNotMatch(v.accessibleLabel, /\$\(/);
  });

  it('with no active file, describes an ordinary file', () => {
    const v = describePrivacy(input({ activeFile: undefined }));
    assert.equal(v.refactor.kind, 'cloud');
    assert.ok(!v.tooltip.join('\n').includes('()'));
  });

  it('a base URL the key may not go to keeps refactors local, and says why', () => {
    const v = describePrivacy(input({ endpointAllowed: false }));
    assert.equal(v.refactor.kind, 'local');
    assert.equal(v.refactor.reason, 'endpointNotAllowed');
  });
});

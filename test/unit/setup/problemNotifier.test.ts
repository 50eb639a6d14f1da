import { strict as assert } from 'node:assert';
import { ProblemNotifier, problemForInlineFailure, type InlineFailure, type Problem } from '../../../src/core/setup/problemNotifier';

const base: Omit<InlineFailure, 'reason' | 'trigger'> = { model: 'qwen2.5-coder:1.5b-base', endpoint: 'http://127.0.0.1:11434', provider: 'ollama' };

describe('ProblemNotifier', () => {
  it('shows each distinct problem once per window, however often it is reported', () => {
    const shown: Problem[] = [];
    const n = new ProblemNotifier((p) => shown.push(p));
    for (let i = 0; i < 500; i++) {
      n.report({ key: 'a', severity: 'error', message: 'A' });
      if (i % 2) n.report({ key: 'b', severity: 'warning', message: 'B' });
    }
    assert.deepEqual(shown.map((p) => p.key), ['a', 'b']);
    assert.deepEqual(n.stats, { reported: 750, shown: 2, suppressed: 748 });
    assert.equal(n.hasShown('a'), true);
    assert.equal(n.hasShown('c'), false);
  });
});

describe('problemForInlineFailure', () => {
  it('a down server, a missing model or a model without FIM while typing: the status bar only', () => {
    for (const reason of ['backendDown', 'modelMissing', 'noFim']) {
      assert.equal(problemForInlineFailure({ ...base, reason, trigger: 'automatic' }), undefined, reason);
    }
  });

  it('the same when the user asked explicitly: a transient status message with the fix, never a popup', () => {
    const down = problemForInlineFailure({ ...base, reason: 'backendDown', trigger: 'invoke' });
    assert.equal(down?.channel, 'statusMessage');
    assert.match(down?.message ?? '', /not reachable.*ollama serve/);
    const missing = problemForInlineFailure({ ...base, reason: 'modelMissing', trigger: 'invoke' });
    assert.match(missing?.message ?? '', /ollama pull qwen2\.5-coder:1\.5b-base/);
    assert.equal(problemForInlineFailure({ ...base, reason: 'noFim', trigger: 'invoke' })?.channel, 'statusMessage');
  });

  it('a server answering with nonsense: a popup once it is not a one-off, or at once when asked', () => {
    assert.equal(problemForInlineFailure({ ...base, reason: 'error', trigger: 'automatic', consecutiveFailures: 1 }), undefined);
    const p = problemForInlineFailure({ ...base, reason: 'error', detail: 'malformed response', trigger: 'automatic', consecutiveFailures: 3 });
    assert.equal(p?.severity, 'error');
    assert.equal(p?.channel, 'toast');
    assert.equal(p?.key, 'local.error:http://127.0.0.1:11434');
    assert.equal(problemForInlineFailure({ ...base, reason: 'error', trigger: 'invoke', consecutiveFailures: 1 })?.channel, 'toast');
  });

  it('status messages are not deduplicated and never count as popups', () => {
    const shown: Problem[] = [];
    const flashed: Problem[] = [];
    const n = new ProblemNotifier((p) => shown.push(p), (p) => flashed.push(p));
    const p = problemForInlineFailure({ ...base, reason: 'backendDown', trigger: 'invoke' })!;
    assert.equal(n.report(p), false);
    n.report(p);
    assert.equal(flashed.length, 2);
    assert.equal(shown.length, 0);
  });

  it('nothing for skips that are not problems', () => {
    for (const reason of ['cancelled', 'superseded', 'midLine', 'empty', 'disabled', 'excludedFile']) {
      assert.equal(problemForInlineFailure({ ...base, reason, trigger: 'invoke' }), undefined, reason);
    }
  });
});

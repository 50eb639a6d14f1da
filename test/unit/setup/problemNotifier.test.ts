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

  it('the same when the user asked explicitly: one message with the fix', () => {
    const down = problemForInlineFailure({ ...base, reason: 'backendDown', trigger: 'invoke' });
    assert.match(down?.message ?? '', /not reachable.*ollama serve/);
    assert.equal(down?.actions?.[0].command, 'tandem.checkSetup');
    const missing = problemForInlineFailure({ ...base, reason: 'modelMissing', trigger: 'invoke' });
    assert.match(missing?.message ?? '', /ollama pull qwen2\.5-coder:1\.5b-base/);
    assert.ok(problemForInlineFailure({ ...base, reason: 'noFim', trigger: 'invoke' }));
  });

  it('a server answering with nonsense: one message per window even while typing', () => {
    const p = problemForInlineFailure({ ...base, reason: 'error', detail: 'malformed response', trigger: 'automatic' });
    assert.equal(p?.severity, 'error');
    assert.equal(p?.key, 'local.error:http://127.0.0.1:11434');
  });

  it('nothing for skips that are not problems', () => {
    for (const reason of ['cancelled', 'superseded', 'midLine', 'empty', 'disabled', 'excludedFile']) {
      assert.equal(problemForInlineFailure({ ...base, reason, trigger: 'invoke' }), undefined, reason);
    }
  });
});

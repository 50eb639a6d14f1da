import { strict as assert } from 'node:assert';
import { MIN_SUFFIX_CHARS, ServerSpeed } from '../../../src/core/completion/serverSpeed';

describe('ServerSpeed', () => {
  it('keeps the full suffix window until the server has reported its prompt rate', () => {
    const s = new ServerSpeed();
    assert.equal(s.promptTokensPerSec(), undefined);
    assert.equal(s.suffixChars(1000), 1000);
    s.note({}); // a stream closed early reports nothing
    s.note({ promptTokens: 4, promptEvalMs: 1 }); // too few tokens to tell the rate
    assert.equal(s.suffixChars(1000), 1000);
  });

  // Rate in prompt tokens/s -> suffix chars whose reprocessing fits 60 ms (3.5 chars a token, steps of 80).
  const rows: Array<[string, number, number]> = [
    ['a GPU (8,000/s) keeps the whole window', 8000, 1000],
    ['a laptop (1,500/s): about 90 tokens', 1500, 240],
    ['a CPU (200/s): the minimum, the next lines', 200, MIN_SUFFIX_CHARS],
  ];
  for (const [name, rate, chars] of rows) {
    it(name, () => {
      const s = new ServerSpeed();
      s.note({ promptTokens: 300, promptEvalMs: (300 * 1000) / rate });
      assert.equal(Math.round(s.promptTokensPerSec()!), rate);
      assert.equal(s.suffixChars(1000), chars);
    });
  }

  it('follows a changing server with a moving average, and forgets it on reset', () => {
    const s = new ServerSpeed();
    s.note({ promptTokens: 300, promptEvalMs: 1000 });
    s.note({ promptTokens: 300, promptEvalMs: 100 });
    const r = s.promptTokensPerSec()!;
    assert.ok(r > 300 && r < 3000, String(r));
    s.reset();
    assert.equal(s.suffixChars(1000), 1000);
  });

  it('never gives more than the configured window', () => {
    const s = new ServerSpeed();
    s.note({ promptTokens: 300, promptEvalMs: 1 });
    assert.equal(s.suffixChars(100), 100);
  });
});

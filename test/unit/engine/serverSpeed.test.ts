import { strict as assert } from 'node:assert';
import { MIN_CEILING_TOKENS, MIN_SUFFIX_CHARS, ServerSpeed } from '../../../src/core/completion/serverSpeed';

describe('ServerSpeed', () => {
  it('keeps the full suffix window until the server has reported its prompt rate', () => {
    const s = new ServerSpeed();
    assert.equal(s.promptTokensPerSec(), undefined);
    assert.equal(s.suffixChars(1000), 1000);
    s.note({}); // a stream closed early reports nothing
    s.note({ promptTokens: 4, promptEvalMs: 1 }); // too few tokens to tell the rate
    assert.equal(s.suffixChars(1000), 1000);
  });

  // Rate in prompt tokens/s -> suffix chars whose reprocessing fits 40 ms (3.5 chars a token, steps of 80).
  const rows: Array<[string, number, number]> = [
    ['a GPU (8,000/s) keeps the whole window', 8000, 1000],
    ['a fast laptop GPU (3,000/s): about 120 tokens', 3000, 400],
    ['a laptop (1,500/s): the minimum', 1500, MIN_SUFFIX_CHARS],
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

  it('uses the warm-up probe until a completion reports, then what completions report', () => {
    const s = new ServerSpeed();
    const probe = { promptTokens: 300, promptEvalMs: 200, outputTokens: 8, evalMs: 360 }; // 1,500/s, 45 ms a token
    assert.equal(s.suffixChars(1000, probe), MIN_SUFFIX_CHARS);
    assert.equal(s.maxTokens(256, probe), 40);
    s.note({ promptTokens: 300, promptEvalMs: 300 / 8, outputTokens: 20, evalMs: 200 }); // a GPU after all
    assert.equal(s.suffixChars(1000, probe), 1000);
    assert.equal(s.maxTokens(256, probe), 200);
  });

  // ms per generated token -> generation cap: about 2 s of the server's time, in steps of 8 tokens.
  const caps: Array<[string, number, number]> = [
    ['a GPU (10 ms a token) gets 200 tokens', 10, 200],
    ['a laptop (20 ms) gets 100 -> 96', 20, 96],
    ['a CPU (45 ms) gets 44 -> 40', 45, 40],
    ['a very slow server still gets the minimum', 400, MIN_CEILING_TOKENS],
  ];
  for (const [name, msPerToken, cap] of caps) {
    it(`token cap: ${name}`, () => {
      const s = new ServerSpeed();
      assert.equal(s.maxTokens(256), 256, 'unknown speed: the configured cap');
      s.note({ outputTokens: 50, evalMs: 50 * msPerToken });
      assert.equal(s.maxTokens(256), cap);
      assert.equal(s.maxTokens(16), 16, 'never above the configured cap');
    });
  }

  it('ignores token samples too short to tell the interval', () => {
    const s = new ServerSpeed();
    s.note({ outputTokens: 2, evalMs: 1000 });
    assert.equal(s.maxTokens(256), 256);
  });
});

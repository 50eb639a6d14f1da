import { strict as assert } from 'node:assert';
import { defaultTokenize, deterministicReply, Timers, truncateOutput } from '../../doubles/httpUtil';

describe('httpUtil', () => {
  const words = (t: string): string[] => t.split(/(?= )|(?<=\n)/);
  // [reply, stop, max tokens, expected text, expected finish]
  const cases: Array<[string, string[], number | undefined, string, 'stop' | 'length']> = [
    ['a b c', [], undefined, 'a b c', 'stop'],
    ['a b c', [], 2, 'a b', 'length'],
    ['a b c', [], 3, 'a b c', 'length'],
    ['a b c', [], 4, 'a b c', 'stop'],
    ['a b c', [], 0, 'a b c', 'stop'],
    ['a b c', [], -1, 'a b c', 'stop'],
    ['a b\nc d', ['\n'], undefined, 'a b', 'stop'],
    ['a bXYc', ['XY'], undefined, 'a b', 'stop'],
    ['a b c', ['b', ' c'], undefined, 'a ', 'stop'],
    ['a b c d', ['d'], 2, 'a b', 'length'],
    ['a b c d', ['b'], 3, 'a ', 'stop'],
    ['a b', ['zz', ''], undefined, 'a b', 'stop'],
  ];
  for (const [reply, stop, max, text, finish] of cases) {
    it(`truncateOutput(${JSON.stringify(reply)}, stop ${JSON.stringify(stop)}, max ${max}) -> ${JSON.stringify(text)} ${finish}`, () => {
      const r = truncateOutput(reply, words, { stop, maxTokens: max });
      assert.equal(r.tokens.join(''), text);
      assert.equal(r.finish, finish);
      assert.ok(r.tokens.every((t) => t !== ''), 'no empty tokens');
    });
  }

  it('defaultTokenize keeps every character and cuts words into short pieces', () => {
    const text = '  function compute(x) {\n\treturn x*2;\n}\n';
    const toks = defaultTokenize(text);
    assert.equal(toks.join(''), text);
    assert.ok(toks.every((t) => t.trim().length <= 4));
  });

  it('deterministicReply depends only on the prompt', () => {
    assert.equal(deterministicReply('let a = b'), deterministicReply('let a = b'));
    assert.notEqual(deterministicReply('let a = b'), deterministicReply('let a = c'));
    assert.match(deterministicReply('let a = b'), /\n/);
  });

  it('Timers.cancelAll stops pending callbacks of both kinds', async () => {
    const timers = new Timers();
    let fired = 0;
    timers.after(0, () => fired++);
    timers.after(5, () => fired++);
    const kept = timers.after(0, () => fired++);
    kept.cancel();
    assert.equal(timers.pending, 2);
    timers.cancelAll();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(fired, 0);
    assert.equal(timers.pending, 0);
  });
});

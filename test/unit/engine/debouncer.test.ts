import { strict as assert } from 'node:assert';
import { AdaptiveDebounce, pauseLikelyAfter } from '../../../src/core/completion/debouncer';

function withGaps(gaps: number[], latencies: number[] = []): AdaptiveDebounce {
  const d = new AdaptiveDebounce({ minMs: 25, maxMs: 200, targetShowMs: 600 });
  let t = 0;
  d.noteKeystroke(t);
  for (const g of gaps) d.noteKeystroke((t += g));
  for (const l of latencies) d.noteModelLatency(l);
  return d;
}

describe('AdaptiveDebounce', () => {
  const table: Array<[string, number[], number[], number]> = [
    ['no keystrokes seen yet: the middle of the bounds', [], [], 113],
    ['too few gaps to know the rhythm', [80, 90], [], 113],
    ['fast typist: twice the median gap', [60, 60, 70, 50, 60], [], 120],
    ['steady typist', [70, 90, 80, 60, 100], [], 160],
    ['slow typist: capped at the upper bound', [250, 300, 280], [], 200],
    ['pauses are not part of the rhythm', [60, 60, 5000, 60, 3000], [], 120],
    ['a fast model leaves the typing rhythm in charge', [70, 90, 80], [150, 150], 160],
    ['a slow model shortens the wait so the total fits a pause', [70, 90, 80], [450, 450], 150],
    ['a slower model: never below the typing rhythm (1.25 gaps), or every key would start a request', [70, 90, 80], [520, 520], 100],
    ['a very slow model: still the typing rhythm, not the lower bound', [70, 90, 80], [2000], 100],
    ['fast typist, instant model: never below the lower bound', [10, 12, 11], [5], 25],
  ];
  for (const [name, gaps, latencies, expected] of table) {
    it(name, () => {
      assert.equal(withGaps(gaps, latencies).delayMs(), expected);
    });
  }

  it('follows a changing latency with a moving average', () => {
    const d = withGaps([100, 120, 110]);
    d.noteModelLatency(500);
    d.noteModelLatency(100);
    assert.equal(Math.round(d.modelLatencyMs() ?? -1), 380);
  });

  it('ignores impossible latency samples', () => {
    const d = withGaps([]);
    d.noteModelLatency(Number.NaN);
    d.noteModelLatency(-5);
    assert.equal(d.modelLatencyMs(), undefined);
  });

  it('stays within the bounds for any input', () => {
    let seed = 3;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 200; i++) {
      const gaps = Array.from({ length: Math.floor(rand() * 20) }, () => Math.floor(rand() * 1500));
      const lat = Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * 3000));
      const v = withGaps(gaps, lat).delayMs();
      assert.ok(v >= 25 && v <= 200, `${v} for ${gaps} / ${lat}`);
    }
  });

  describe('the text predicts a pause as well as the timing', () => {
    const rows: Array<[string, string, boolean]> = [
      ['after an opening parenthesis', 'foo(', true],
      ['after =', 'const x =', true],
      ['after a colon', 'def f(x):', true],
      ['after a comma', 'f(a,', true],
      ['after a dot', 'self.', true],
      ['after Enter', 'x = 1\n', true],
      ['after a space', 'return ', true],
      ['the start of a file', '', true],
      ['mid-word', 'const total = 1;\nconst to', false],
      ['a word that already occurs whole earlier: finished', 'const total = 1;\nreturn total', true],
      ['a word occurring only inside a longer one is not finished', 'totally = 1;\nreturn total', false],
      ['after an operator that is usually followed by more', 'a -', false],
    ];
    for (const [name, text, likely] of rows) {
      it(name, () => assert.equal(pauseLikelyAfter(text), likely));
    }

    it('waits 1.25 typical gaps at a likely pause and longer mid-word (up to 1.5 x the upper bound)', () => {
      const d = withGaps([140, 130, 150, 140, 145]);
      assert.equal(d.delayMs('foo('), 175);
      assert.equal(d.delayMs('const x = 1;\nconst xy'), 300);
      assert.equal(d.delayMs(), 200, 'without text: the timing alone, as before');
    });
  });
});

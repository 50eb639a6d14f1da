import { strict as assert } from 'node:assert';
import { AdaptiveDebounce } from '../../../src/core/completion/debouncer';

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
    ['a slow model shortens the wait so the total fits a pause', [70, 90, 80], [520, 520], 80],
    ['a very slow model: never below the lower bound', [70, 90, 80], [2000], 25],
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
});

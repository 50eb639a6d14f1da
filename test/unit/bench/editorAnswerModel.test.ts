// The editor benchmark's model double is right only at a seeded share of cursor positions, the same
// answer every time it is asked at one place, and a wrong answer is contradicted by the next keys.
import { strict as assert } from 'node:assert';
import { TraceAnswers } from '../../../bench/editor/answerModel';
import { randomPauseTrace } from '../../../bench/editor/traces';

describe('editor benchmark answers', () => {
  const trace = randomPauseTrace(1);
  const typed = trace.keys.map((k) => k.ch).join('');
  const head = trace.truth.slice(0, trace.start);
  const prefixAt = (k: number) => head + typed.slice(0, k);

  it('answers with the true continuation at about the accuracy share of positions, and only there', () => {
    const answers = new TraceAnswers(trace, { accuracy: 0.4, seed: 1 });
    let right = 0;
    for (let k = 0; k < typed.length; k++) {
      const a = answers.answer({ prefix: prefixAt(k), suffix: '' });
      assert.equal(a.keysTyped, k);
      const truth = typed.slice(k);
      const agrees = truth.startsWith(a.text) || a.text.startsWith(truth);
      assert.equal(agrees, answers.isRight(k), `position ${k}: a wrong answer must part from what is typed next`);
      if (agrees) right++;
    }
    const share = right / typed.length;
    assert.ok(share > 0.3 && share < 0.5, `right at ${right} of ${typed.length} positions`);
  });

  it('gives the same answer at the same place, and another seed other answers', () => {
    const a = new TraceAnswers(trace, { accuracy: 0.4, seed: 1 });
    const b = new TraceAnswers(trace, { accuracy: 0.4, seed: 1 });
    const c = new TraceAnswers(trace, { accuracy: 0.4, seed: 2 });
    const at = (t: TraceAnswers) => Array.from({ length: 60 }, (_, k) => t.answer({ prefix: prefixAt(k), suffix: '' }).text);
    assert.deepEqual(at(a), at(b));
    assert.notDeepEqual(at(a), at(c));
  });

  it('is an oracle at accuracy 1 (the harness before it learned to be wrong)', () => {
    const answers = new TraceAnswers(trace, { accuracy: 1 });
    for (let k = 0; k < typed.length; k += 17) {
      assert.ok(typed.slice(k).startsWith(answers.answer({ prefix: prefixAt(k), suffix: '' }).text));
    }
  });
});

// The editor benchmark's figures from recorded keys, ghost text and requests.
import { strict as assert } from 'node:assert';
import { attribute, computeFigures, type GenerationRecord, type RunRecord } from '../../../bench/editor/metrics';
import { SERVER_PROFILES } from '../../doubles/serverCost';

const typed = 'const total = 1;\nreturn total;\n';

function gen(p: Partial<GenerationRecord> & { id: number; keysTyped: number; receivedAt: number }): GenerationRecord {
  return { aborted: false, completed: true, tokens: [], tokenTimes: [], ...p };
}

describe('editor benchmark figures', () => {
  // Keys at 0, 100, ... 1500; a pause after key 5 ("const ") lasting until 1600 (key 6 at 1600).
  const keyTimes = [...typed].map((_, i) => (i <= 5 ? i * 100 : 1100 + i * 100));
  const restart = gen({ id: 1, keysTyped: 6, receivedAt: 520, startedAt: 520, firstTokenAt: 670, endedAt: 675, aborted: true, completed: false,
    tokens: ['total', ' = 1;', '\n'], tokenTimes: [670], processedTokens: 300, firstTokenDueMs: 150, slotReleasedAt: 675 });
  const shownReq = gen({ id: 2, keysTyped: 6, receivedAt: 700, startedAt: 700, firstTokenAt: 850, endedAt: 900,
    tokens: ['total', ' = 1;', '\n'], tokenTimes: [850, 870, 890], processedTokens: 300, firstTokenDueMs: 150, slotReleasedAt: 900 });
  const rec: RunRecord = {
    keyTimes,
    ghosts: [{ t: 930, text: 'total = 1;' }, { t: 1600, text: '' }],
    generations: [restart, shownReq],
    pauseAfter: [5],
    typed,
    endAt: keyTimes[keyTimes.length - 1] + 1500,
    profile: SERVER_PROFILES.fixed,
  };

  it('attributes ghost text to the newest request that had streamed it by then', () => {
    const a = attribute(rec, rec.ghosts[0]);
    assert.equal(a?.gen.id, 2);
    assert.equal(a?.tokensNeeded, 2);
  });

  it('computes pause, overhead, waste, prompt and busy figures', () => {
    const f = computeFigures(rec);
    assert.equal(f.pauses, 1);
    assert.equal(f.pausesWithGhost, 1);
    assert.equal(f.keyToGhostP50Ms, 430);
    // The schedule needed 150 ms + 1 x 20 ms for the two tokens of "total = 1;".
    assert.equal(f.overheadP50Ms, 430 - 170);
    assert.equal(f.pausesWithRestart, 1);
    assert.equal(f.requests, 2);
    assert.equal(f.wastedTokenShare, Math.round((1 / 4) * 1000) / 1000);
    assert.equal(f.uncachedPromptTokensPerKeystroke, Math.round((600 / typed.length) * 10) / 10);
    assert.equal(f.serverBusyShare, Math.round(((155 + 200) / (rec.endAt - 0)) * 1000) / 1000);
    assert.equal(f.maxInFlight, 1);
  });

  it('measures no overhead for a ghost from a prefetch sent before the pause\'s last key (it guessed the position)', () => {
    // A prefetch sent at 300 whose prompt already held "const " (the model's earlier suggestion was right).
    const prefetch = gen({ id: 3, keysTyped: 6, receivedAt: 300, startedAt: 300, firstTokenAt: 450, endedAt: 500,
      tokens: ['total', ' = 1;', '\n'], tokenTimes: [450, 470, 490], processedTokens: 300, firstTokenDueMs: 150, slotReleasedAt: 500 });
    const f = computeFigures({ ...rec, generations: [prefetch], ghosts: [{ t: 560, text: 'total = 1;' }, { t: 1600, text: '' }] });
    assert.equal(f.pausesWithGhost, 1);
    assert.equal(f.keyToGhostP50Ms, 60);
    assert.equal(f.overheadSamples, 0, 'was 60 - 170 = -110 ms, counted as the extension being faster than the model');
  });
});

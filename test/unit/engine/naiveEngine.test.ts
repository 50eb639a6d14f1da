import { strict as assert } from 'node:assert';
import { DEFAULT_ENGINE_SETTINGS } from '../../../src/core/completion/engineSettings';
import { ManualClock } from '../../support/manualClock';
import { NaiveEngine } from '../../../bench/naiveEngine';
import { at, ScriptedBackend } from './scriptedBackend';

describe('NaiveEngine (benchmark baseline)', () => {
  it('sends one request per call at once, never aborts, and waits for the whole answer', async () => {
    const clock = new ManualClock();
    const backend = new ScriptedBackend(clock, () => ({ tokens: ['foo();', '\n', 'bar();', '\n'] }));
    const engine = new NaiveEngine({ backend: () => backend, clock, settings: () => DEFAULT_ENGINE_SETTINGS });
    const tokens = [new AbortController(), new AbortController(), new AbortController()];
    const outcomes = ['', 'f', 'fo'].map((t, i) => engine.complete(at(`const x = ${t}|\n`), tokens[i].signal));
    await clock.advance(0);
    assert.equal(backend.calls.length, 3);
    tokens[0].abort();
    tokens[1].abort();
    await clock.advance(1000);
    const results = await Promise.all(outcomes);
    assert.equal(backend.maxRunning, 3);
    assert.ok(backend.calls.every((c) => !c.aborted && !c.stoppedByClient && c.emitted === 4));
    assert.deepEqual(results.map((r) => r.kind === 'skipped' ? r.reason : r.text), ['cancelled', 'cancelled', 'foo();']);
  });
});

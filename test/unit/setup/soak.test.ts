// The soak run, reduced to 1,000 requests so it runs with the unit tests (npm run soak does 10,000
// with --expose-gc and prints the heap figures).
import { strict as assert } from 'node:assert';
import { runSoak } from '../../soak/soakRun';

describe('soak (1,000 requests through the engine)', () => {
  it('leaves no timer, no abort listener, no unhandled rejection, and never runs two requests at once', async function () {
    this.timeout(60_000);
    const r = await runSoak({ requests: 1000, seed: 7 });
    assert.equal(r.pendingClockTimers, 0, 'timers left on the engine clock');
    assert.equal(r.danglingAbortListeners, 0, 'abort listeners left on live signals');
    assert.equal(r.unhandledRejections, 0);
    assert.equal(r.maxInFlight, 1);
    const total = Object.values(r.outcomes).reduce((a, b) => a + b, 0);
    assert.equal(total, 1000, 'every call ended with an outcome');
    assert.ok((r.outcomes['shown:model'] ?? 0) > 0, JSON.stringify(r.outcomes));
    assert.ok((r.outcomes['skipped:backendDown'] ?? 0) > 0, 'the down stretch was exercised');
    // The breaker: 100 keystrokes against a dead server cost a handful of requests, not 100.
    assert.ok(r.backendRequests < 400, `backend requests ${r.backendRequests}`);
  });
});

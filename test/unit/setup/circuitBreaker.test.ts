import { strict as assert } from 'node:assert';
import { backendFailure } from '../../../src/core/shared/backendFailure';
import { BackendError } from '../../../src/core/shared/modelBackend';
import { CompletionEngine } from '../../../src/core/completion/completionEngine';
import type { CompletionOutcome } from '../../../src/core/completion/completionOutcome';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../../src/core/completion/engineSettings';
import { ManualClock } from '../../support/manualClock';
import { CircuitBreaker } from '../../../src/core/shared/circuitBreaker';
import { at, ScriptedBackend } from '../engine/scriptedBackend';

describe('CircuitBreaker', () => {
  it('is closed until a failure, then open for the backoff, then lets exactly one probe through', async () => {
    const clock = new ManualClock(0);
    const b = new CircuitBreaker({ clock, random: () => 0 });
    assert.deepEqual(b.admit(), { kind: 'allow', probe: false });
    assert.equal(b.failure('backendDown', 'ECONNREFUSED'), 1000);
    assert.equal(b.state.phase, 'open');
    const r = b.admit();
    assert.equal(r.kind, 'reject');
    assert.equal(r.kind === 'reject' && r.retryInMs, 1000);
    assert.equal(r.kind === 'reject' && r.reason, 'backendDown');
    // Timers are not involved: time passing is enough.
    await clock.advance(999);
    assert.equal(b.admit().kind, 'reject');
    await clock.advance(1);
    assert.equal(b.state.phase, 'halfOpen');
    assert.deepEqual(b.admit(), { kind: 'allow', probe: true });
    assert.equal(b.admit().kind, 'reject', 'only one probe at a time');
    b.success();
    assert.equal(b.state.phase, 'closed');
    assert.equal(b.state.failures, 0);
    assert.deepEqual(b.admit(), { kind: 'allow', probe: false });
  });

  it('doubles the backoff per consecutive failure up to 60 s', () => {
    const b = new CircuitBreaker({ clock: new ManualClock(0), random: () => 0 });
    const seen = Array.from({ length: 9 }, (_, i) => b.backoffFor(i + 1));
    assert.deepEqual(seen, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  it('jitters the backoff downwards by at most a quarter', () => {
    const lo = new CircuitBreaker({ clock: new ManualClock(0), random: () => 0.999999 });
    const hi = new CircuitBreaker({ clock: new ManualClock(0), random: () => 0 });
    assert.equal(hi.backoffFor(3), 4000);
    assert.equal(lo.backoffFor(3), 3000);
    for (let i = 0; i < 200; i++) {
      const d = new CircuitBreaker({ clock: new ManualClock(0) }).backoffFor(7);
      assert.ok(d >= 45000 && d <= 60000, String(d));
    }
  });

  it('a failed probe reopens with a longer backoff; an inconclusive probe frees the slot', async () => {
    const clock = new ManualClock(0);
    const b = new CircuitBreaker({ clock, random: () => 0 });
    b.failure('backendDown', 'x');
    await clock.advance(1000);
    assert.equal(b.admit().kind, 'allow');
    b.inconclusive();
    assert.equal(b.admit().kind, 'allow', 'the slot is free again');
    assert.equal(b.failure('backendDown', 'x'), 2000);
    assert.equal(b.state.retryAt, 3000);
  });

  it('lets an explicit request through while open (the user asked)', () => {
    const b = new CircuitBreaker({ clock: new ManualClock(0), random: () => 0 });
    b.failure('modelMissing', 'm');
    assert.equal(b.admit().kind, 'reject');
    assert.deepEqual(b.admit(true), { kind: 'allow', probe: true });
  });
});

describe('CompletionEngine with the circuit breaker: a storm of keystrokes against a dead server', () => {
  function setup(down: () => boolean) {
    const clock = new ManualClock(1000);
    const backend = new ScriptedBackend(clock, () => (down()
      ? { tokens: [], firstTokenMs: 5, error: new BackendError(backendFailure('offline', 'Cannot reach the local model server (ECONNREFUSED).')) }
      : { tokens: ['ok();\n'], firstTokenMs: 20 }));
    const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'off' };
    const engine = new CompletionEngine({ backend: () => backend, clock, settings: () => settings, random: () => 0 });
    let token: AbortController | undefined;
    const call = (text: string): Promise<CompletionOutcome> => {
      token?.abort();
      token = new AbortController();
      return engine.complete(at(`const x = ${text}|\n`), token.signal);
    };
    return { clock, backend, engine, call };
  }

  it('sends one request per backoff period, not one per keystroke, and recovers once the server is back', async () => {
    let down = true;
    const { clock, backend, engine, call } = setup(() => down);
    // 60 s of typing at 8 keys per second, with a pause after each word: 480 keystrokes.
    const outcomes: Promise<CompletionOutcome>[] = [];
    let typed = '';
    for (let i = 0; i < 480; i++) {
      typed += String.fromCharCode(97 + (i % 26));
      outcomes.push(call(typed));
      await clock.advance(i % 6 === 5 ? 700 : 125);
    }
    await clock.advance(1000);
    const all = await Promise.all(outcomes);
    assert.ok(all.every((o) => o.kind === 'skipped'));
    const requests = backend.calls.length;
    // Backoffs 1, 2, 4, 8, 16, 32 s fill ~63 s: about 7 requests, never hundreds.
    assert.ok(requests >= 5 && requests <= 9, `requests reaching the dead server: ${requests}`);
    assert.equal(engine.state.circuit.phase, 'open');
    assert.equal(engine.state.circuit.lastFailure?.reason, 'backendDown');

    down = false;
    // The next probe after the current backoff (at most 60 s) succeeds and closes the circuit.
    let shown: CompletionOutcome | undefined;
    for (let i = 0; i < 200 && shown?.kind !== 'shown'; i++) {
      const p = call(`${typed}z${i}`);
      await clock.advance(1000);
      shown = await p;
    }
    assert.equal(shown?.kind, 'shown');
    assert.equal(engine.state.circuit.phase, 'closed');
    assert.equal(clock.pending, 0, 'no timer left behind');
    engine.dispose();
  });

  it('keeps the request count low across every kind of failure', async () => {
    for (const error of [
      new BackendError(backendFailure('notFound', 'missing')), new BackendError(backendFailure('noFim', 'nofim')),
      new BackendError(backendFailure('malformed', 'garbage')), new BackendError(backendFailure('server', 'The local model server answered 500')),
    ]) {
      const clock = new ManualClock(0);
      const backend = new ScriptedBackend(clock, () => ({ tokens: [], firstTokenMs: 5, error }));
      const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'off' };
      const engine = new CompletionEngine({ backend: () => backend, clock, settings: () => settings, random: () => 0 });
      let token: AbortController | undefined;
      for (let i = 0; i < 100; i++) {
        token?.abort();
        token = new AbortController();
        void engine.complete(at(`let v${i} = |\n`), token.signal);
        await clock.advance(100);
      }
      await clock.advance(500);
      // 10 s of keystrokes: probes at ~0, 1, 3, 7 s.
      assert.ok(backend.calls.length <= 5, `${error.kind}: ${backend.calls.length} requests`);
      engine.dispose();
    }
  });
});

describe('CompletionEngine.noteServerHealthy', () => {
  it('closes an open circuit at once, so the next keystroke asks again', async () => {
    let down = true;
    const clock = new ManualClock(0);
    const backend = new ScriptedBackend(clock, () => (down ? { tokens: [], firstTokenMs: 5, error: new BackendError(backendFailure('offline', 'down')) } : { tokens: ['x;\n'] }));
    const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'off' };
    const engine = new CompletionEngine({ backend: () => backend, clock, settings: () => settings, random: () => 0 });
    for (let i = 0; i < 5; i++) {
      const p = engine.complete(at(`let a${i} = |\n`), new AbortController().signal);
      await clock.advance(300);
      await p;
    }
    assert.equal(engine.state.circuit.phase, 'open');
    down = false;
    engine.noteServerHealthy();
    assert.equal(engine.state.circuit.phase, 'closed');
    const p = engine.complete(at('let b = |\n'), new AbortController().signal);
    await clock.advance(500);
    assert.equal((await p).kind, 'shown');
    engine.dispose();
  });
});

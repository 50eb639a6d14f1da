import { strict as assert } from 'node:assert';
import { backendFailure } from '../../../src/core/shared/backendFailure';
import { BackendError, type FimRequest } from '../../../src/core/shared/modelBackend';
import { CompletionEngine, ORPHAN_GRACE_MS, SPECULATE_AFTER_PAUSE_MS, type EngineState } from '../../../src/core/completion/completionEngine';
import type { CompletionContext, CompletionOutcome } from '../../../src/core/completion/completionOutcome';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../../src/core/completion/engineSettings';
import { ManualClock } from '../../support/manualClock';
import { at, ScriptedBackend, type Script } from './scriptedBackend';

function setup(script: (req: FimRequest, n: number) => Script, overrides: Partial<EngineSettings> = {}) {
  const clock = new ManualClock(1000);
  const backend = new ScriptedBackend(clock, script);
  const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'off', ...overrides };
  const logs: string[] = [];
  const states: EngineState[] = [];
  let current = backend;
  const engine = new CompletionEngine({
    // A fixed draw for the circuit breaker's jitter: the fake clock's timeline must not depend on Math.random.
    backend: () => current, clock, settings: () => settings, log: (l) => logs.push(l), onStateChange: (s) => states.push(s), random: () => 0.5,
  });
  // Like VS Code: each new request cancels the previous one's token first.
  let token: AbortController | undefined;
  const call = (ctx: CompletionContext): Promise<CompletionOutcome> => {
    token?.abort();
    token = new AbortController();
    return engine.complete(ctx, token.signal);
  };
  const swap = (b: ScriptedBackend) => { current = b; };
  return { clock, backend, engine, logs, states, settings, call, swap, cancelLast: () => token?.abort() };
}

const LINE = 'const x = |\n';
const typed = (s: string) => LINE.replace('|', `${s}|`);
const FOO = () => ({ tokens: ['foo(', ')', ';\n', 'never'] });

function shown(o: CompletionOutcome): Extract<CompletionOutcome, { kind: 'shown' }> {
  assert.equal(o.kind, 'shown', `expected shown, got ${JSON.stringify(o)}`);
  return o as Extract<CompletionOutcome, { kind: 'shown' }>;
}

describe('CompletionEngine', () => {
  it('asks the model after the debounce and stops a single-line stream at its newline', async () => {
    const { clock, backend, engine, call } = setup(FOO);
    const debounce = engine.state.debounceMs;
    const p = call(at(typed('')));
    await clock.advance(debounce - 1);
    assert.equal(backend.calls.length, 0, 'nothing sent during the debounce');
    await clock.advance(1);
    assert.equal(backend.calls.length, 1);
    await clock.advance(1000);
    const o = shown(await p);
    assert.equal(o.text, 'foo();');
    assert.equal(o.source, 'model');
    assert.equal(backend.calls[0].stoppedByClient, true, 'shouldStop ended the stream');
    assert.equal(backend.calls[0].emitted, 3, 'the token after the newline was never generated');
    assert.equal(o.timings.queuedMs, debounce);
    assert.equal(o.timings.firstTokenMs, 100);
    assert.equal(o.timings.modelMs, 140);
    assert.equal(o.timings.overheadMs, 0);
    assert.equal(engine.state.lastLatencyMs, 140);
  });

  it('stops a multi-line stream at the line cap', async () => {
    const { clock, backend, call } = setup(() => ({ tokens: ['  a();\n', '  b();\n', '  c();\n', '  d();\n'] }), { maxLines: 2 });
    const p = call(at('function f() {\n|\n}\n'));
    await clock.advance(2000);
    const o = shown(await p);
    assert.equal(o.text, '  a();\n  b();');
    assert.equal(backend.calls[0].emitted, 2);
    assert.equal(backend.calls[0].stoppedByClient, true);
  });

  it('serves the same position again from the cache without a request', async () => {
    const { clock, backend, call } = setup(FOO);
    const p = call(at(typed('')));
    await clock.advance(1000);
    shown(await p);
    const again = shown(await call(at(typed(''))));
    assert.deepEqual([again.source, again.text], ['cache', 'foo();']);
    assert.equal(backend.calls.length, 1);
  });

  it('serves typing-through with no request, and asks again when the typed text differs', async () => {
    const { clock, backend, call } = setup((_req, n) => (n === 0 ? FOO() : { tokens: ['y;\n'] }));
    const p = call(at(typed('')));
    await clock.advance(1000);
    shown(await p);
    for (const [t, rest] of [['f', 'oo();'], ['fo', 'o();'], ['foo(', ');'], ['foo()', ';']]) {
      const o = shown(await call(at(typed(t))));
      assert.deepEqual([o.source, o.text], ['typingThrough', rest], t);
    }
    assert.equal(backend.calls.length, 1);
    const q = call(at(typed('x')));
    await clock.advance(1000);
    const o = shown(await q);
    assert.deepEqual([o.source, o.text], ['model', 'y;']);
    assert.equal(backend.calls.length, 2);
  });

  it('does not type-through in another document or when the text after the cursor changed', async () => {
    const { clock, backend, call } = setup(FOO);
    const p = call(at(typed('')));
    await clock.advance(1000);
    shown(await p);
    const other = call(at(typed('f'), { documentKey: 'file:///b.ts' }));
    await clock.advance(1000);
    assert.equal(shown(await other).source, 'model');
    const changedSuffix = call(at('const x = f|\n// new line\n'));
    await clock.advance(1000);
    assert.equal(shown(await changedSuffix).source, 'model');
    assert.equal(backend.calls.length, 3);
  });

  it('lets a keystroke that extends the running request wait for it instead of starting another', async () => {
    const { clock, backend, engine, call } = setup(() => ({ tokens: ['f', 'oo', '(', ');\n'], firstTokenMs: 100, perTokenMs: 50 }));
    const pA = call(at(typed('')));
    await clock.advance(engine.state.debounceMs);
    assert.equal(backend.calls.length, 1);
    // Nothing generated yet: the typed 'f' may still match.
    const pB = call(at(typed('f')));
    assert.equal((await pA).kind, 'skipped');
    await clock.advance(160); // 'f', 'oo' streamed
    // The typed text matches what was generated so far.
    const pC = call(at(typed('foo')));
    assert.deepEqual(await pB, { kind: 'skipped', reason: 'cancelled', timings: (await pB as { timings: unknown }).timings });
    await clock.advance(1000);
    const o = shown(await pC);
    assert.deepEqual([o.source, o.text], ['inflight', '();']);
    assert.equal(backend.calls.length, 1);
    assert.equal(backend.calls[0].aborted, false);
    assert.equal(o.timings.queuedMs, 0, 'no debounce for a joined request');
  });

  it('asks again when the user has typed all of a joined answer', async () => {
    const { clock, backend, engine, call } = setup((_r, n) => (n === 0 ? { tokens: ['ab', '\n'], firstTokenMs: 300 } : { tokens: ['cd;\n'] }));
    call(at(typed('')));
    await clock.advance(engine.state.debounceMs + 10);
    call(at(typed('a')));
    await clock.advance(10);
    const p = call(at(typed('ab')));
    await clock.advance(1000);
    const o = shown(await p);
    assert.deepEqual([o.source, o.text], ['model', 'cd;']);
    assert.equal(backend.calls.length, 2);
    assert.equal(backend.calls[0].aborted, false, 'it ran to its end: the user was typing exactly it');
  });

  it('aborts a superseded request at once, before the new one is even debounced', async () => {
    const { clock, backend, engine, call, logs } = setup((_r, n) => (n === 0 ? { tokens: ['foo', '(', ');\n'], perTokenMs: 50 } : { tokens: ['1;\n'] }));
    const pA = call(at(typed('')));
    await clock.advance(engine.state.debounceMs + 110); // 'foo' streamed, more to come
    const sentAt = clock.now();
    const pB = call(at(typed('x')));
    await clock.advance(0);
    assert.equal(backend.calls[0].aborted, true, 'the backend saw the abort');
    assert.equal(backend.calls[0].abortedAt, sentAt);
    assert.equal((await pA).kind, 'skipped');
    await clock.advance(1000);
    const o = shown(await pB);
    assert.deepEqual([o.source, o.text], ['model', '1;']);
    assert.equal(backend.maxRunning, 1);
    assert.ok(logs.some((l) => /aborted/.test(l)));
  });

  it('aborts the running request when the user moves where no request is made', async () => {
    const { clock, backend, engine, call } = setup((_r, n) => (n === 0 ? FOO() : { tokens: ['1;\n'], firstTokenMs: 500 }));
    const p = call(at(typed('')));
    await clock.advance(1000);
    shown(await p); // cached at this position
    call(at(typed('b')));
    await clock.advance(engine.state.debounceMs + 10);
    assert.equal(backend.calls.length, 2);
    // Back to the cached position: served from the cache, and the running request is stale.
    assert.equal(shown(await call(at(typed('')))).source, 'cache');
    assert.equal(backend.calls[1].aborted, true);
    call(at(typed('c')));
    await clock.advance(engine.state.debounceMs + 10);
    assert.equal(backend.calls.length, 3);
    // Into the middle of a line: skipped, and the running request is stale too.
    assert.equal((await call(at('const x = c|foo\n')) as { reason?: string }).reason, 'midLine');
    assert.equal(backend.calls[2].aborted, true);
  });

  it('aborts a joined request as soon as its stream leaves what was typed, then starts one that fits', async () => {
    const { clock, backend, engine, call } = setup((_r, n) => (n === 0 ? { tokens: ['foo', '();\n'], firstTokenMs: 200 } : { tokens: ['yz;\n'] }));
    call(at(typed('')));
    await clock.advance(engine.state.debounceMs + 50);
    const pB = call(at(typed('x'))); // nothing generated yet: B waits
    await clock.advance(0);
    assert.equal(backend.calls[0].aborted, false);
    await clock.advance(150); // 'foo' arrives: it does not start with 'x'
    assert.equal(backend.calls[0].aborted, true);
    assert.equal(backend.calls[0].emitted, 1, 'aborted on the first disagreeing token');
    await clock.advance(1000);
    const o = shown(await pB);
    assert.deepEqual([o.source, o.text], ['model', 'yz;']);
    assert.equal(backend.calls.length, 2);
    assert.equal(backend.maxRunning, 1);
  });

  it('aborts a request nobody claims within the debounce plus the grace period', async () => {
    const { clock, backend, engine, call, cancelLast } = setup(() => ({ tokens: ['foo', '();\n'], firstTokenMs: 2000 }));
    const p = call(at(typed('')));
    await clock.advance(engine.state.debounceMs);
    cancelLast();
    assert.equal((await p).kind, 'skipped');
    const grace = engine.state.debounceMs + ORPHAN_GRACE_MS;
    await clock.advance(grace - 1);
    assert.equal(backend.calls[0].aborted, false, 'the next keystroke could still claim it');
    await clock.advance(1);
    assert.equal(backend.calls[0].aborted, true);
    assert.equal(clock.pending, 0);
  });

  it('keeps at most one request in flight under a burst of keystrokes', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const { clock, backend, engine, call } = setup(() => ({
      tokens: ['ab', 'cd', 'ef', '\n'], firstTokenMs: 80 + Math.floor(rand() * 150), perTokenMs: 25,
    }));
    const outcomes: Promise<CompletionOutcome>[] = [];
    let typedSoFar = '';
    for (let i = 0; i < 60; i++) {
      typedSoFar += 'abcdefghij'[Math.floor(rand() * 10)];
      outcomes.push(call(at(typed(typedSoFar))));
      await clock.advance(10 + Math.floor(rand() * 400));
      assert.ok(backend.running <= 1, `running ${backend.running} at keystroke ${i}`);
    }
    await clock.advance(2000);
    const all = await Promise.all(outcomes);
    assert.equal(backend.maxRunning, 1);
    assert.equal(engine.stats.maxInFlight, 1);
    assert.ok(backend.calls.length < 60, `${backend.calls.length} requests for 60 keystrokes`);
    assert.ok(backend.calls.every((c) => c.endedAt !== undefined), 'every request ended');
    assert.ok(all.some((o) => o.kind === 'shown'));
    engine.dispose();
    assert.equal(clock.pending, 0);
  });

  it('lets only the newest of two overlapping calls start a request', async () => {
    const { clock, backend, engine } = setup(FOO);
    const a = engine.complete(at(typed('')), new AbortController().signal);
    await clock.advance(10);
    const b = engine.complete(at(typed('')), new AbortController().signal);
    await clock.advance(1000);
    assert.equal((await a).kind === 'skipped' && (await a as { reason: string }).reason, 'superseded');
    assert.equal(shown(await b).source, 'model');
    assert.equal(backend.calls.length, 1);
  });

  it('does not debounce an explicit invoke', async () => {
    const { clock, backend, call } = setup(FOO);
    const p = call(at(typed(''), { trigger: 'invoke' }));
    await clock.advance(0);
    assert.equal(backend.calls.length, 1);
    await clock.advance(1000);
    assert.equal(shown(await p).timings.queuedMs, 0);
  });

  it('skips mid-line and disabled positions without a request', async () => {
    const { backend, call, settings } = setup(FOO);
    assert.equal((await call(at('const x = |foo\n')) as { reason?: string }).reason, 'midLine');
    (settings as { enabled: boolean }).enabled = false;
    assert.equal((await call(at(typed(''))) as { reason?: string }).reason, 'disabled');
    assert.equal(backend.calls.length, 0);
  });

  it('remembers an empty answer for automatic requests but asks again on invoke', async () => {
    const { clock, backend, call } = setup(() => ({ tokens: ['   ', '\n'] }));
    const p = call(at(typed('')));
    await clock.advance(1000);
    const o = await p;
    assert.equal(o.kind === 'skipped' && o.reason, 'empty');
    const again = await call(at(typed('')));
    assert.equal(again.kind === 'skipped' && again.reason, 'empty');
    assert.equal(backend.calls.length, 1);
    const invoked = call(at(typed(''), { trigger: 'invoke' }));
    await clock.advance(1000);
    await invoked;
    assert.equal(backend.calls.length, 2);
  });

  const errorTable: Array<[string, unknown, string]> = [
    ['server down', new BackendError(backendFailure('offline', 'Cannot reach the local model server (ECONNREFUSED).')), 'backendDown'],
    ['model not pulled', new BackendError(backendFailure('notFound', 'Model "m" is not available.')), 'modelMissing'],
    ['no FIM support', new BackendError(backendFailure('noFim', 'm does not support fill-in-the-middle.')), 'noFim'],
    ['malformed stream', new BackendError(backendFailure('malformed', 'bad json')), 'error'],
    ['other backend error', new BackendError(backendFailure('server', 'The local model server answered 500')), 'error'],
    ['not a BackendError', new TypeError('boom'), 'error'],
  ];
  for (const [name, error, reason] of errorTable) {
    it(`turns a failure into a skip: ${name} -> ${reason}`, async () => {
      const { clock, engine, call, logs } = setup(() => ({ tokens: [], error }));
      const p = call(at(typed('')));
      await clock.advance(1000);
      const o = await p;
      assert.equal(o.kind, 'skipped');
      assert.equal((o as { reason: string }).reason, reason);
      assert.equal(engine.state.lastError?.reason, reason);
      assert.equal(engine.state.busy, false);
      assert.equal(logs.filter((l) => l.startsWith('completion failed')).length, 1);
    });
  }

  it('holds automatic requests for a while after the server was found down, but not invokes', async () => {
    const { clock, backend, call, logs } = setup(() => ({ tokens: [], error: new BackendError(backendFailure('offline', 'down')) }));
    const p = call(at(typed('')));
    await clock.advance(1000);
    await p;
    const held = await call(at(typed('a')));
    assert.equal(held.kind === 'skipped' && held.reason, 'backendDown');
    assert.equal(backend.calls.length, 1);
    const invoked = call(at(typed('ab'), { trigger: 'invoke' }));
    await clock.advance(1000);
    assert.equal((await invoked as { reason?: string }).reason, 'backendDown');
    assert.equal(backend.calls.length, 2);
    assert.equal(logs.filter((l) => l.startsWith('completion failed')).length, 1, 'the same failure is logged once');
  });

  it('clears what it learned when the backend is swapped', async () => {
    const { clock, backend, call, swap } = setup(FOO);
    const p = call(at(typed('')));
    await clock.advance(1000);
    shown(await p);
    const other = new ScriptedBackend(clock, () => ({ tokens: ['bar;\n'] }));
    swap(other);
    const q = call(at(typed('')));
    await clock.advance(1000);
    assert.equal(shown(await q).text, 'bar;');
    assert.equal(backend.calls.length, 1);
    assert.equal(other.calls.length, 1);
  });

  it("sizes the suffix and the token cap by the server's warm-up probe until a completion reports", async () => {
    // A laptop-class server: 1,500 prompt tokens/s, 45 ms a token.
    const probe = { promptTokens: 300, promptEvalMs: 200, outputTokens: 8, evalMs: 360 };
    const after = `${'  x();\n'.repeat(200)}}\n`;
    const run = async (serverProbe?: () => typeof probe) => {
      const clock = new ManualClock(1000);
      const backend = new ScriptedBackend(clock, () => ({ tokens: ['  a();\n', '  b();\n'] }));
      const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'off' };
      const engine = new CompletionEngine({ backend: () => backend, clock, settings: () => settings, random: () => 0.5, ...(serverProbe ? { serverProbe } : {}) });
      const p = engine.complete(at(`function f() {\n|\n${after}`), new AbortController().signal);
      await clock.advance(2000);
      await p;
      return backend.calls[0].req;
    };
    const unknown = await run();
    assert.ok(unknown.suffix.length > DEFAULT_ENGINE_SETTINGS.maxSuffixChars - 10, `speed unknown: the whole window (${unknown.suffix.length})`);
    assert.equal(unknown.maxTokens, DEFAULT_ENGINE_SETTINGS.maxTokens);
    const probed = await run(() => probe);
    assert.ok(probed.suffix.length <= 160 && probed.suffix.length > 100, `suffix ${probed.suffix.length} chars`);
    assert.equal(probed.maxTokens, 40, 'about 2 s of generation at 45 ms a token');
  });

  it('reports busy and the server timings to the status bar', async () => {
    const { clock, states, call } = setup(() => ({ tokens: ['x', ';'], loadMs: 1500 }));
    const p = call(at(typed('')));
    await clock.advance(1000);
    const o = await p;
    assert.deepEqual(states.map((s) => s.busy), [true, false]);
    const last = states[states.length - 1];
    assert.equal(last.lastLoadMs, 1500);
    assert.equal(last.lastServer?.outputTokens, 2);
    assert.equal(o.kind === 'shown' && o.timings.server?.loadMs, 1500);
  });

  it('leaves no timer and no request behind after dispose', async () => {
    const { clock, backend, engine, call } = setup(() => ({ tokens: ['foo', '();\n'], firstTokenMs: 5000 }), { speculative: 'onShow' });
    const first = call(at(typed('')));
    await clock.advance(engine.state.debounceMs);
    const debouncing = engine.complete(at(typed('x')), new AbortController().signal); // aborts the first, debounces
    assert.ok(clock.pending > 0);
    engine.dispose();
    assert.equal(clock.pending, 0);
    assert.equal((await debouncing).kind, 'skipped');
    assert.equal((await first).kind, 'skipped');
    assert.equal(backend.running, 0);
    assert.equal((await engine.complete(at(typed('')), new AbortController().signal) as { reason?: string }).reason, 'cancelled');
  });
});

describe('CompletionEngine speculative next step', () => {
  const script = (req: FimRequest, n: number): Script =>
    n === 0 ? FOO() : { tokens: [` // next ${req.prefix.length}`, '\n'], firstTokenMs: 300 };

  /** Shows `foo();` and returns right when it is shown (time advances in small steps until then). */
  async function showFoo(overrides: Partial<EngineSettings> = { speculative: 'onShow' }) {
    const env = setup(script, overrides);
    let outcome: CompletionOutcome | undefined;
    const p = env.call(at(typed(''))).then((o) => { outcome = o; });
    for (let i = 0; i < 200 && !outcome; i++) await env.clock.advance(5);
    await p;
    shown(outcome!);
    return env;
  }

  it('prefetches what follows a shown suggestion and serves it from the cache once accepted', async () => {
    const { clock, backend, call } = await showFoo();
    await clock.advance(SPECULATE_AFTER_PAUSE_MS - 10);
    assert.equal(backend.calls.length, 1, 'no prefetch before the user pauses on the suggestion');
    await clock.advance(10);
    assert.equal(backend.calls.length, 2);
    assert.equal(backend.calls[1].req.prefix, 'const x = foo();');
    assert.equal(backend.calls[1].req.suffix, '\n');
    await clock.advance(1000);
    const o = shown(await call(at(typed('foo();'))));
    assert.deepEqual([o.source, o.text], ['speculative', ' // next 16']);
    assert.equal(backend.calls.length, 2);
  });

  it('serves an accepted suggestion from the speculative request still in flight', async () => {
    const { clock, backend, call } = await showFoo();
    await clock.advance(SPECULATE_AFTER_PAUSE_MS + 50);
    const p = call(at(typed('foo();')));
    await clock.advance(1000);
    const o = shown(await p);
    assert.deepEqual([o.source, o.text], ['speculative', ' // next 16']);
    assert.equal(o.timings.queuedMs, 0);
    assert.equal(backend.calls[1].aborted, false);
    // No request of its own; the next one is the following step's prefetch.
    assert.equal(backend.calls.length, 3);
    assert.equal(backend.calls[2].req.prefix, 'const x = foo(); // next 16');
  });

  it('keeps the speculative request while the user types the suggestion', async () => {
    const { clock, backend, call } = await showFoo();
    await clock.advance(SPECULATE_AFTER_PAUSE_MS + 50);
    assert.equal(shown(await call(at(typed('fo')))).source, 'typingThrough');
    await clock.advance(0);
    assert.equal(backend.calls[1].aborted, false);
    await clock.advance(1000);
    assert.equal(shown(await call(at(typed('foo();')))).source, 'speculative');
  });

  it('does not prefetch while the user keeps typing past the suggestion', async () => {
    const { clock, backend, call } = await showFoo();
    await clock.advance(SPECULATE_AFTER_PAUSE_MS / 2);
    const p = call(at(typed('q')));
    await clock.advance(SPECULATE_AFTER_PAUSE_MS * 2 + 1000);
    await p;
    assert.ok(backend.calls.every((c) => !c.req.prefix.startsWith('const x = foo();')), 'no prefetch of the step after foo();');
  });

  it('drops the speculative request the moment the user types something else', async () => {
    const { clock, backend, call } = await showFoo();
    await clock.advance(SPECULATE_AFTER_PAUSE_MS + 50);
    const p = call(at(typed('q')));
    await clock.advance(0);
    assert.equal(backend.calls[1].aborted, true);
    assert.equal(backend.calls[1].emitted, 0);
    await clock.advance(1000);
    await p;
    assert.equal(backend.maxRunning, 1);
  });

  it("with 'onAccept', waits for accepted() before prefetching", async () => {
    const { clock, backend, engine } = await showFoo({ speculative: 'onAccept' });
    await clock.advance(100);
    assert.equal(backend.calls.length, 1);
    engine.accepted(at(typed('')), 'foo();');
    assert.equal(backend.calls.length, 2);
    assert.equal(backend.calls[1].req.prefix, 'const x = foo();');
    engine.dispose();
    assert.equal(clock.pending, 0);
  });

  it("does not prefetch when speculation is 'off'", async () => {
    const { clock, backend, engine } = await showFoo({ speculative: 'off' });
    engine.accepted(at(typed('')), 'foo();');
    await clock.advance(1000);
    assert.equal(backend.calls.length, 1);
  });
});

// Blocks through the engine (issue 12): a blank line inside a body asks for a block, the stream
// stops at the line that ends it, and VS Code's partial accepts (accept word, accept line) leave
// the rest of the block as a cache hit: no second request.
import { strict as assert } from 'node:assert';
import { BLOCK_SHOW_BUDGET_MS, CompletionEngine } from '../../../src/core/completion/completionEngine';
import type { CompletionContext, CompletionOutcome } from '../../../src/core/completion/completionOutcome';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../../src/core/completion/engineSettings';
import type { FimRequest } from '../../../src/core/shared/modelBackend';
import { ManualClock } from '../../support/manualClock';
import { at, ScriptedBackend, type Script } from './scriptedBackend';

function setup(script: (req: FimRequest, n: number) => Script) {
  const clock = new ManualClock(1000);
  const backend = new ScriptedBackend(clock, script);
  const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'off' };
  const engine = new CompletionEngine({ backend: () => backend, clock, settings: () => settings, random: () => 0.5 });
  let token: AbortController | undefined;
  const call = async (ctx: CompletionContext): Promise<CompletionOutcome> => {
    token?.abort();
    token = new AbortController();
    const p = engine.complete(ctx, token.signal);
    await clock.advance(5000);
    return p;
  };
  return { backend, call };
}

function shown(o: CompletionOutcome): Extract<CompletionOutcome, { kind: 'shown' }> {
  assert.equal(o.kind, 'shown', `expected shown, got ${JSON.stringify(o)}`);
  return o as Extract<CompletionOutcome, { kind: 'shown' }>;
}

const BEFORE = 'def total(xs):\n    result = 0\n    ';
const AFTER = '\n    return result\n';
const BLOCK = 'for x in xs:\n        result += x';
const doc = (typed: string) => at(`${BEFORE}${typed}|${AFTER}`, { languageId: 'python', documentKey: 'file:///t.py' });
// The model writes the block, then re-types the code below (other whitespace), then loops on.
const BLOCK_THEN_ECHO = (): Script => ({
  tokens: ['for', ' x in', ' xs:\n', '        result', ' += x\n', '  return  result\n', 'print(1)\n', 'print(2)\n'],
});

describe('blocks through the engine', () => {
  it('shows a block on a blank line mid-body and stops the stream at the echo of the code below', async () => {
    const { backend, call } = setup(BLOCK_THEN_ECHO);
    const o = shown(await call(doc('')));
    assert.equal(o.text, BLOCK);
    assert.equal(backend.calls[0].stoppedByClient, true);
    assert.equal(backend.calls[0].emitted, 6, 'nothing after the echoed line was generated');
    assert.deepEqual(backend.calls[0].req.stop, ['\n```'], 'the server is asked to stop at a closing fence');
  });

  it('keeps the rest of the block after accept-word and accept-line, with no new request', async () => {
    const { backend, call } = setup(BLOCK_THEN_ECHO);
    shown(await call(doc('')));
    // editor.action.inlineSuggest.acceptNextWord inserts the next word.
    const word = shown(await call(doc('for')));
    assert.deepEqual([word.source, word.text], ['typingThrough', ' x in xs:\n        result += x']);
    // editor.action.inlineSuggest.acceptNextLine inserts the first line with its line break.
    const line = shown(await call(doc('for x in xs:\n')));
    assert.deepEqual([line.source, line.text], ['typingThrough', '        result += x']);
    const more = shown(await call(doc('for x in xs:\n        result')));
    assert.deepEqual([more.source, more.text], ['typingThrough', ' += x']);
    assert.equal(backend.calls.length, 1, 'every partial accept was served from the held block');
  });

  it('shows the lines complete so far when the pause budget runs out, streams the rest and serves it on Tab with no new request', async () => {
    const clock = new ManualClock(1000);
    // A slow server: the whole block would take 100 + 9 x 80 ms, far past the budget.
    const tokens = ['for', ' x in', ' xs:\n', '        if', ' x:\n', '            result', ' += x\n', '    return result\n', 'print(1)\n'];
    const backend = new ScriptedBackend(clock, () => ({ tokens, firstTokenMs: 100, perTokenMs: 80 }));
    const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'off' };
    const engine = new CompletionEngine({ backend: () => backend, clock, settings: () => settings, random: () => 0.5 });
    const pending = engine.complete(doc(''), new AbortController().signal);
    let first: CompletionOutcome | undefined;
    void pending.then((o) => { first = o; });
    await clock.advance(BLOCK_SHOW_BUDGET_MS - 1);
    assert.equal(first, undefined, 'nothing before the budget');
    await clock.advance(300);
    const part = shown(first!);
    assert.equal(part.text, 'for x in xs:', 'the complete line so far, not the half-streamed one');
    assert.equal(backend.calls[0].aborted, false, 'the request goes on streaming the rest');
    await clock.advance(5000);
    assert.equal(backend.calls[0].stoppedByClient, true, 'and ends where the block ends');
    // Tab accepts the shown line: the rest of the block is served from what the request streamed.
    const rest = shown(await engine.complete(doc('for x in xs:'), new AbortController().signal));
    assert.deepEqual([rest.source, rest.text], ['typingThrough', '\n        if x:\n            result += x']);
    assert.equal(backend.calls.length, 1);
  });

  it('past the pause budget, shows no words of a line still streaming: the whole line once it ends (was `const`, in the real editor)', async () => {
    const clock = new ManualClock(1000);
    // 'const' at 100 ms, ' recovered' at 300, ' =' at 500, the rest at 700: the budget runs out mid-line.
    const tokens = ['const', ' recovered', ' =', ' computeAnswer(42);'];
    const backend = new ScriptedBackend(clock, () => ({ tokens, firstTokenMs: 100, perTokenMs: 200 }));
    const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'off' };
    const engine = new CompletionEngine({ backend: () => backend, clock, settings: () => settings, random: () => 0.5 });
    let first: CompletionOutcome | undefined;
    void engine.complete(doc(''), new AbortController().signal).then((o) => { first = o; });
    await clock.advance(BLOCK_SHOW_BUDGET_MS + 150);
    assert.equal(first, undefined, 'nothing while the only line is still streaming');
    await clock.advance(5000);
    assert.equal(shown(first!).text, 'const recovered = computeAnswer(42);');
  });

  it('shows a fenced single line whole (was its first chunk: `el` for `else:`)', async () => {
    const { backend, call } = setup(() => ({ tokens: ['```', 'python', '\nel', 'se:', '\n```', '\n'] }));
    const o = shown(await call(at('if ok:\n    go()\nelse_branch = |\n', { languageId: 'python' })));
    assert.equal(o.text, 'else:');
    assert.equal(backend.calls[0].req.maxTokens, 64, 'a single line asks for fewer tokens than a block');
  });
});

import { strict as assert } from 'node:assert';
import { CompletionCache, type CompletionAnchor } from '../../../src/core/completion/completionCache';

const DOC = 'let a = 1;\nconst x = ';
const SUFFIX = '\n// end\n';
const anchor: CompletionAnchor = {
  documentKey: 'file:///a.ts', prefixStart: 0, offset: DOC.length, prefix: DOC, suffix: SUFFIX, text: 'foo(bar);', origin: 'model',
};

describe('CompletionCache', () => {
  it('keys exact hits by language, prefix and suffix', () => {
    const c = new CompletionCache();
    c.set(CompletionCache.key('typescript', 'a', 'b'), { kind: 'text', text: 'x', origin: 'model' });
    assert.deepEqual(c.get(CompletionCache.key('typescript', 'a', 'b')), { kind: 'text', text: 'x', origin: 'model' });
    assert.equal(c.get(CompletionCache.key('javascript', 'a', 'b')), undefined);
    assert.equal(c.get(CompletionCache.key('typescript', 'a\u0000', 'b')), undefined);
  });

  it('evicts the least recently used entry', () => {
    const c = new CompletionCache({ maxEntries: 2 });
    c.set('a', { kind: 'empty', reason: 'r' });
    c.set('b', { kind: 'empty', reason: 'r' });
    c.get('a');
    c.set('c', { kind: 'empty', reason: 'r' });
    assert.deepEqual([c.get('a') !== undefined, c.get('b') !== undefined, c.get('c') !== undefined], [true, false, true]);
  });

  const walks: Array<[string, { doc?: string; typed: string; suffix?: string; key?: string }, string | undefined]> = [
    ['typed the first characters', { typed: 'fo' }, 'o(bar);'],
    ['typed all but the last', { typed: 'foo(bar)' }, ';'],
    ['typed nothing: that is an exact hit, not a walk', { typed: '' }, undefined],
    ['typed all of it', { typed: 'foo(bar);' }, undefined],
    ['typed something else', { typed: 'fx' }, undefined],
    ['another document', { typed: 'f', key: 'file:///b.ts' }, undefined],
    ['edited before the anchor', { doc: 'let a = 2;\nconst x = ', typed: 'f' }, undefined],
    ['text after the cursor changed', { typed: 'f', suffix: '\n// other\n' }, undefined],
  ];
  for (const [name, w, expected] of walks) {
    it(`walk: ${name}`, () => {
      const c = new CompletionCache();
      c.addAnchor(anchor);
      const doc = w.doc ?? DOC;
      const suffix = w.suffix ?? SUFFIX;
      const text = doc + w.typed + suffix;
      const hit = c.walk(w.key ?? 'file:///a.ts', text, doc.length + w.typed.length, suffix);
      assert.equal(hit?.remainder, expected);
    });
  }

  it('walk: a remainder of only whitespace is not worth showing', () => {
    const c = new CompletionCache();
    c.addAnchor({ ...anchor, text: 'foo;  ' });
    assert.equal(c.walk(anchor.documentKey, `${DOC}foo;${SUFFIX}`, DOC.length + 4, SUFFIX), undefined);
  });

  it('keeps a bounded number of anchors, newest first', () => {
    const c = new CompletionCache({ maxAnchors: 2 });
    c.addAnchor(anchor);
    c.addAnchor({ ...anchor, documentKey: 'file:///b.ts' });
    c.addAnchor({ ...anchor, documentKey: 'file:///c.ts' });
    const text = `${DOC}f${SUFFIX}`;
    assert.equal(c.walk('file:///a.ts', text, DOC.length + 1, SUFFIX), undefined);
    assert.equal(c.walk('file:///c.ts', text, DOC.length + 1, SUFFIX)?.remainder, 'oo(bar);');
  });
});

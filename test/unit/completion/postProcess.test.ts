import { strict as assert } from 'node:assert';
import { postProcess } from '../../../src/core/completion/postProcess';
import { postProcessCases } from './cases/postProcessCases';

const CURSOR = '█';

function split(doc: string): { prefix: string; suffix: string } {
  const at = doc.indexOf(CURSOR);
  assert.ok(at !== -1 && doc.indexOf(CURSOR, at + 1) === -1, 'exactly one cursor marker');
  return { prefix: doc.slice(0, at), suffix: doc.slice(at + CURSOR.length) };
}

describe('postProcess', () => {
  describe('case table', () => {
    for (const c of postProcessCases) {
      it(`${c.languageId}: ${c.name}`, () => {
        const { prefix, suffix } = split(c.doc);
        const result = postProcess({
          raw: c.raw, prefix, suffix, languageId: c.languageId, multiline: c.multiline, maxLines: c.maxLines ?? 16, complete: c.complete,
        });
        const expected = typeof c.expected === 'string'
          ? { kind: 'ok', text: c.expected }
          : { kind: 'empty', reason: c.expected.empty };
        assert.deepEqual(result, expected);
      });
    }
  });

  describe('the table itself', () => {
    it('has at least 60 cases over at least 5 languages', () => {
      assert.ok(postProcessCases.length >= 60, `${postProcessCases.length} cases`);
      assert.ok(new Set(postProcessCases.map((c) => c.languageId)).size >= 5);
    });

    it('exercises every empty reason and both modes', () => {
      const reasons = new Set(postProcessCases.flatMap((c) => (typeof c.expected === 'string' ? [] : [c.expected.empty])));
      assert.deepEqual([...reasons].sort(), ['allFiltered', 'duplicatesNextLine', 'repeatsSuffix', 'whitespaceOnly']);
      assert.ok(postProcessCases.some((c) => c.multiline) && postProcessCases.some((c) => !c.multiline));
    });
  });

  describe('specialTokens override', () => {
    it('strips only the given tokens, so look-alike code survives', () => {
      const input = { raw: 'const m = map[PREFIX];', prefix: '', suffix: '\n', languageId: 'typescript', multiline: false, maxLines: 1 };
      assert.deepEqual(postProcess(input), { kind: 'ok', text: 'const m = map' });
      assert.deepEqual(postProcess({ ...input, specialTokens: ['<|endoftext|>'] }), { kind: 'ok', text: 'const m = map[PREFIX];' });
    });
  });

  describe('properties', () => {
    const samples = postProcessCases.map((c) => ({ c, ...split(c.doc) }));

    it('never returns trailing whitespace or a whitespace-only ok', () => {
      for (const { c, prefix, suffix } of samples) {
        const r = postProcess({ raw: c.raw, prefix, suffix, languageId: c.languageId, multiline: c.multiline, maxLines: 16 });
        if (r.kind === 'ok') {
          assert.equal(r.text, r.text.trimEnd(), c.name);
          assert.notEqual(r.text.trim(), '', c.name);
        }
      }
    });

    it('single-line results never hold a newline; multi-line ones respect maxLines', () => {
      for (const { c, prefix, suffix } of samples) {
        for (const maxLines of [1, 2, 3]) {
          const r = postProcess({ raw: c.raw, prefix, suffix, languageId: c.languageId, multiline: c.multiline, maxLines });
          if (r.kind !== 'ok') continue;
          const lines = r.text.split('\n').length;
          assert.ok(c.multiline ? lines <= maxLines : lines === 1, `${c.name} (maxLines ${maxLines}): ${lines} lines`);
        }
      }
    });

    it('only cuts: an ok result is made of lines the model wrote', () => {
      for (const { c, prefix, suffix } of samples) {
        const r = postProcess({ raw: c.raw, prefix, suffix, languageId: c.languageId, multiline: c.multiline, maxLines: 16 });
        if (r.kind !== 'ok') continue;
        const rawLines = c.raw.replace(/\r\n/g, '\n').split('\n');
        for (const line of r.text.split('\n')) {
          assert.ok(rawLines.some((raw) => raw.includes(line)), `${c.name}: ${JSON.stringify(line)} not in the raw output`);
        }
      }
    });
  });
});

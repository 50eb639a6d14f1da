import { strict as assert } from 'node:assert';
import { generationLimitsFor, SINGLE_LINE_MAX_TOKENS, stopRuleFor, type StreamShape } from '../../../src/core/completion/stopRules';

const CURSOR = '█';
const DS_EOS = '<\uFF5Cend\u2581of\u2581sentence\uFF5C>';

function at(doc: string, languageId: string): { prefix: string; suffix: string; languageId: string } {
  const i = doc.indexOf(CURSOR);
  return { prefix: doc.slice(0, i), suffix: doc.slice(i + 1), languageId };
}

const SINGLE: StreamShape = { kind: 'singleLine' };
const BLOCK: StreamShape = { kind: 'multiLine', maxLines: 8 };
const PY_BODY = at('def f(xs):\n    total = 0\n    █\n    return total\n\nprint(f([1]))\n', 'python');
const TS_BODY = at('function f(xs: number[]) {\n  let total = 0;\n  █\n  return total;\n}\n', 'typescript');
const END = at('x = █\n', 'python');

describe('stopRuleFor', () => {
  const table: Array<[string, StreamShape, ReturnType<typeof at>, string, boolean]> = [
    ['single line still going', SINGLE, END, 'foo(bar', false],
    ['single line ended', SINGLE, END, 'foo(bar);\n', true],
    ['single line: a leading newline leaves nothing for this line', SINGLE, END, '\n', true],
    // The fence bug: the stream used to stop at the fence's newline and show `el` for `else:`.
    ['single line: an opening fence is not the line', SINGLE, END, '```python\nel', false],
    ['single line: an opening fence still streaming', SINGLE, END, '```pyt', false],
    ['single line: fenced line complete', SINGLE, END, '```python\nelse:\n', true],
    ['single line: a leading special token is not the line', SINGLE, END, '<|fim_middle|>foo', false],
    ['single line: an end token ends it', SINGLE, END, 'foo()<|endoftext|>', true],
    ['multi-line below the cap', { kind: 'multiLine', maxLines: 3 }, END, 'a\nb\nc', false],
    ['multi-line at the cap', { kind: 'multiLine', maxLines: 3 }, END, 'a\nb\nc\n', true],
    ['multi-line: a cap below one acts as one', { kind: 'multiLine', maxLines: 0 }, END, 'a\n', true],
    ['block: lines inside the body keep it going', BLOCK, PY_BODY, 'for x in xs:\n        total += x\n', false],
    ['block (python): a dedent below the cursor ends it', BLOCK, PY_BODY, 'for x in xs:\n        total += x\n\ndef g():\n', true],
    ['block (python): the next line of the suffix, re-typed, ends it', BLOCK, PY_BODY, 'total += sum(xs)\n    return total\n', true],
    ['block (python): re-typed with other whitespace still ends it', BLOCK, PY_BODY, 'total += sum(xs)\n  return  total\n', true],
    ['block (python): a new definition after a blank line at the cursor level', BLOCK,
      at('class A:\n    █\n', 'python'), 'def a(self):\n        return 1\n\n    def b(self):\n', true],
    ['block (typescript): the enclosing brace ends it', BLOCK, TS_BODY, 'for (const x of xs) total += x;\n}\n', true],
    ['block (typescript): an inner block\'s brace does not', BLOCK, TS_BODY, 'for (const x of xs) {\n    total += x;\n  }\n', false],
    ['block: a closing fence ends it', BLOCK, TS_BODY, '```ts\ntotal = 1;\n```', true],
    ['block: a deepseek end token ends it', BLOCK, TS_BODY, `total = 1;${DS_EOS}`, true],
    ['block: a repeated block ends it', BLOCK, TS_BODY, 'a();\n  b();\n  a();\n  b();\n', true],
  ];
  for (const [name, shape, where, text, expected] of table) {
    it(name, () => assert.equal(stopRuleFor(shape, where)(text), expected));
  }
});

describe('generationLimitsFor', () => {
  it('asks the server to stop at a closing fence, except in markdown', () => {
    assert.deepEqual(generationLimitsFor(BLOCK, 'python', 128).stop, ['\n```']);
    assert.deepEqual(generationLimitsFor(BLOCK, 'markdown', 128).stop, []);
  });
  it('caps a single line below a block', () => {
    assert.equal(generationLimitsFor(SINGLE, 'go', 128).maxTokens, SINGLE_LINE_MAX_TOKENS);
    assert.equal(generationLimitsFor(SINGLE, 'go', 32).maxTokens, 32);
    assert.equal(generationLimitsFor(BLOCK, 'go', 128).maxTokens, 128);
  });
});

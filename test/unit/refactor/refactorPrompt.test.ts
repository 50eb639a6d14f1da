import * as assert from 'node:assert/strict';
import {
  boundContext,
  buildRefactorMessages,
  fenced,
  REFACTOR_SYSTEM_PROMPT,
  type RefactorParts,
} from '../../../src/core/refactor/refactorPrompt';

const base: RefactorParts = {
  selection: '  return a+b;\n',
  before: 'function add(a, b) {\n',
  after: '}\n',
  languageId: 'typescript',
  instruction: 'Add spaces around operators ',
  path: 'src/math.ts',
};

describe('buildRefactorMessages', () => {
  it('builds a system message and one user message with every part, in order', () => {
    const msgs = buildRefactorMessages(base);
    assert.equal(msgs.length, 2);
    assert.deepEqual(msgs[0], { role: 'system', content: REFACTOR_SYSTEM_PROMPT });
    assert.equal(msgs[1].role, 'user');
    assert.equal(
      msgs[1].content,
      [
        'Instruction: Add spaces around operators',
        'Language: typescript\nFile: src/math.ts',
        'Code before the selection, for context only:\n```typescript\nfunction add(a, b) {\n```',
        'The selection to rewrite:\n```typescript\n  return a+b;\n```',
        'Code after the selection, for context only:\n```typescript\n}\n```',
        'Reply with only the replacement for the selection, in one ```typescript block.',
      ].join('\n\n'),
    );
  });

  it('is deterministic', () => {
    assert.deepEqual(buildRefactorMessages(base), buildRefactorMessages({ ...base }));
  });

  it('asks for only the replacement code in one fenced block', () => {
    assert.match(REFACTOR_SYSTEM_PROMPT, /ONLY the code that replaces the selection/);
    assert.match(REFACTOR_SYSTEM_PROMPT, /one fenced code block/);
  });

  const table: { name: string; parts: Partial<RefactorParts>; has: RegExp[]; hasNot: RegExp[] }[] = [
    { name: 'no path', parts: { path: undefined }, has: [/Language: typescript\n\n/], hasNot: [/File:/] },
    { name: 'no context', parts: { before: '', after: '' }, has: [/The selection to rewrite/], hasNot: [/Code before/, /Code after/] },
    { name: 'VS Code ids mapped to fence names', parts: { languageId: 'typescriptreact' }, has: [/```tsx\n/], hasNot: [/```typescriptreact/] },
    { name: 'plaintext has a bare fence', parts: { languageId: 'plaintext' }, has: [/rewrite:\n```\n/], hasNot: [/```plaintext/] },
    { name: 'CRLF selection sent as LF', parts: { selection: 'a();\r\nb();\r\n' }, has: [/```typescript\na\(\);\nb\(\);\n```/], hasNot: [/\r/] },
    {
      name: 'a selection containing ``` gets a longer fence',
      parts: { selection: 'const md = "```js\\nx\\n```";', languageId: 'javascript' },
      has: [/````javascript\nconst md = "```js\\nx\\n```";\n````/],
      hasNot: [],
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const text = buildRefactorMessages({ ...base, ...row.parts })[1].content;
      for (const re of row.has) assert.match(text, re);
      for (const re of row.hasNot) assert.doesNotMatch(text, re);
    });
  }

  it('bounds the context and says so', () => {
    const before = Array.from({ length: 200 }, (_, i) => `const before${i} = ${i};\n`).join('');
    const after = Array.from({ length: 200 }, (_, i) => `const after${i} = ${i};\n`).join('');
    const text = buildRefactorMessages({ ...base, before, after }, 500)[1].content;
    assert.match(text, /Code before the selection \(earlier lines omitted\)/);
    assert.match(text, /Code after the selection \(later lines omitted\)/);
    assert.match(text, /const before199 = 199;\n```/, 'the line next to the selection is kept');
    assert.match(text, /```typescript\nconst after0 = 0;\n/, 'the line next to the selection is kept');
    assert.doesNotMatch(text, /before0 /);
    assert.doesNotMatch(text, /after199/);
    assert.ok(text.length < 500 * 2 + 800);
  });
});

describe('boundContext', () => {
  const rows: { name: string; before: string; after: string; max: number; want: { before: string; after: string } }[] = [
    { name: 'under the limit: unchanged', before: 'a\nb\n', after: 'c\nd\n', max: 100, want: { before: 'a\nb\n', after: 'c\nd\n' } },
    { name: 'cut at whole lines', before: 'aaaa\nbbbb\ncc', after: 'dd\neeee\nffff\n', max: 8, want: { before: 'bbbb\ncc', after: 'dd\neeee\n' } },
    { name: 'exactly at the limit', before: '1234\n678\n', after: '1234\n678\n', max: 9, want: { before: '1234\n678\n', after: '1234\n678\n' } },
    { name: 'one long line is cut mid-line rather than dropped', before: 'x'.repeat(20), after: 'y'.repeat(20), max: 5, want: { before: 'xxxxx', after: 'yyyyy' } },
    { name: 'zero keeps nothing', before: 'a\n', after: 'b\n', max: 0, want: { before: '', after: '' } },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const got = boundContext({ before: r.before, after: r.after }, r.max);
      assert.deepEqual(got, r.want);
      assert.ok(got.before.length <= r.max && got.after.length <= r.max);
    });
  }
});

describe('fenced', () => {
  it('adds a final newline only when missing', () => {
    assert.equal(fenced('x', 'py'), '```py\nx\n```');
    assert.equal(fenced('x\n', 'py'), '```py\nx\n```');
  });
});

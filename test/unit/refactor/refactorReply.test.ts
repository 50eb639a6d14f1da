// A table of (selection as it sits in the file, raw model reply, expected replacement). `prefix` is
// what precedes the selection on its first line; `eol` the document's line ending.
import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { extractCode, parseRefactorReply, type ParsedReply } from '../../../src/core/refactor/refactorReply';

interface Row {
  name: string;
  selection: string;
  reply: string;
  want: ParsedReply;
  prefix?: string;
  eol?: '\n' | '\r\n';
}

const code = (text: string): ParsedReply => ({ kind: 'code', text });

const rows: Row[] = [
  {
    name: 'fenced with a language',
    selection: 'const x = 1;\n',
    reply: '```ts\nconst y = 1;\n```',
    want: code('const y = 1;\n'),
  },
  {
    name: 'bare reply',
    selection: 'const x = 1;',
    reply: 'const y = 1;\n',
    want: code('const y = 1;'),
  },
  {
    name: 'prose around the fence is ignored',
    selection: 'let a = b+c;',
    reply: "Here's the refactored code:\n\n```javascript\nconst a = b + c;\n```\n\nI replaced `let` with `const` since it is never reassigned.",
    want: code('const a = b + c;'),
  },
  {
    name: 'several fences: the largest wins',
    selection: 'f(1)',
    reply: 'Call it like `g`:\n```\ng\n```\nFull version:\n```ts\nfunction g() {\n  return f(1);\n}\n```\n',
    want: code('function g() {\n  return f(1);\n}'),
  },
  {
    name: 'CRLF reply into an LF document',
    selection: 'a();\nb();\n',
    reply: '```c\r\nb();\r\na();\r\n```\r\n',
    want: code('b();\na();\n'),
  },
  {
    name: 'LF reply into a CRLF document',
    selection: 'a();\r\nb();\r\n',
    reply: '```c\nb();\na();\n```',
    eol: '\r\n',
    want: code('b();\r\na();\r\n'),
  },
  {
    name: 'tabs kept: a de-indented, space-indented reply goes back to tabs',
    selection: '\tif (a) {\n\t\tb();\n\t}\n',
    reply: '```go\nif a {\n    b()\n}\n```',
    want: code('\tif a {\n\t\tb()\n\t}\n'),
  },
  {
    name: 'spaces kept: a tab-indented reply goes back to the selection\'s two spaces',
    selection: '  if (a) {\n    b();\n  }\n',
    reply: '```js\n\tif (a) {\n\t\tc();\n\t}\n```',
    want: code('  if (a) {\n    c();\n  }\n'),
  },
  {
    name: 'nested indentation re-based onto the selection, relative structure kept',
    selection: '    for x in xs:\n        if x:\n            print(x)\n',
    reply: '```python\nfor x in xs:\n    if not x:\n        continue\n    print(x)\n```',
    want: code('    for x in xs:\n        if not x:\n            continue\n        print(x)\n'),
  },
  {
    name: 'a reply already at the selection\'s indentation is left alone',
    selection: '    a = 1\n    b = 2\n',
    reply: '```python\n    a = 1\n    b = 3\n```',
    want: code('    a = 1\n    b = 3\n'),
  },
  {
    name: 'a reply indented deeper on purpose is left alone',
    selection: '  x();\n',
    reply: '```js\n  try {\n    x();\n  } catch {}\n```',
    want: code('  try {\n    x();\n  } catch {}\n'),
  },
  {
    name: 'blank lines inside the code carry no indentation',
    selection: '    a()\n\n    b()\n',
    reply: '```\na2()\n   \nb2()\n```',
    want: code('    a2()\n\n    b2()\n'),
  },
  {
    name: 'selection starting inside the indentation: the first line does not double its indent',
    prefix: '    ',
    selection: 'foo();\n    bar();',
    reply: '```js\nfoo(1);\nbar(2);\n```',
    want: code('foo(1);\n    bar(2);'),
  },
  {
    name: 'selection starting inside the indentation, reply fully indented',
    prefix: '    ',
    selection: 'foo();\n    bar();',
    reply: '```js\n    foo(1);\n    bar(2);\n```',
    want: code('foo(1);\n    bar(2);'),
  },
  {
    name: 'selection starting mid-line: continuation lines re-based, first line attached',
    prefix: '  const v = ',
    selection: 'compute(a,\n      b);',
    reply: '```ts\n  compute(\n  a, b);\n```',
    want: code('compute(\n      a, b);'),
  },
  {
    name: 'selection with a leading blank line keeps it',
    prefix: 'x();',
    selection: '\n  y();\n',
    reply: '```js\nz();\n```',
    want: code('\n  z();\n'),
  },
  {
    name: 'selection ending inside the next line\'s indentation keeps that tail',
    selection: '  a();\n  ',
    reply: 'b();',
    want: code('  b();\n  '),
  },
  {
    name: 'unclosed fence (reply cut short) runs to the end',
    selection: 'x',
    reply: 'Sure:\n```ts\nconst y = 2;\n',
    want: code('const y = 2;'),
  },
  {
    name: 'tilde fence',
    selection: 'x',
    reply: '~~~rust\nlet y = 2;\n~~~',
    want: code('let y = 2;'),
  },
  {
    name: 'longer outer fence around code that contains ```',
    selection: 'doc',
    reply: '````md\nUse:\n```sh\nnpm test\n```\n````',
    want: code('Use:\n```sh\nnpm test\n```'),
  },
  {
    name: 'indented fence (inside a list) has its indentation taken off',
    selection: 'a',
    reply: '1. Replace it:\n   ```js\n   const b = 1;\n     nested();\n   ```',
    want: code('const b = 1;\n  nested();'),
  },
  {
    name: 'one-line answer in inline backticks',
    selection: 'x+1',
    reply: '`x + 1`',
    want: code('x + 1'),
  },
  { name: 'empty reply', selection: 'x', reply: '', want: { kind: 'empty' } },
  { name: 'whitespace-only reply', selection: 'x', reply: ' \n\t\n', want: { kind: 'empty' } },
  { name: 'empty fence', selection: 'x', reply: 'Nothing to do.\n```ts\n```', want: { kind: 'empty' } },
  {
    name: 'unchanged, even after re-basing and with trailing spaces dropped',
    selection: '    a = 1   \n    b = 2\n',
    reply: '```python\na = 1\nb = 2\n```',
    want: { kind: 'unchanged' },
  },
  {
    name: 'unchanged in a CRLF document',
    selection: 'a();\r\nb();\r\n',
    reply: '```\r\na();\r\nb();\r\n```',
    eol: '\r\n',
    want: { kind: 'unchanged' },
  },
  {
    name: 'an indentation-only change is a change',
    selection: 'if (a) {\nb();\n}\n',
    reply: '```js\nif (a) {\n  b();\n}\n```',
    want: code('if (a) {\n  b();\n}\n'),
  },
];

describe('parseRefactorReply', () => {
  for (const r of rows) {
    it(r.name, () => {
      const got = parseRefactorReply(r.reply, { selection: r.selection, eol: r.eol ?? '\n', linePrefix: r.prefix ?? '' });
      assert.deepEqual(got, r.want);
    });
  }

  it('never leaves a lone CR or LF in a CRLF result', () => {
    const got = parseRefactorReply('```\nx();\r\n\ny();\n```', { selection: 'a();\r\n\r\nb();\r\n', eol: '\r\n' });
    assert.ok(got.kind === 'code');
    assert.doesNotMatch(got.text.replace(/\r\n/g, ''), /[\r\n]/);
  });
});

describe('extractCode', () => {
  it('returns the whole reply when there is no fence', () => {
    assert.equal(extractCode('plain text\nmore'), 'plain text\nmore');
  });
  it('prefers the first of equally large blocks', () => {
    assert.equal(extractCode('```\naaa\n```\n```\nbbb\n```'), 'aaa');
  });
});

describe('parseRefactorReply properties', () => {
  const line = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.stringMatching(/^[a-z(){};=]{1,12}$/));
  const block = fc.array(line, { minLength: 1, maxLength: 8 });

  it('the selection echoed back, de-indented, fenced or not, in either line ending, is "unchanged"', () => {
    fc.assert(
      fc.property(block, fc.constantFrom('\n', '\r\n'), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.constantFrom('    ', '\t'),
        (lines, docEol, replyEol, fencedReply, base) => {
          const unit = base === '\t' ? '\t' : '  ';
          const sel = lines.map(([lvl, t]) => base + unit.repeat(lvl) + t).join(docEol) + docEol;
          const echoed = lines.map(([lvl, t]) => unit.repeat(lvl) + t).join(replyEol);
          const reply = fencedReply ? `Sure.${replyEol}\`\`\`${replyEol}${echoed}${replyEol}\`\`\`` : echoed;
          assert.deepEqual(parseRefactorReply(reply, { selection: sel, eol: docEol }), { kind: 'unchanged' });
        }),
      { numRuns: 200 },
    );
  });

  it('a CRLF document only ever gets CRLF line breaks', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', '\t', '\n', '\r', '`', 'x'), maxLength: 60 }), block, (reply, lines) => {
        const sel = lines.map(([lvl, t]) => '  '.repeat(lvl) + t).join('\r\n');
        const got = parseRefactorReply(reply, { selection: sel, eol: '\r\n' });
        if (got.kind === 'code') assert.doesNotMatch(got.text.replace(/\r\n/g, ''), /[\r\n]/);
      }),
      { numRuns: 300 },
    );
  });
});

import { strict as assert } from 'node:assert';
import { decideShape, MULTI_LINE_MAX_LINES, indentWidth } from '../../../src/core/completion/completionShape';

const CURSOR = '█';

type Expected = 'skip' | 'single' | 'multi';

interface ShapeCase {
  name: string;
  languageId: string;
  doc: string;
  expected: Expected;
}

const cases: ShapeCase[] = [
  // Mid-line: anything but closers after the cursor.
  { name: 'inside an identifier', languageId: 'typescript', doc: 'const va█lue = 1;\n', expected: 'skip' },
  { name: 'before an argument list', languageId: 'typescript', doc: 'foo(█a, b);\n', expected: 'skip' },
  { name: 'before an operator', languageId: 'python', doc: 'x = █ + 1\n', expected: 'skip' },
  { name: 'at line start before code', languageId: 'go', doc: 'func f() {\n█\treturn 1\n}\n', expected: 'skip' },
  { name: 'before a keyword', languageId: 'java', doc: 'if (x) █return;\n', expected: 'skip' },
  // Single line: end of a line, or only closers after the cursor.
  { name: 'end of a partial statement', languageId: 'typescript', doc: 'const total = items.█\n', expected: 'single' },
  { name: 'before an auto-inserted paren', languageId: 'typescript', doc: 'console.log(█)\n', expected: 'single' },
  { name: 'before closers and a semicolon', languageId: 'java', doc: 'list.add(foo(█));\n', expected: 'single' },
  { name: 'inside auto-closed quotes', languageId: 'python', doc: 'name = "█"\n', expected: 'single' },
  { name: 'before a template literal end', languageId: 'javascript', doc: 'const s = `${█}`;\n', expected: 'single' },
  { name: 'before a generic closer', languageId: 'rust', doc: 'let v: Vec<█> = Vec::new();\n', expected: 'skip' },
  { name: 'before a lone generic closer', languageId: 'rust', doc: 'let v: Vec<█>\n', expected: 'single' },
  { name: 'trailing spaces after the cursor', languageId: 'c', doc: 'int x = █   \n', expected: 'single' },
  // Multi-line: a blank line at block level in the middle of a body (the block ends by structure as it streams).
  { name: 'between two statements', languageId: 'typescript', doc: 'function f() {\n  a();\n  █\n  b();\n}\n', expected: 'multi' },
  { name: 'between python statements', languageId: 'python', doc: 'def f():\n    a()\n    █\n    b()\n', expected: 'multi' },
  { name: 'after a statement, same indent next', languageId: 'go', doc: 'func f() {\n\tx := 1\n\t█\n\ty := 2\n}\n', expected: 'multi' },
  { name: 'python colon is not a block opener in go', languageId: 'go', doc: 'switch x {\ncase 1:\n\t█\n\tg()\n}\n', expected: 'multi' },
  // Multi-line: start of an empty block.
  { name: 'line after {', languageId: 'typescript', doc: 'function add(a: number, b: number) {\n  █\n}\n', expected: 'multi' },
  { name: 'line after { in java', languageId: 'java', doc: 'class A {\n    void run() {\n        █\n    }\n}\n', expected: 'multi' },
  { name: 'line after python def', languageId: 'python', doc: 'def add(a, b):\n    █\n', expected: 'multi' },
  { name: 'line after python if, code below at same indent as if', languageId: 'python', doc: 'if x:\n    █\ny = 2\n', expected: 'multi' },
  { name: 'line after arrow', languageId: 'typescript', doc: 'const f = (x: number) =>\n  █\nconst g = 1;\n', expected: 'multi' },
  { name: 'line after ruby do', languageId: 'ruby', doc: 'items.each do |i|\n  █\nend\n', expected: 'multi' },
  { name: 'line after lua then', languageId: 'lua', doc: 'if x then\n  █\nend\n', expected: 'multi' },
  { name: 'line after [', languageId: 'javascript', doc: 'const xs = [\n  █\n];\n', expected: 'multi' },
  { name: 'line after { in rust with blank lines between', languageId: 'rust', doc: 'fn main() {\n\n    █\n\n    let y = 2;\n}\n', expected: 'multi' },
  // Multi-line: end of a block or file.
  { name: 'next line is a closing brace', languageId: 'c', doc: 'int f(void) {\n    int x = 1;\n    █\n}\n', expected: 'multi' },
  { name: 'next line less indented (python)', languageId: 'python', doc: 'def f():\n    x = 1\n    █\n\nprint(f())\n', expected: 'multi' },
  { name: 'empty cursor line after indented code, dedent next', languageId: 'python', doc: 'def f():\n    x = 1\n█\nprint(f())\n', expected: 'multi' },
  { name: 'end of file', languageId: 'go', doc: 'package main\n\nimport "fmt"\n\n█', expected: 'multi' },
  { name: 'empty document', languageId: 'typescript', doc: '█', expected: 'multi' },
  { name: 'only blank lines follow', languageId: 'java', doc: 'int x = 1;\n█\n\n\n', expected: 'multi' },
  // Multi-line: after a comment describing code.
  { name: 'after a // comment', languageId: 'typescript', doc: 'const a = 1;\n// sum of the squares of xs\n█\nconst b = 2;\n', expected: 'multi' },
  { name: 'after a # comment', languageId: 'python', doc: 'x = 1\n# parse the config file\n█\ny = 2\n', expected: 'multi' },
  { name: 'after a javadoc', languageId: 'java', doc: 'class A {\n    /**\n     * Adds two numbers.\n     */\n    █\n    int z;\n}\n', expected: 'multi' },
  { name: 'after a python docstring', languageId: 'python', doc: 'def f(xs):\n    """Return the sum of xs."""\n    █\n    pass\n', expected: 'multi' },
  { name: 'after a -- comment', languageId: 'sql', doc: 'SELECT 1;\n-- users created this week\n█\nSELECT 2;\n', expected: 'multi' },
  { name: 'the same colon line in python opens a block', languageId: 'python', doc: 'match x:\n    case 1:\n        █\n        g()\n', expected: 'multi' },
  { name: '# is not a comment in C', languageId: 'c', doc: '#include <stdio.h>\n█\nint x;\n', expected: 'multi' },
];

function split(doc: string): { prefix: string; suffix: string } {
  const at = doc.indexOf(CURSOR);
  assert.ok(at !== -1 && doc.indexOf(CURSOR, at + 1) === -1, 'exactly one cursor marker');
  return { prefix: doc.slice(0, at), suffix: doc.slice(at + 1) };
}

function label(shape: ReturnType<typeof decideShape>): Expected {
  return shape.kind === 'skip' ? 'skip' : shape.kind === 'singleLine' ? 'single' : 'multi';
}

describe('decideShape', () => {
  for (const c of cases) {
    it(`${c.languageId}: ${c.name} -> ${c.expected}`, () => {
      const { prefix, suffix } = split(c.doc);
      assert.equal(label(decideShape(prefix, suffix, c.languageId)), c.expected);
    });
  }

  it('skip carries the midLine reason', () => {
    assert.deepEqual(decideShape('foo(', 'a)', 'typescript'), { kind: 'skip', reason: 'midLine' });
  });

  it('multi-line carries the default line cap, or the one given', () => {
    assert.deepEqual(decideShape('{\n  ', '\n}', 'c'), { kind: 'multiLine', maxLines: MULTI_LINE_MAX_LINES });
    assert.deepEqual(decideShape('{\n  ', '\n}', 'c', 5), { kind: 'multiLine', maxLines: 5 });
  });

  it('handles CRLF documents like LF ones', () => {
    assert.equal(label(decideShape('function f() {\r\n  ', '\r\n}\r\n', 'typescript')), 'multi');
    assert.equal(label(decideShape('x = ', '\r\ny = 2\r\n', 'python')), 'single');
  });

  it('indentWidth counts tabs as four', () => {
    assert.equal(indentWidth('\t  x'), 6);
    assert.equal(indentWidth('    '), 4);
    assert.equal(indentWidth('x  '), 0);
  });
});

// Post-processing cases: a document with the cursor marked `█`, what the model returned, and what
// the user should see. Each case names the rule it exercises first.

import type { EmptyReason } from '../../../../src/core/completion/postProcess';

export interface PostProcessCase {
  name: string;
  languageId: string;
  doc: string;
  raw: string;
  multiline: boolean;
  maxLines?: number;
  /** False: the stream was cut (stop rule or token cap), not ended by the model. Default true. */
  complete?: boolean;
  expected: string | { empty: EmptyReason };
}

const DS_EOS = '<\uFF5Cend\u2581of\u2581sentence\uFF5C>';

export const postProcessCases: PostProcessCase[] = [
  // --- special tokens: strip the leading ones, cut at the first later one
  { name: 'tokens: end of text after the answer', languageId: 'typescript', doc: 'const sum = █\n', raw: 'a + b;<|endoftext|>', multiline: false, expected: 'a + b;' },
  { name: 'tokens: echoed fim_middle before the answer', languageId: 'typescript', doc: 'return █\n', raw: '<|fim_middle|>x * 2;', multiline: false, expected: 'x * 2;' },
  { name: 'tokens: next file after file_sep is dropped', languageId: 'typescript', doc: 'function f() {\n  █\n}\n', raw: 'return 1;\n  <|file_sep|>src/b.ts\nexport const b = 2;', multiline: true, expected: 'return 1;' },
  { name: 'tokens: deepseek end of sentence (full-width bars)', languageId: 'python', doc: 'def f(x):\n    return █\n', raw: `x + 1${DS_EOS}`, multiline: false, expected: 'x + 1' },
  { name: 'tokens: codellama <EOT> with its space', languageId: 'go', doc: 'x := █\n', raw: 'compute(y) <EOT>', multiline: false, expected: 'compute(y)' },
  { name: 'tokens: starcoder file_sep', languageId: 'go', doc: 'if █\n', raw: 'err != nil {<file_sep>main.go\npackage main', multiline: false, expected: 'err != nil {' },
  { name: 'tokens: codestral [PREFIX] ends the middle', languageId: 'rust', doc: 'fn f(x: i32) -> i32 {\n    █\n}\n', raw: 'x + 1\n[PREFIX]fn other()', multiline: true, expected: 'x + 1' },
  { name: 'tokens: whitespace then a leading token', languageId: 'python', doc: 'x = █\n', raw: '  <|fim_middle|>5', multiline: false, expected: '5' },
  { name: 'tokens: codegemma file_separator', languageId: 'java', doc: 'int n = █\n', raw: 'list.size();<|file_separator|>', multiline: false, expected: 'list.size();' },
  { name: 'tokens: pad tokens in a row', languageId: 'c', doc: 'int n = █\n', raw: 'strlen(s);<|fim_pad|><|fim_pad|><|fim_pad|>', multiline: false, expected: 'strlen(s);' },
  { name: 'tokens: only an end token -> allFiltered', languageId: 'typescript', doc: 'const a = █\n', raw: '<|endoftext|>', multiline: false, expected: { empty: 'allFiltered' } },
  { name: 'tokens: spaces then only an end token -> allFiltered', languageId: 'java', doc: 'int a = █\n', raw: '   <|endoftext|>', multiline: true, expected: { empty: 'allFiltered' } },

  // --- markdown fences
  { name: 'fences: opening and closing fence around a body', languageId: 'typescript', doc: 'function f() {\n  █\n}\n', raw: '```typescript\nreturn 42;\n```\nThis returns 42.', multiline: true, expected: 'return 42;' },
  { name: 'fences: single-line answer wrapped in a fence', languageId: 'python', doc: 'x = █\n', raw: '```python\ncompute()\n```', multiline: false, expected: 'compute()' },
  { name: 'fences: closing fence only', languageId: 'rust', doc: 'fn main() {\n    █\n}\n', raw: 'println!("hi");\n```\n', multiline: true, expected: 'println!("hi");' },
  { name: 'fences: markdown documents keep them', languageId: 'markdown', doc: 'Example:\n█\n', raw: '```js\nfoo();\n```', multiline: true, expected: '```js\nfoo();\n```' },
  { name: 'fences: only fences -> allFiltered', languageId: 'go', doc: 'func f() {\n\t█\n}\n', raw: '```go\n```', multiline: true, expected: { empty: 'allFiltered' } },
  { name: 'fences: fence plus end token', languageId: 'python', doc: 'def f(x):\n    █\n', raw: '```python\nreturn x<|endoftext|>', multiline: false, expected: 'return x' },

  // --- same-line overlap with the text after the cursor
  { name: 'overlap: duplicate closing paren (the classic)', languageId: 'typescript', doc: 'console.log(█)\n', raw: 'foo(a, b))', multiline: false, expected: 'foo(a, b)' },
  { name: 'overlap: semicolon already there', languageId: 'typescript', doc: 'const x = █;\n', raw: '42;', multiline: false, expected: '42' },
  { name: 'overlap: call parens already there', languageId: 'typescript', doc: 'items.█()\n', raw: 'pop()', multiline: false, expected: 'pop' },
  { name: 'overlap: a balanced call is kept whole', languageId: 'typescript', doc: 'log(█)\n', raw: 'bar(1)', multiline: false, expected: 'bar(1)' },
  { name: 'overlap: closing quote already there', languageId: 'python', doc: 'name = "█"\n', raw: 'world"', multiline: false, expected: 'world' },
  { name: 'overlap: quote and paren already there', languageId: 'python', doc: 'print("█")\n', raw: 'hello")', multiline: false, expected: 'hello' },
  { name: 'overlap: java string and semicolon', languageId: 'java', doc: 'String s = "█";\n', raw: 'abc";', multiline: false, expected: 'abc' },
  { name: 'overlap: c paren and semicolon', languageId: 'c', doc: 'printf("%d\\n", █);\n', raw: 'x);', multiline: false, expected: 'x' },
  { name: 'overlap: go call with a string argument is kept', languageId: 'go', doc: 'fmt.Println(█)\n', raw: 'strings.Join(parts, ",")', multiline: false, expected: 'strings.Join(parts, ",")' },
  { name: 'overlap: the rest of the line re-typed mid-answer', languageId: 'typescript', doc: 'f(a, █, c)\n', raw: 'b, c)', multiline: false, expected: 'b' },
  { name: 'overlap: statement separator in c', languageId: 'c', doc: 'x = █;\n', raw: 'a; y = b;', multiline: false, expected: 'a' },
  { name: 'overlap: rust method call before ;', languageId: 'rust', doc: 'let n = █;\n', raw: 'v.len();', multiline: false, expected: 'v.len()' },
  { name: 'overlap: whole answer is the rest of the line -> repeatsSuffix', languageId: 'typescript', doc: 'foo(█);\n', raw: ');', multiline: false, expected: { empty: 'repeatsSuffix' } },
  { name: 'overlap: multi-line answer ends with the line rest', languageId: 'typescript', doc: 'call(█);\n', raw: '\n  a,\n  b\n);', multiline: true, expected: '\n  a,\n  b' },

  // --- closer of a bracket opened before the completion, already in the suffix
  { name: 'closer: block brace on the next line', languageId: 'typescript', doc: 'function f() {\n  █\n}\n', raw: 'return 1;\n  }', multiline: true, expected: 'return 1;' },
  { name: 'closer: nested call parens', languageId: 'python', doc: 'print(foo(█))\n', raw: 'x))', multiline: false, expected: 'x' },
  { name: 'closer: java array initializer', languageId: 'java', doc: 'int[] a = {█};\n', raw: '1, 2, 3};', multiline: false, expected: '1, 2, 3' },
  { name: 'closer: kept when the suffix lacks it', languageId: 'typescript', doc: 'const ok = check(█\n', raw: 'a, b);', multiline: false, expected: 'a, b);' },
  { name: 'closer: one inside a string does not count', languageId: 'typescript', doc: 'log(█)\n', raw: '"a)b")', multiline: false, expected: '"a)b"' },
  { name: 'closer: one inside a comment does not count', languageId: 'typescript', doc: 'function f() {\n  █\n}\n', raw: 'doIt(); // close }', multiline: true, expected: 'doIt(); // close }' },
  { name: 'closer: rust lifetime is not a quote', languageId: 'rust', doc: 'fn f(█)\n', raw: "x: &'a str)", multiline: false, expected: "x: &'a str" },
  { name: 'closer: completion starting inside a string', languageId: 'typescript', doc: 'foo("(█")\n', raw: 'a)b")', multiline: false, expected: 'a)b' },
  { name: 'closer: java if body then the method brace', languageId: 'java', doc: 'void f() {\n    if (ok) {\n        █\n    }\n}\n', raw: 'run();\n        }', multiline: true, expected: 'run();' },
  { name: 'closer: python list', languageId: 'python', doc: 'xs = [█]\n', raw: '1, 2, 3]', multiline: false, expected: '1, 2, 3' },
  { name: 'closer: only a closer -> repeatsSuffix', languageId: 'go', doc: 'func f() {\n\t█\n}\n', raw: '}', multiline: true, expected: { empty: 'repeatsSuffix' } },

  // --- completion lines that re-type the lines after the cursor
  { name: 'suffix lines: return already below', languageId: 'typescript', doc: 'function f() {\n  █\n  return x;\n}\n', raw: 'const x = 1;\n  return x;\n}', multiline: true, expected: 'const x = 1;' },
  { name: 'suffix lines: python return already below', languageId: 'python', doc: 'def f(xs):\n    █\n    return total\n', raw: 'total = sum(xs)\n    return total', multiline: true, expected: 'total = sum(xs)' },
  { name: 'suffix lines: go print already below', languageId: 'go', doc: 'func main() {\n\t█\n\tfmt.Println(x)\n}\n', raw: 'x := 42\n\tfmt.Println(x)\n}', multiline: true, expected: 'x := 42' },
  { name: 'suffix lines: first line already below -> repeatsSuffix', languageId: 'java', doc: 'void f() {\n    █\n    run();\n}\n', raw: 'run();\n}', multiline: true, expected: { empty: 'repeatsSuffix' } },
  { name: 'suffix lines: a closer at another indent is not a repeat', languageId: 'typescript', doc: 'function f() {\n  █\n}\n', raw: 'if (x) {\n    y();\n  }', multiline: true, expected: 'if (x) {\n    y();\n  }' },
  { name: 'suffix lines: c body then the existing return', languageId: 'c', doc: 'int main(void) {\n    █\n    return 0;\n}\n', raw: 'int x = 1;\n    printf("%d", x);\n    return 0;\n}', multiline: true, expected: 'int x = 1;\n    printf("%d", x);' },
  { name: 'suffix lines: loop body then the loop brace', languageId: 'c', doc: 'for (int i = 0; i < n; i++) {\n    █\n}\n', raw: 'sum += a[i];\n}\nreturn sum;', multiline: true, expected: 'sum += a[i];' },
  { name: 'suffix lines: java method brace below', languageId: 'java', doc: 'class A {\n    void f() {\n        █\n    }\n}\n', raw: 'log();\n    }\n\n    void g() {\n    }', multiline: true, expected: 'log();' },

  // --- consecutive repeated lines (model loops)
  { name: 'repeats: python assignment loop', languageId: 'python', doc: 'def f():\n    █\n', raw: 'x = 1\n    x = 1\n    x = 1\n    return x', multiline: true, expected: 'x = 1\n    return x' },
  { name: 'repeats: typescript call loop', languageId: 'typescript', doc: 'function f() {\n  █\n', raw: 'foo();\n  foo();\n  foo();\n  foo();', multiline: true, expected: 'foo();' },
  { name: 'repeats: go loop in the middle', languageId: 'go', doc: 'func f() {\n\t█\n', raw: 'a++\n\tb++\n\tb++\n\tc++', multiline: true, expected: 'a++\n\tb++\n\tc++' },
  { name: 'repeats: blank lines are not a loop', languageId: 'python', doc: 'def f():\n    █\n', raw: 'a = 1\n\n\n    b = 2', multiline: true, expected: 'a = 1\n\n\n    b = 2' },
  { name: 'repeats: same closer at different indents is not a loop', languageId: 'typescript', doc: 'function f() {\n  █\n}\n', raw: 'if (a) {\n    if (b) {\n      c();\n    }\n  }', multiline: true, expected: 'if (a) {\n    if (b) {\n      c();\n    }\n  }' },
  { name: 'repeats: rust loop with trailing spaces', languageId: 'rust', doc: 'fn f() {\n    █\n', raw: 'tick();\n    tick();  \n    tick();\n    done();', multiline: true, expected: 'tick();\n    done();' },

  // --- indentation dropping below the block start
  { name: 'indent: python next def is dropped', languageId: 'python', doc: 'def f():\n    █\n', raw: 'return 1\n\ndef g():\n    return 2', multiline: true, expected: 'return 1' },
  { name: 'indent: typescript method end and beyond', languageId: 'typescript', doc: 'class A {\n  m() {\n    █\n', raw: 'return 1;\n  }\n}\nconst z = 3;', multiline: true, expected: 'return 1;' },
  { name: 'indent: go tabs', languageId: 'go', doc: 'func f() {\n\t█\n', raw: 'x := 1\n}\n\nfunc g() {}', multiline: true, expected: 'x := 1' },
  { name: 'indent: answer starting with a newline after an opener', languageId: 'typescript', doc: '  if (x) {█\n', raw: '\n    go();\n  }\n}', multiline: true, expected: '\n    go();\n  }' },
  { name: 'indent: java class members stay', languageId: 'java', doc: 'class A {\n    █\n', raw: 'int a;\n    int b;\n}\nclass B {}', multiline: true, expected: 'int a;\n    int b;' },

  // --- single-line: first line only
  { name: 'single: first line only', languageId: 'typescript', doc: 'const x = █\n', raw: '1;\nconst y = 2;', multiline: false, expected: '1;' },
  { name: 'single: answer starting on the next line -> whitespaceOnly', languageId: 'python', doc: 'x = █\n', raw: '\nfoo()', multiline: false, expected: { empty: 'whitespaceOnly' } },
  { name: 'single: java return then the brace', languageId: 'java', doc: 'int f() {\n    return █\n}\n', raw: 'a + b;\n}\n', multiline: false, expected: 'a + b;' },

  // --- maxLines
  { name: 'maxLines: two of three lines', languageId: 'typescript', doc: 'function f() {\n  █\n', raw: 'const a = 1;\n  const b = 2;\n  const c = 3;', multiline: true, maxLines: 2, expected: 'const a = 1;\n  const b = 2;' },
  { name: 'maxLines: one line', languageId: 'python', doc: 'def f():\n    █\n', raw: 'a = 1\n    b = 2', multiline: true, maxLines: 1, expected: 'a = 1' },
  { name: 'maxLines: counted after dropping a loop', languageId: 'rust', doc: 'fn f() {\n    █\n', raw: 'a();\n    a();\n    a();\n    b();\n    c();', multiline: true, maxLines: 2, expected: 'a();\n    b();' },

  // --- trailing whitespace and whitespace-only answers
  { name: 'trailing: spaces and tab after a single line', languageId: 'go', doc: 'x := █\n', raw: '42   \t', multiline: false, expected: '42' },
  { name: 'trailing: per line and trailing blank lines', languageId: 'typescript', doc: 'function f() {\n  █\n', raw: 'a();   \n  b();  \n\n\n', multiline: true, expected: 'a();\n  b();' },
  { name: 'whitespace: blank lines only', languageId: 'java', doc: 'void f() {\n    █\n}\n', raw: '   \n  \n', multiline: true, expected: { empty: 'whitespaceOnly' } },
  { name: 'whitespace: empty answer', languageId: 'c', doc: 'int x = █\n', raw: '', multiline: false, expected: { empty: 'whitespaceOnly' } },
  { name: 'crlf: suffix lines in a CRLF document', languageId: 'typescript', doc: 'function f() {\r\n  █\r\n  return x;\r\n}\r\n', raw: 'const x = 1;\r\n  return x;\r\n}', multiline: true, expected: 'const x = 1;' },
  { name: 'crlf: duplicate next line in a CRLF document', languageId: 'java', doc: 'void f() {\r\n    █\r\n    run();\r\n}\r\n', raw: 'run();', multiline: false, expected: { empty: 'duplicatesNextLine' } },
  { name: 'whitespace: CRLF blank lines', languageId: 'typescript', doc: 'let a = █\r\n', raw: '\r\n\r\n', multiline: true, expected: { empty: 'whitespaceOnly' } },

  // --- single-line answer equal to the next non-empty line
  { name: 'duplicate: return already on the next line', languageId: 'typescript', doc: 'function f() {\n  █\n  return x;\n}\n', raw: 'return x;', multiline: false, expected: { empty: 'duplicatesNextLine' } },
  { name: 'duplicate: completes a word into the next line', languageId: 'python', doc: 'def f():\n    ret█\n    return total\n', raw: 'urn total', multiline: false, expected: { empty: 'duplicatesNextLine' } },
  { name: 'duplicate: skips blank lines to the next one', languageId: 'go', doc: 'func f() {\n\t█\n\n\tdefer f.Close()\n}\n', raw: 'defer f.Close()', multiline: false, expected: { empty: 'duplicatesNextLine' } },
  { name: 'duplicate: rust let already below', languageId: 'rust', doc: 'fn f() {\n    █\n    let y = 2;\n}\n', raw: 'let y = 2;', multiline: false, expected: { empty: 'duplicatesNextLine' } },
  { name: 'duplicate: not when the line already has code', languageId: 'typescript', doc: 'x = █\nfoo();\n', raw: 'foo();', multiline: false, expected: 'foo();' },

  // --- leading whitespace of the first line is the model's
  { name: 'leading: indentation given by the model is kept', languageId: 'python', doc: 'def f():\n█\n', raw: '    return 1', multiline: false, expected: '    return 1' },
  { name: 'leading: class members from column 0', languageId: 'typescript', doc: 'class A {\n█\n}\n', raw: '  constructor() {}\n  m() {}', multiline: true, expected: '  constructor() {}\n  m() {}' },
  { name: 'leading: space after a keyword', languageId: 'c', doc: 'return█\n', raw: ' 0;', multiline: false, expected: ' 0;' },

  // --- found by `npm run eval:quality` (issue 12)
  { name: 'fences: fenced single line, stream cut after the line (was `el`)', languageId: 'python', doc: 'if x:\n    a()\n█\n', raw: '```python\nelse:\n    b', multiline: false, complete: false, expected: 'else:' },
  { name: 'fences: no language, single line', languageId: 'typescript', doc: 'const v = █\n', raw: '```\nthis.exact.get(key);\n```', multiline: false, expected: 'this.exact.get(key);' },
  { name: 'fences: never closed, block', languageId: 'python', doc: 'def f(xs):\n    █\n', raw: '```python\nfor x in xs:\n    print(x)\n', multiline: true, expected: 'for x in xs:\n    print(x)' },
  { name: 'fences: an opening fence still streaming shows nothing', languageId: 'go', doc: 'x := █\n', raw: '```g', multiline: false, complete: false, expected: { empty: 'allFiltered' } },
  { name: 'cut-off: a line cut by the token cap ends at a whole token', languageId: 'typescript', doc: 'const v = █\n', raw: 'compute(alpha, betaGam', multiline: false, complete: false, expected: 'compute(alpha,' },
  { name: 'cut-off: a block cut by the cap drops its partial last line', languageId: 'python', doc: 'def f():\n    █\n', raw: 'a = 1\n    b = comp', multiline: true, complete: false, expected: 'a = 1' },
  { name: 'cut-off: an end token makes a cut stream whole', languageId: 'java', doc: 'int n = █\n', raw: 'list.size();<|endoftext|>junk', multiline: false, complete: false, expected: 'list.size();' },
  { name: 'tokens: </s> glued to the line end', languageId: 'rust', doc: 'fn f(x: i32) -> i32 {\n    █\n}\n', raw: 'x + 1</s>\nfn g() {}', multiline: true, expected: 'x + 1' },
  { name: 'tokens: <|im_end|> mid-line then a chat turn', languageId: 'csharp', doc: 'var n = █\n', raw: 'items.Count;<|im_end|>\n<|im_start|>user', multiline: false, expected: 'items.Count;' },
  { name: 'tokens: <EOT> on its own line after a block', languageId: 'go', doc: 'func f() {\n\t█\n}\n', raw: 'a()\n\tb()\n<EOT>', multiline: true, expected: 'a()\n\tb()' },
  { name: 'echo: the next lines re-typed with other whitespace', languageId: 'python', doc: 'def f(xs):\n    total = 0\n    █\n    return total\n', raw: 'total = sum(xs)\n  return  total\n', multiline: true, expected: 'total = sum(xs)' },
  { name: 'echo: tabs re-typed as spaces', languageId: 'go', doc: 'func f() {\n\t█\n\treturn n\n}\n', raw: 'n++\n    return n\n}', multiline: true, expected: 'n++' },
  { name: 'blank line mid-body: a block stops before the code below', languageId: 'java', doc: 'void f() {\n    int a = 1;\n    █\n    run(a);\n}\n', raw: 'if (a > 0) {\n        a--;\n    }\n    run(a);\n}', multiline: true, expected: 'if (a > 0) {\n        a--;\n    }' },
  { name: 'repeats: a repeated block is cut at its repeat', languageId: 'typescript', doc: 'function f() {\n  █\n}\n', raw: 'a();\n  b();\n  a();\n  b();', multiline: true, expected: 'a();\n  b();' },
  { name: 'repeats: a repeated block cut by the line cap', languageId: 'javascript', doc: 'function f() {\n  █\n}\n', raw: 'one(x);\n  two(x);\n  three(x);\n  one(x);', multiline: true, expected: 'one(x);\n  two(x);\n  three(x);' },
  { name: 'repeats: a closer equal to an earlier one at the end is no loop', languageId: 'go', doc: 'func f() {\n\t█\n}\n', raw: 'if a {\n\t\tx()\n\t}\n\tfor {\n\t\ty()\n\t}', multiline: true, expected: 'if a {\n\t\tx()\n\t}\n\tfor {\n\t\ty()\n\t}' },
  { name: 'definitions: a sibling definition after a blank line at the cursor level', languageId: 'python', doc: 'class A:\n    █\n', raw: 'def a(self):\n        return 1\n\n    def b(self):\n        return 2', multiline: true, expected: 'def a(self):\n        return 1' },
  { name: 'definitions: an unrelated top-level function after the body', languageId: 'typescript', doc: 'function f() {\n  █\n}\n', raw: 'return 1;\n\nexport function unrelated() {\n  return 2;\n}', multiline: true, expected: 'return 1;' },
  { name: 'definitions: a nested function without a blank line is kept', languageId: 'python', doc: 'def outer():\n    x = 1\n    █\n', raw: 'y = 2\n    def inner():\n        return y', multiline: true, expected: 'y = 2\n    def inner():\n        return y' },
  { name: 'definitions: java method after a blank line', languageId: 'java', doc: 'class A {\n    █\n}\n', raw: 'int a() {\n        return 1;\n    }\n\n    public int b() {\n        return 2;\n    }', multiline: true, expected: 'int a() {\n        return 1;\n    }' },
  { name: 'echo: a deeper `} else {` is the block\'s own, not the suffix\'s (serde_json)', languageId: 'rust', doc: 'fn f() {\n    if a {\n        █\n    } else {\n        none()\n    }\n}\n', raw: 'if b {\n            x()\n        } else {\n            y()\n        }', multiline: true, expected: 'if b {\n            x()\n        } else {\n            y()\n        }' },
  { name: 'echo: a re-indented echo of two suffix lines is cut', languageId: 'rust', doc: 'fn f() {\n    if a {\n        █\n    } else {\n        none()\n    }\n}\n', raw: 'x()\n} else {\n  none()', multiline: true, expected: 'x()' },
  { name: 'echo: a re-indented echo as the last line is cut', languageId: 'python', doc: 'def f(xs):\n    █\n    return total\n', raw: 'total = sum(xs)\nreturn total', multiline: true, expected: 'total = sum(xs)' },
];

import { strict as assert } from 'node:assert';
import {
  buildPromptWindow,
  charsForTokens,
  formatSnippets,
  type ContextSnippet,
} from '../../../src/core/completion/promptWindow';

/** A deterministic source-like document: lines of varying length, some blank, some indented. */
function makeDoc(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 7 === 6) out.push('');
    else out.push(`${' '.repeat((i % 4) * 2)}const v${i} = compute(${i}, "${'x'.repeat(i % 23)}");`);
  }
  return out.join('\n') + '\n';
}

function isLineStart(text: string, i: number): boolean {
  return i === 0 || text[i - 1] === '\n';
}

function assertWindowInvariants(text: string, offset: number, maxPrefix: number, maxSuffix: number): void {
  const w = buildPromptWindow({ text, offset }, { maxPrefixChars: maxPrefix, maxSuffixChars: maxSuffix });
  assert.equal(w.prefix, text.slice(w.prefixStart, offset), 'prefix is the text before the cursor');
  assert.ok(w.prefix.length <= maxPrefix, `prefix ${w.prefix.length} > ${maxPrefix}`);
  assert.ok(w.suffix.length <= maxSuffix, `suffix ${w.suffix.length} > ${maxSuffix}`);
  assert.equal(w.suffix, text.slice(offset, offset + w.suffix.length), 'suffix is the text after the cursor');
  assert.ok(isLineStart(text, w.prefixStart), `prefix starts mid-line at ${w.prefixStart}`);
  const suffixEnd = offset + w.suffix.length;
  assert.ok(suffixEnd === text.length || text[suffixEnd - 1] === '\n', `suffix ends mid-line at ${suffixEnd}`);
}

describe('promptWindow', () => {
  describe('charsForTokens', () => {
    const table: Array<[number, number]> = [[0, 0], [1, 3], [1000, 3500], [2048, 7168], [-5, 0]];
    for (const [tokens, chars] of table) {
      it(`${tokens} tokens -> ${chars} chars`, () => assert.equal(charsForTokens(tokens), chars));
    }
  });

  describe('buildPromptWindow', () => {
    it('takes the whole document when it fits', () => {
      const text = 'a\nb\nc\n';
      assert.deepEqual(buildPromptWindow({ text, offset: 3 }, { maxPrefixChars: 100, maxSuffixChars: 100 }),
        { prefix: 'a\nb', suffix: '\nc\n', prefixStart: 0 });
    });

    it('clamps an offset outside the text', () => {
      const w = buildPromptWindow({ text: 'abc', offset: 99 }, { maxPrefixChars: 10, maxSuffixChars: 10 });
      assert.deepEqual(w, { prefix: 'abc', suffix: '', prefixStart: 0 });
    });

    it('respects the limits and line boundaries at many offsets', () => {
      const text = makeDoc(400);
      for (let offset = 0; offset <= text.length; offset += 97) {
        for (const [p, s] of [[500, 200], [2000, 800], [64, 64]] as const) assertWindowInvariants(text, offset, p, s);
      }
    });

    it('gives an empty prefix or suffix for a zero budget', () => {
      const text = makeDoc(50);
      const w = buildPromptWindow({ text, offset: 300 }, { maxPrefixChars: 0, maxSuffixChars: 0 });
      assert.equal(w.prefix, '');
      assert.equal(w.suffix, '');
    });

    it('keeps prefixStart while 50 characters are typed at the cursor', () => {
      const base = makeDoc(300);
      const budget = { maxPrefixChars: 2000, maxSuffixChars: 500 };
      const cursor = base.indexOf('\n', 6000);
      let text = base;
      const start = buildPromptWindow({ text, offset: cursor }, budget).prefixStart;
      assert.ok(start > 0, 'the window must not simply start at 0');
      const typed = 'const answer = compute(41, "typed text here!!!");';
      for (let i = 1; i <= typed.length; i++) {
        text = base.slice(0, cursor) + typed.slice(0, i) + base.slice(cursor);
        const w = buildPromptWindow({ text, offset: cursor + i }, budget);
        assert.equal(w.prefixStart, start, `start moved after ${i} characters`);
        assertWindowInvariants(text, cursor + i, budget.maxPrefixChars, budget.maxSuffixChars);
      }
    });

    it('moves the start at most once per 50 typed characters, and rarely', () => {
      const base = makeDoc(600);
      const budget = { maxPrefixChars: 3000, maxSuffixChars: 600 };
      let runs = 0;
      let runsWithMove = 0;
      for (let cursor = 3500; cursor < base.length - 10; cursor += 211) {
        const starts = new Set<number>();
        for (let typed = 0; typed <= 50; typed++) {
          const text = base.slice(0, cursor) + 'y'.repeat(typed) + base.slice(cursor);
          starts.add(buildPromptWindow({ text, offset: cursor + typed }, budget).prefixStart);
        }
        runs++;
        assert.ok(starts.size <= 2, `start moved ${starts.size - 1} times in one run at ${cursor}`);
        if (starts.size > 1) runsWithMove++;
      }
      // The start moves in steps of 1/8 of the budget (375 chars here): about 50/375 of runs.
      assert.ok(runs >= 50);
      assert.ok(runsWithMove / runs < 0.25, `${runsWithMove}/${runs} runs moved the start`);
    });

    it('uses at least 7/8 of the prefix budget when the document allows', () => {
      const text = makeDoc(2000);
      for (let offset = 20000; offset < text.length; offset += 1013) {
        const w = buildPromptWindow({ text, offset }, { maxPrefixChars: 4000, maxSuffixChars: 100 });
        // 7/8 of the budget, less at most one line (the start snaps forward to a line start).
        assert.ok(w.prefix.length >= 3500 - 60, `only ${w.prefix.length} chars`);
      }
    });

    it('falls back to the budget on a single very long line', () => {
      const text = 'x'.repeat(50_000);
      const w = buildPromptWindow({ text, offset: 30_000 }, { maxPrefixChars: 1000, maxSuffixChars: 300 });
      assert.ok(w.prefix.length <= 1000 && w.prefix.length >= 875);
      assert.equal(w.suffix.length, 300);
      assert.equal(w.prefix, text.slice(w.prefixStart, 30_000));
    });

    it('handles a 20,000-line document', () => {
      const text = makeDoc(20_000);
      assert.ok(text.length > 500_000, `${text.length} chars`);
      for (const offset of [0, 1, 12_345, Math.floor(text.length / 2), text.length - 1, text.length]) {
        assertWindowInvariants(text, offset, 8000, 2000);
      }
      const nearEnd = text.lastIndexOf('\n', text.length - 2);
      const w = buildPromptWindow({ text, offset: nearEnd }, { maxPrefixChars: 8000, maxSuffixChars: 2000 });
      assert.ok(w.prefix.endsWith(text.slice(nearEnd - 40, nearEnd)));
      assert.equal(w.suffix, text.slice(nearEnd));
    });
  });

  describe('snippets', () => {
    const snippets: ContextSnippet[] = [
      { path: 'src/a.ts', text: 'export const a = 1;\n\nexport function f() {}\n' },
      { path: 'src/b.ts', text: 'export const b = 2;' },
    ];

    it('renders line comments with a path header', () => {
      assert.equal(formatSnippets(snippets, 'typescript', 1000),
        '// Path: src/a.ts\n// export const a = 1;\n//\n// export function f() {}\n' +
        '\n// Path: src/b.ts\n// export const b = 2;\n');
    });

    it('uses the language\'s own comment marker', () => {
      assert.equal(formatSnippets([{ path: 'lib/u.py', text: 'def u():\n    pass' }], 'python', 1000),
        '# Path: lib/u.py\n# def u():\n#     pass\n');
      assert.equal(formatSnippets([{ path: 'q.sql', text: 'SELECT 1;' }], 'sql', 1000), '-- Path: q.sql\n-- SELECT 1;\n');
    });

    it('wraps languages without line comments in a block comment it cannot break out of', () => {
      assert.equal(formatSnippets([{ path: 'a.css', text: 'a { color: red; } /* x */' }], 'css', 1000),
        '/* Path: a.css\na { color: red; } /* x * /\n*/\n');
    });

    it('renders nothing for a language without known comments', () => {
      assert.equal(formatSnippets(snippets, 'plaintext', 1000), '');
    });

    it('stays within maxChars, cutting at a line and dropping what does not fit', () => {
      for (const max of [0, 10, 20, 40, 60, 80, 120]) {
        const out = formatSnippets(snippets, 'typescript', max);
        assert.ok(out.length <= max, `${out.length} > ${max}`);
        assert.ok(out === '' || out.endsWith('\n'));
      }
      // Header (18) + first line (23) = 41: the first snippet partly, and nothing after a partial one.
      assert.equal(formatSnippets(snippets, 'typescript', 41), '// Path: src/a.ts\n// export const a = 1;\n');
      assert.equal(formatSnippets(snippets, 'typescript', 60), '// Path: src/a.ts\n// export const a = 1;\n//\n');
    });

    it('emits no header without at least one line of its snippet', () => {
      assert.equal(formatSnippets(snippets, 'typescript', 40), '');
      assert.equal(formatSnippets([{ path: 'a.css', text: 'a {}' }], 'css', 20), '');
    });

    it('does not split more of a huge snippet than it can use', () => {
      const huge = { path: 'big.ts', text: 'x\n'.repeat(400_000) };
      const out = formatSnippets([huge], 'typescript', 100);
      assert.ok(out.length <= 100 && out.startsWith('// Path: big.ts\n// x\n'));
    });

    it('are prepended to the prefix inside the prefix budget', () => {
      const text = makeDoc(500);
      const offset = text.indexOf('\n', 9000);
      const budget = { maxPrefixChars: 2000, maxSuffixChars: 300, maxSnippetChars: 400 };
      const w = buildPromptWindow({ text, offset, languageId: 'typescript' }, budget, snippets);
      const header = formatSnippets(snippets, 'typescript', 400);
      assert.ok(w.prefix.startsWith(header));
      assert.equal(w.prefix.slice(header.length), text.slice(w.prefixStart, offset));
      assert.ok(w.prefix.length <= 2000);
      assert.ok(offset - w.prefixStart <= 1600);
    });

    it('reserve a fixed share, so the document window does not depend on snippet sizes', () => {
      const text = makeDoc(500);
      const offset = text.indexOf('\n', 9000);
      const budget = { maxPrefixChars: 2000, maxSuffixChars: 300 };
      const a = buildPromptWindow({ text, offset, languageId: 'go' }, budget, [{ path: 'a.go', text: 'package a' }]);
      const b = buildPromptWindow({ text, offset, languageId: 'go' }, budget, [{ path: 'b.go', text: 'package b\n'.repeat(300) }]);
      assert.equal(a.prefixStart, b.prefixStart);
      assert.ok(b.prefix.length <= 2000);
    });
  });
});

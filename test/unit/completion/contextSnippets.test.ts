import * as assert from 'node:assert/strict';
import { pickSnippets, type SnippetCandidate } from '../../../src/core/completion/contextSnippets';

type Over = Partial<Omit<SnippetCandidate, 'readText'>> & { text?: string };
const read: string[] = [];
const cand = (path: string, over: Over = {}): SnippetCandidate => {
  const { text = `// ${path}\nexport const x = 1;\n`, ...rest } = over;
  return { path, languageId: 'typescript', readText: () => { read.push(path); return text; }, excluded: false, ...rest };
};

describe('pickSnippets', () => {
  const current = { path: 'src/main.ts', languageId: 'typescript' };

  it('never uses an excluded file, the current file, or another language', () => {
    const got = pickSnippets(current, [
      cand('src/main.ts'),
      cand('.env.ts', { excluded: true, text: 'SECRET=abc' }),
      cand('src/a.py', { languageId: 'python' }),
      cand('src/b.ts'),
    ]);
    assert.deepEqual(got.map((s) => s.path), ['src/b.ts']);
    assert.ok(!got.some((s) => s.text.includes('SECRET')));
  });

  it('puts visible editors first and keeps a stable order otherwise', () => {
    const got = pickSnippets(current, [cand('src/z.ts'), cand('src/c.ts'), cand('src/v.ts', { focusOffset: 3 })]);
    assert.deepEqual(got.map((s) => s.path), ['src/v.ts', 'src/c.ts', 'src/z.ts']);
  });

  it('bounds files and characters, cutting at whole lines around the cursor', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i}`).join('\n');
    const focus = lines.indexOf('line 200');
    const got = pickSnippets(current, [cand('src/a.ts', { text: lines, focusOffset: focus }), cand('src/b.ts'), cand('src/c.ts'), cand('src/d.ts')],
      { maxFiles: 2, maxCharsPerFile: 300 });
    assert.equal(got.length, 2);
    assert.ok(got[0].text.length <= 300);
    assert.ok(got[0].text.includes('line 200'));
    assert.match(got[0].text, /^line \d+/);
    assert.ok(got[0].text.endsWith('\n'));
  });

  it('reads the text of no file it does not use', () => {
    read.length = 0;
    pickSnippets(current, [cand('src/a.ts'), cand('src/b.ts'), cand('src/c.ts'), cand('src/d.ts'), cand('.env', { excluded: true })], { maxFiles: 2, maxCharsPerFile: 100 });
    assert.deepEqual(read, ['src/a.ts', 'src/b.ts']);
  });

  it('skips empty files', () => {
    assert.equal(pickSnippets(current, [cand('src/e.ts', { text: '  \n' })]).length, 0);
  });
});

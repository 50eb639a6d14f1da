import { strict as assert } from 'node:assert';
import { countChatTokens, countTokens } from '../../../src/core/cost/tokenCount';
import { startFixture } from './fixtures/childProcess';

describe('tokenCount', () => {
  // Reference counts from the o200k_base encoding (GPT-4o / GPT-5 family).
  const cases: Array<[string, number]> = [
    ['', 0],
    ['hello world', 2],
    ['function add(a, b) {\n  return a + b;\n}', 14],
  ];
  for (const [text, expected] of cases) {
    it(`counts ${JSON.stringify(text)} as ${expected} tokens`, () => assert.equal(countTokens(text), expected));
  }

  it('counts special-token text in user code as plain text instead of throwing', () => {
    const n = countTokens('const end = "<|endoftext|>";');
    assert.ok(n > 5, `plain-text count expected, got ${n}`);
  });

  it('adds the chat framing: 3 per message plus 3 for the reply', () => {
    const messages = [
      { role: 'system', content: 'hello world' },
      { role: 'user', content: 'hello world' },
    ];
    assert.equal(countChatTokens(messages), 3 + (3 + 2) * 2);
  });

  it('loads the tokenizer on the first count, not when the cost modules load', async function () {
    this.timeout(30_000);
    const child = startFixture('tokenizerProbe.ts', []);
    const exit = await child.exited;
    assert.equal(exit.code, 0, exit.stderr);
    assert.deepEqual(JSON.parse(child.output()), {
      before: { flag: false, cache: false },
      after: { flag: true, cache: true },
      tokens: 2,
    });
  });
});

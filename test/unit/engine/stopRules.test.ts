import { strict as assert } from 'node:assert';
import { stopRuleFor } from '../../../src/core/completion/stopRules';

describe('stopRuleFor', () => {
  const table: Array<[string, Parameters<typeof stopRuleFor>[0], string, boolean]> = [
    ['single line still going', { kind: 'singleLine' }, 'foo(bar', false],
    ['single line ended', { kind: 'singleLine' }, 'foo(bar);\n', true],
    ['single line: a leading newline leaves nothing for this line', { kind: 'singleLine' }, '\n', true],
    ['multi-line below the cap', { kind: 'multiLine', maxLines: 3 }, 'a\nb\nc', false],
    ['multi-line at the cap', { kind: 'multiLine', maxLines: 3 }, 'a\nb\nc\n', true],
    ['multi-line: a cap below one acts as one', { kind: 'multiLine', maxLines: 0 }, 'a\n', true],
  ];
  for (const [name, shape, text, expected] of table) {
    it(name, () => assert.equal(stopRuleFor(shape)(text), expected));
  }
});

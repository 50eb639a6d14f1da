import { strict as assert } from 'node:assert';
import { DEFAULT_PRICES, parsePriceOverrides, type PriceRow, resolvePrice } from '../../../src/core/shared/priceTable';

const userMini: PriceRow = {
  model: 'gpt-5.4-mini', inputPerMTok: 1, outputPerMTok: 6, cachedVerified: true, source: 'user', asOf: '2026-06-01',
};
const userSnapshot: PriceRow = { ...userMini, model: 'gpt-5.4-mini-2026-03-17', inputPerMTok: 0.5 };
const userOther: PriceRow = { ...userMini, model: 'my-gateway-model', inputPerMTok: 3 };

describe('priceTable', () => {
  it('carries the announced prices, with source, date and unverified cached rates', () => {
    const byModel = Object.fromEntries(DEFAULT_PRICES.map((r) => [r.model, r]));
    assert.deepEqual(
      [byModel['gpt-5.4-mini'].inputPerMTok, byModel['gpt-5.4-mini'].outputPerMTok, byModel['gpt-5.4-mini'].cachedInputPerMTok],
      [0.75, 4.5, 0.075],
    );
    assert.deepEqual(
      [byModel['gpt-5.4-nano'].inputPerMTok, byModel['gpt-5.4-nano'].outputPerMTok, byModel['gpt-5.4-nano'].cachedInputPerMTok],
      [0.2, 1.25, 0.02],
    );
    for (const row of DEFAULT_PRICES) {
      assert.equal(row.cachedVerified, false, row.model);
      assert.ok(row.source.length > 0 && /^\d{4}-\d{2}-\d{2}$/.test(row.asOf), row.model);
    }
  });

  const cases: Array<[string, string, readonly PriceRow[], string | undefined, 'exact' | 'snapshot' | undefined, boolean | undefined]> = [
    // name, model, overrides, expected row model, matchedBy, fromOverride
    ['exact built-in', 'gpt-5.4-mini', [], 'gpt-5.4-mini', 'exact', false],
    ['dated snapshot of a built-in', 'gpt-5.4-nano-2026-03-17', [], 'gpt-5.4-nano', 'snapshot', false],
    ['surrounding spaces ignored', ' gpt-5.4-mini ', [], 'gpt-5.4-mini', 'exact', false],
    ['plain prefix is not a snapshot', 'gpt-5.4-mini-high', [], undefined, undefined, undefined],
    ['shorter alias does not match a longer row', 'gpt-5.4', [], undefined, undefined, undefined],
    ['unknown model', 'gpt-9', [], undefined, undefined, undefined],
    ['case matters (ids are lowercase)', 'GPT-5.4-MINI', [], undefined, undefined, undefined],
    ['override wins over built-in', 'gpt-5.4-mini', [userMini], 'gpt-5.4-mini', 'exact', true],
    ['override snapshot row wins over alias', 'gpt-5.4-mini-2026-03-17', [userMini, userSnapshot], 'gpt-5.4-mini-2026-03-17', 'exact', true],
    ['override alias covers snapshots', 'gpt-5.4-mini-2026-09-01', [userMini], 'gpt-5.4-mini', 'snapshot', true],
    ['override adds a model', 'my-gateway-model', [userOther], 'my-gateway-model', 'exact', true],
  ];
  for (const [name, model, overrides, rowModel, matchedBy, fromOverride] of cases) {
    it(`resolvePrice: ${name}`, () => {
      const found = resolvePrice(model, overrides);
      if (rowModel === undefined) {
        assert.deepEqual(found, { kind: 'unknown', model: model.trim() });
      } else {
        assert.equal(found.kind, 'known');
        if (found.kind !== 'known') return;
        assert.deepEqual([found.row.model, found.matchedBy, found.fromOverride], [rowModel, matchedBy, fromOverride]);
      }
    });
  }

  it('uses the override row itself (its numbers, not the built-in ones)', () => {
    const found = resolvePrice('gpt-5.4-mini', [userMini]);
    assert.deepEqual(found.kind === 'known' && found.row, userMini);
  });

  describe('parsePriceOverrides', () => {
    it('accepts valid rows; a user cached rate counts as verified', () => {
      const parsed = parsePriceOverrides(
        [
          { model: 'gpt-5.4-mini', inputPerMTok: 0.8, outputPerMTok: 5, cachedInputPerMTok: 0.08 },
          { model: ' local-gw ', inputPerMTok: 0, outputPerMTok: 0, asOf: '2026-01-02' },
        ],
        '2026-05-20',
      );
      assert.deepEqual(parsed.errors, []);
      assert.deepEqual(parsed.rows, [
        { model: 'gpt-5.4-mini', inputPerMTok: 0.8, cachedInputPerMTok: 0.08, cachedVerified: true, outputPerMTok: 5, source: 'user setting tandem.cloud.prices', asOf: '2026-05-20' },
        { model: 'local-gw', inputPerMTok: 0, cachedVerified: false, outputPerMTok: 0, source: 'user setting tandem.cloud.prices', asOf: '2026-01-02' },
      ]);
    });

    it('rejects bad entries one by one and keeps the good ones', () => {
      const parsed = parsePriceOverrides([
        'gpt-5.4-mini',
        { inputPerMTok: 1, outputPerMTok: 1 },
        { model: 'a', inputPerMTok: -1, outputPerMTok: 1 },
        { model: 'b', inputPerMTok: 1, outputPerMTok: '2' },
        { model: 'c', inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: Number.NaN },
        { model: 'ok', inputPerMTok: 1, outputPerMTok: 2 },
      ]);
      assert.deepEqual(parsed.rows.map((r) => r.model), ['ok']);
      assert.equal(parsed.errors.length, 5);
      assert.match(parsed.errors[2], /\[2\] \(a\): inputPerMTok/);
      assert.match(parsed.errors[4], /cachedInputPerMTok/);
    });

    it('lets a later row for the same model replace an earlier one', () => {
      const parsed = parsePriceOverrides([
        { model: 'm', inputPerMTok: 1, outputPerMTok: 1 },
        { model: 'm', inputPerMTok: 2, outputPerMTok: 2 },
      ]);
      assert.deepEqual(parsed.rows.map((r) => r.inputPerMTok), [2]);
    });

    it('treats a missing setting as no overrides and a non-array as an error', () => {
      assert.deepEqual(parsePriceOverrides(undefined), { rows: [], errors: [] });
      assert.equal(parsePriceOverrides({ model: 'x' }).errors.length, 1);
    });
  });
});

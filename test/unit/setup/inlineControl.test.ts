import { strict as assert } from 'node:assert';
import { inlineGate, snoozeUntil, statusMenuEntries, withLanguage } from '../../../src/core/setup/inlineControl';

describe('inline control: snooze, languages, the status bar menu', () => {
  const on = { enabled: true, disabledLanguages: ['markdown'], snoozedUntil: 0 };

  const table: Array<[string, typeof on, string, 'automatic' | 'invoke', number, string]> = [
    ['on', on, 'typescript', 'automatic', 0, 'ok'],
    ['language off', on, 'markdown', 'automatic', 0, 'language'],
    ['language off, even when invoked', on, 'markdown', 'invoke', 0, 'language'],
    ['snoozed', { ...on, snoozedUntil: 1000 }, 'typescript', 'automatic', 999, 'snoozed'],
    ['snooze over', { ...on, snoozedUntil: 1000 }, 'typescript', 'automatic', 1000, 'ok'],
    ['snoozed, but the user asked', { ...on, snoozedUntil: 1000 }, 'typescript', 'invoke', 0, 'ok'],
    ['off', { ...on, enabled: false }, 'typescript', 'invoke', 0, 'disabled'],
  ];
  for (const [name, state, lang, trigger, now, want] of table) {
    it(name, () => {
      const g = inlineGate(state, lang, trigger, now);
      assert.equal(g.ok ? 'ok' : g.reason, want);
    });
  }

  it('snoozes for minutes', () => {
    assert.equal(snoozeUntil(1000, 5), 301_000);
  });

  it('adds and removes a language without duplicates', () => {
    assert.deepEqual(withLanguage(['a', 'b'], 'a', true), ['b', 'a']);
    assert.deepEqual(withLanguage(['a', 'b'], 'a', false), ['b']);
    assert.deepEqual(withLanguage([], 'c', false), []);
  });

  it('the menu offers snoozes, the language toggle, trigger, check setup and the log', () => {
    const ids = statusMenuEntries(on, 'typescript', 0).map((e) => e.id);
    assert.deepEqual(ids, ['trigger', 'snooze5', 'snooze15', 'snooze60', 'disableLanguage', 'disable', 'checkSetup', 'showLog']);
    const md = statusMenuEntries(on, 'markdown', 0);
    assert.ok(md.some((e) => e.id === 'enableLanguage' && /markdown/.test(e.label)));
    const snoozed = statusMenuEntries({ ...on, snoozedUntil: 10 * 60_000 }, 'typescript', 0);
    assert.equal(snoozed.find((e) => e.id === 'resume')?.description, 'snoozed, 10 min left');
    assert.deepEqual(statusMenuEntries({ ...on, enabled: false }, undefined, 0).map((e) => e.id), ['enable', 'checkSetup', 'showLog']);
  });
});

import { strict as assert } from 'node:assert';
import { localDestination } from '../../../src/core/privacy/localDestination';
import { inlineAllowed, inlineGate, snoozeUntil, statusMenuEntries, withLanguage, type InlineRequestFacts } from '../../../src/core/setup/inlineControl';

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

  // The local side of one request: the user's controls, then the router's rules (one place for each).
  const here = localDestination('http://127.0.0.1:11434', []);
  const gpu = localDestination('http://gpu.team.internal:11434', []);
  const gpuAllowed = localDestination('http://gpu.team.internal:11434', ['gpu.team.internal']);
  const facts: InlineRequestFacts = {
    languageId: 'typescript', trigger: 'automatic', now: 0, scheme: 'file', mode: 'hybrid', trusted: true,
    excluded: { excluded: false }, enableInExcludedFiles: false, localDestination: here,
  };
  const env = { excluded: true, rule: '.env*' };
  const allowedTable: Array<[string, Partial<InlineRequestFacts>, string]> = [
    ['an ordinary file', {}, 'ok'],
    ['language off', { languageId: 'markdown' }, 'language'],
    ['the output pane', { scheme: 'output' }, 'scheme'],
    ['an excluded file', { excluded: env }, 'excludedFile'],
    ['an excluded file, allowed, on this machine', { excluded: env, enableInExcludedFiles: true }, 'ok'],
    // Was allowed here (the provider's own copy of the rule) and refused only by the cloud routing.
    ['an excluded file, allowed, but the local model is another machine', { excluded: env, enableInExcludedFiles: true, localDestination: gpu }, 'excludedFile'],
    ['local-only mode, the local model on another machine', { mode: 'localOnly', localDestination: gpu }, 'remoteLocalEndpoint'],
    ['local-only mode, that machine allowed in user settings', { mode: 'localOnly', localDestination: gpuAllowed }, 'ok'],
    ['hybrid, the local model on another machine', { localDestination: gpu }, 'ok'],
    ['an untrusted workspace (local completions are not the cloud)', { trusted: false }, 'ok'],
  ];
  for (const [name, f, want] of allowedTable) {
    it(`allowed: ${name}`, () => {
      const a = inlineAllowed(on, { ...facts, ...f });
      assert.equal(a.ok ? 'ok' : a.reason, want);
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

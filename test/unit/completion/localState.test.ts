// One LocalState value drives the status bar text, its colour and its tooltip.
import * as assert from 'node:assert/strict';
import { describeLocalState, type LocalState } from '../../../src/core/status/localState';

const base: LocalState = { health: { kind: 'checking' }, busy: false, provider: 'ollama', endpoint: 'http://127.0.0.1:11434', model: 'qwen2.5-coder:1.5b-base', inlineEnabled: true };

describe('describeLocalState', () => {
  const cases: Array<[string, Partial<LocalState>, RegExp, 'ok' | 'warning' | 'error', RegExp]> = [
    ['checking', {}, /Tandem/, 'ok', /Checking qwen2\.5-coder/],
    ['ready', { health: { kind: 'ready', model: 'm', fim: 'native' } }, /ready/, 'ok', /Ready: qwen/],
    ['busy', { busy: true, health: { kind: 'ready', model: 'm', fim: 'native' } }, /busy/, 'ok', /Generating with/],
    ['offline', { health: { kind: 'offline', detail: 'ECONNREFUSED' } }, /offline/, 'warning', /not reachable at http:\/\/127\.0\.0\.1:11434/],
    ['model missing', { health: { kind: 'modelMissing', model: 'm', detail: 'pull it' } }, /model missing/, 'warning', /qwen2\.5-coder:1\.5b-base is not available/],
    ['no FIM', { health: { kind: 'noFim', model: 'm', detail: 'x' } }, /no FIM/, 'warning', /cannot fill in the middle/],
    ['error', { health: { kind: 'error', detail: 'boom' } }, /error/, 'error', /boom/],
    ['disabled wins', { inlineEnabled: false, health: { kind: 'offline', detail: 'x' } }, /off/, 'ok', /turned off/],
  ];
  for (const [name, patch, text, severity, tooltip] of cases) {
    it(name, () => {
      const v = describeLocalState({ ...base, ...patch });
      assert.match(v.text, text);
      assert.equal(v.severity, severity);
      assert.match(v.tooltip[0], tooltip);
    });
  }

  it('shows a cold start and the last latency in the tooltip', () => {
    const v = describeLocalState({ ...base, health: { kind: 'ready', model: 'm', fim: 'native' }, coldStartMs: 4200, last: { totalMs: 310, firstTokenMs: 120, server: {}, at: 0 } });
    assert.ok(v.tooltip.some((l) => /Cold start: loading the model took 4\.2 s/.test(l)));
    assert.ok(v.tooltip.some((l) => /310 ms \(first token 120 ms\)/.test(l)));
  });

  it('does not call a warm model cold', () => {
    const v = describeLocalState({ ...base, health: { kind: 'ready', model: 'm', fim: 'native' }, coldStartMs: 12 });
    assert.ok(!v.tooltip.some((l) => /Cold start/.test(l)));
  });
});

describe('describeLocalState: snoozed, slow, cold, backing off', () => {
  const ready: LocalState = { ...base, health: { kind: 'ready', model: 'm', fim: 'native' } };
  it('snoozed shows with the minutes left', () => {
    const v = describeLocalState({ ...ready, snoozedUntil: 10 * 60_000 }, 0);
    assert.equal(v.text, 'Tandem: snoozed');
    assert.match(v.tooltip[0], /10 more minutes/);
    assert.equal(describeLocalState({ ...ready, snoozedUntil: 1000 }, 1000).text, 'Tandem: ready');
  });
  it('a slow first token shows as slow, a cold start does not', () => {
    assert.equal(describeLocalState({ ...ready, last: { totalMs: 2500, firstTokenMs: 2400, server: { loadMs: 0 }, at: 0 } }).text, 'Tandem: slow');
    assert.equal(describeLocalState({ ...ready, last: { totalMs: 2500, firstTokenMs: 2400, server: { loadMs: 2000 }, at: 0 } }).text, 'Tandem: ready (was cold)');
  });
  it('says when the next automatic try goes while backing off', () => {
    const v = describeLocalState({ ...base, health: { kind: 'offline', detail: 'x' }, retryInMs: 7500 });
    assert.ok(v.tooltip.some((l) => /next try in 8 s/.test(l)), v.tooltip.join('\n'));
  });

  it('says when inline completions may come from the cloud', () => {
    const local = describeLocalState({ ...base, privacyMode: 'hybrid' });
    const cloud = describeLocalState({ ...base, privacyMode: 'hybrid', cloudFallback: true });
    assert.ok(local.tooltip.some((l) => /inline completions stay local/.test(l)));
    assert.ok(cloud.tooltip.some((l) => /cloud help for inline completions/.test(l)));
    assert.ok(!cloud.tooltip.some((l) => /stay local/.test(l)));
  });
});

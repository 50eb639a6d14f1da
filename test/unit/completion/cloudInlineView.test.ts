// What the status bar and the log say about a cloud inline completion, and how the manifest
// declares the setting that allows it.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CloudInlineResult, CloudRoute } from '../../../src/core/completion/cloudInlineService';
import { cloudInlineLogLine, cloudInlineView, sendingView } from '../../../src/core/completion/cloudInlineView';
import type { UsageRecord } from '../../../src/core/shared/usageRecord';

const ROUTE: CloudRoute = { kind: 'cloud', reason: 'cloudFallbackLocalDown', explain: 'The local model is unavailable, so this completion comes from the cloud (tandem.inline.cloudFallback).', budgetWarning: false };
const USAGE: UsageRecord = { model: 'gpt-5.4-mini', inputTokens: 100, cachedInputTokens: 0, outputTokens: 10, reasoningTokens: 0, source: 'reported' };
const base = { route: ROUTE, model: 'gpt-5.4-mini' };

describe('cloudInlineView', () => {
  it('a shown completion: cloud icon and exact cost; the tooltip has the router\'s reason and how to turn it off', () => {
    const v = cloudInlineView({ ...base, kind: 'shown', text: 'x', costMicros: 120, usage: USAGE, fromCache: false });
    assert.equal(v?.text, '$(cloud) cloud completion · $0.00012');
    assert.ok(v?.tooltip.includes(ROUTE.explain));
    assert.ok(v?.tooltip.some((l) => /100 tokens in, 10 out/.test(l)));
    assert.ok(v?.tooltip.some((l) => /tandem\.inline\.cloudFallback/.test(l)));
  });

  it('an unknown price is said, never shown as free', () => {
    const v = cloudInlineView({ ...base, kind: 'shown', text: 'x', costMicros: null, usage: USAGE, fromCache: false });
    assert.equal(v?.text, '$(cloud) cloud completion · price unknown');
  });

  it('a failure is a warning with the reason and what it cost', () => {
    const v = cloudInlineView({ ...base, kind: 'skipped', reason: 'failed', detail: 'The server failed (500).', costMicros: 0, usage: { ...USAGE, inputTokens: 0, outputTokens: 0 } });
    assert.equal(v?.severity, 'warning');
    assert.equal(v?.text, '$(cloud) cloud completion failed · $0.00');
    assert.match(v?.tooltip[0] ?? '', /500/);
  });

  it('an empty reply that was paid for still shows its cost', () => {
    const v = cloudInlineView({ ...base, kind: 'skipped', reason: 'empty', detail: '(whitespaceOnly)', costMicros: 80, usage: USAGE });
    assert.equal(v?.text, '$(cloud) cloud completion · $0.00008');
  });

  const table: Array<[string, CloudInlineResult]> = [
    ['nothing sent (throttled)', { ...base, kind: 'skipped', reason: 'throttled', detail: '' }],
    ['nothing sent (cancelled during the pause)', { ...base, kind: 'skipped', reason: 'cancelled', detail: '' }],
    ['mid-line', { ...base, kind: 'skipped', reason: 'midLine', detail: '' }],
    ['the reply reused (no new charge)', { ...base, kind: 'shown', text: 'x', costMicros: 0, fromCache: true }],
    ['not a cloud route', { kind: 'notCloud', route: { kind: 'local', reason: 'inlineLocal', explain: 'local' } }],
  ];
  for (const [name, r] of table) {
    it(`${name}: the status bar does not change`, () => assert.equal(cloudInlineView(r), undefined));
  }

  it('sending shows a spinner naming the model', () => {
    const v = sendingView('gpt-5.4-mini', ROUTE.explain);
    assert.match(v.text, /^\$\(sync~spin\) cloud completion/);
    assert.match(v.tooltip[0], /gpt-5\.4-mini/);
  });

  it('the log line carries the route reason, model, outcome, cost and the router\'s explanation', () => {
    const line = cloudInlineLogLine({ ...base, kind: 'shown', text: 'x', costMicros: 120, usage: USAGE, fromCache: false });
    assert.equal(line, `Cloud inline completion (cloudFallbackLocalDown, gpt-5.4-mini): shown; $0.00012. ${ROUTE.explain}`);
    assert.equal(cloudInlineLogLine({ kind: 'notCloud', route: ROUTE }), undefined);
  });
});

describe('manifest: tandem.inline.cloudFallback', () => {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
  const props = Object.assign({}, ...manifest.contributes.configuration.map((c: { properties: object }) => c.properties));
  const decl = props['tandem.inline.cloudFallback'];

  it('is declared off by default, user settings only, and says when it is used and that it costs money', () => {
    assert.equal(decl?.type, 'boolean');
    assert.equal(decl?.default, false);
    // A repository's settings cannot turn on paid cloud requests.
    assert.equal(decl?.scope, 'application');
    assert.match(decl?.description, /explicitly/);
    assert.match(decl?.description, /local model is unavailable/);
    assert.match(decl?.description, /costs money/);
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('tandem.inline.cloudFallback'));
  });
});

import { strict as assert } from 'node:assert';
import { EgressLog, memoryLineStore } from '../../../src/core/privacy/egressLog';
import { renderEgressMarkdown } from '../../../src/core/privacy/egressView';

const SHA = 'a'.repeat(64);

describe('renderEgressMarkdown (Tandem: Show What Left This Machine)', () => {
  it('says plainly when nothing has left', () => {
    const md = renderEgressMarkdown({ entries: [], skipped: 0, filePath: '/x/egress.jsonl' });
    assert.match(md, /Nothing has left this machine/);
    assert.match(md, /\/x\/egress\.jsonl/);
    assert.doesNotMatch(md, /\| Time/);
  });

  it('one section per send, newest first, with totals, rules and full hashes; a path cannot start a heading of its own', async () => {
    const store = memoryLineStore();
    const log = new EgressLog(store);
    await log.append({ time: '2026-03-01T10:00:00.000Z', workspace: 'w', filePath: 'src/a.ts', feature: 'refactor', bytes: 1200, sha256: SHA,
      redactionCount: 2, redactionRules: ['@secretlint/secretlint-rule-openai'], model: 'gpt-5.4-mini', endpointHost: 'api.openai.com', costMicros: 1500 });
    await log.append({ time: '2026-03-02T09:00:00.000Z', workspace: 'w', filePath: 'src/we\n## ird.ts', feature: 'inlineFallback', bytes: 300, sha256: 'b'.repeat(64),
      redactionCount: 0, redactionRules: [], model: 'gpt-5.4-nano', endpointHost: '127.0.0.1:5000' });
    await store.appendLine('{"torn":');
    const { entries, skipped } = await log.read();
    const md = renderEgressMarkdown({ entries, skipped, filePath: '/x/egress.jsonl' });
    const headings = md.split('\n').filter((l) => l.startsWith('## '));
    assert.deepEqual(headings, [
      '## 2026-03-02 09:00:00Z · inlineFallback · src/we ## ird.ts',
      '## 2026-03-01 10:00:00Z · refactor · src/a.ts',
    ]);
    const first = md.slice(md.indexOf(headings[1]));
    assert.match(first, /- Sent: 1200 bytes to gpt-5\.4-mini at api\.openai\.com, cost \$0\.0015/);
    assert.match(first, /- Secrets redacted: 2 \(secretlint-rule-openai\)/);
    assert.ok(first.includes(`- SHA-256: \`${SHA}\``));
    assert.match(md.slice(md.indexOf(headings[0]), md.indexOf(headings[1])), /cost unknown[\s\S]*Secrets redacted: none/);
    assert.match(md, /\*\*2 cloud sends\*\*, 1\.5 KB in total, 2 secrets redacted, cost \$0\.0015 \(\+1 with unknown cost\)/);
    assert.match(md, /1 line of the raw log could not be read/);
  });
});

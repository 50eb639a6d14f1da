import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EgressLog, fileLineStore, memoryLineStore, type EgressEntry } from '../../../src/core/privacy/egressLog';
import { prepareCloudSend } from '../../../src/core/privacy/cloudGate';
import { createPathExcluder } from '../../../src/core/privacy/pathExclusion';

const fixedClock = { now: () => new Date('2026-03-01T12:00:00.000Z') };

function entry(n: number): Omit<EgressEntry, 'time'> {
  return {
    workspace: 'demo',
    filePath: `src/f${n}.ts`,
    feature: 'refactor',
    bytes: 100 + n,
    sha256: 'a'.repeat(64),
    redactionCount: n,
    redactionRules: ['tandem/jwt', 'tandem/jwt', '@secretlint/secretlint-rule-github'],
    model: 'gpt-5.4-mini',
    endpointHost: 'api.openai.com',
    costMicros: 1234,
  };
}

describe('EgressLog', () => {
  it('appends JSON lines and reads them back, with time from the clock and rule ids deduplicated', async () => {
    const store = memoryLineStore();
    const log = new EgressLog(store, fixedClock);
    await log.append(entry(1));
    await log.append(entry(2));
    const { entries, skipped } = await log.read();
    assert.equal(skipped, 0);
    assert.equal(entries.length, 2);
    assert.equal(entries[0].time, '2026-03-01T12:00:00.000Z');
    assert.deepEqual(entries[1].redactionRules, ['@secretlint/secretlint-rule-github', 'tandem/jwt']);
    assert.equal(store.text().split('\n').length, 3); // two lines and the final newline
  });

  it('keeps only the known fields: a stray payload on the argument is not written', async () => {
    const store = memoryLineStore();
    const log = new EgressLog(store, fixedClock);
    await log.append({ ...entry(1), payload: 'SECRET-PAYLOAD' } as Omit<EgressEntry, 'time'>);
    assert.ok(!store.text().includes('SECRET-PAYLOAD'));
  });

  it('skips a torn last line and malformed lines instead of failing', async () => {
    const good = JSON.stringify({ time: 't', ...entry(1) });
    const store = memoryLineStore(`${good}\nnot json\n{"time":"t","workspace":"w"}\n${good.slice(0, 40)}`);
    const { entries, skipped } = await new EgressLog(store).read();
    assert.equal(entries.length, 1);
    assert.equal(skipped, 3);
  });

  describe('file store', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tandem-egress-'));
    });
    afterEach(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('persists across instances and creates the directory', async () => {
      const file = path.join(dir, 'nested', 'egress.jsonl');
      await new EgressLog(fileLineStore(file), fixedClock).append(entry(1));
      await new EgressLog(fileLineStore(file), fixedClock).append(entry(2));
      const { entries } = await new EgressLog(fileLineStore(file)).read();
      assert.deepEqual(entries.map((e) => e.filePath), ['src/f1.ts', 'src/f2.ts']);
    });

    it('after a crash mid-append, the next entry starts on a fresh line and survives', async () => {
      const file = path.join(dir, 'egress.jsonl');
      const good = JSON.stringify({ time: 't', ...entry(1) });
      await fs.writeFile(file, `${good}\n${good.slice(0, 30)}`);
      await new EgressLog(fileLineStore(file), fixedClock).append(entry(2));
      const { entries, skipped } = await new EgressLog(fileLineStore(file)).read();
      assert.deepEqual(entries.map((e) => e.filePath), ['src/f1.ts', 'src/f2.ts']);
      assert.equal(skipped, 1);
    });

    it('rotates at maxBytes, keeping one older file, and is read from its end (bounded)', async () => {
      const file = path.join(dir, 'egress.jsonl');
      const log = new EgressLog(fileLineStore(file, { maxBytes: 2000 }), fixedClock);
      for (let i = 0; i < 60; i++) await log.append(entry(i));
      const size = (await fs.stat(file)).size;
      assert.ok(size <= 2000, `current file ${size} bytes`);
      assert.ok((await fs.stat(`${file}.1`)).size <= 2000, 'one rotated file, bounded too');
      const { entries, skipped } = await new EgressLog(fileLineStore(file, { maxBytes: 2000 })).read();
      assert.equal(skipped, 0);
      assert.equal(entries.at(-1)?.filePath, 'src/f59.ts', 'the newest entry is read');
      assert.ok(entries.length < 60);
    });

    it('reads only the last readBytes of a large file, from a whole line', async () => {
      const file = path.join(dir, 'egress.jsonl');
      const line = JSON.stringify({ time: 't', ...entry(1) });
      await fs.writeFile(file, `${line}\n`.repeat(20_000)); // several MB, as a file written before rotation existed
      const { entries, skipped } = await new EgressLog(fileLineStore(file, { readBytes: 10_000 })).read();
      assert.equal(skipped, 0, 'the partial first line is dropped, not counted');
      assert.ok(entries.length > 0 && entries.length <= Math.ceil(10_000 / line.length));
    });

    it('reads an absent file as empty', async () => {
      assert.deepEqual(await new EgressLog(fileLineStore(path.join(dir, 'none.jsonl'))).read(), { entries: [], skipped: 0 });
    });
  });

  it('an entry built from a gate decision holds no secret value', async () => {
    const token = 'gh' + 'p_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    const d = await prepareCloudSend({
      payloadParts: [{ role: 'context', text: `const t = "${token}";`, path: 'src/a.ts' }],
      trusted: true,
      mode: 'hybrid',
      excludedCheck: createPathExcluder().isExcludedPath,
      endpoint: { effectiveBaseUrl: 'https://api.openai.com/v1', userLevelBaseUrl: undefined, defaultBaseUrl: 'https://api.openai.com/v1' },
    });
    assert.equal(d.kind, 'send');
    if (d.kind !== 'send') return;
    const store = memoryLineStore();
    await new EgressLog(store, fixedClock).append({
      workspace: 'demo',
      filePath: 'src/a.ts',
      feature: 'refactor',
      bytes: d.bytes,
      sha256: d.sha256,
      redactionCount: d.redactions.length,
      redactionRules: d.redactions.map((r) => r.ruleId),
      model: 'gpt-5.4-mini',
      endpointHost: 'api.openai.com',
    });
    assert.ok(!store.text().includes(token));
    assert.ok(!store.text().includes(token.slice(4, 20)));
    const [e] = (await new EgressLog(store).read()).entries;
    assert.equal(e.redactionCount, 1);
    assert.equal(e.sha256, d.sha256);
    assert.equal(e.costMicros, undefined);
  });
});

// The ledger with real processes: several windows appending at once, one killed mid-write, and
// appends racing a roll-up. Each child is a Node process running a fixture through tsx.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpendLedger } from '../../../src/core/cost/ledger';
import { type Child, startFixture } from './fixtures/childProcess';

const DAY = 86_400_000;

describe('SpendLedger (several processes)', function () {
  this.timeout(60_000);
  let dir: string;
  const children: Child[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-ledger-proc-'));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
      await c.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function writer(name: string, count: number, clockOffsetMs = 0, pauseEvery = 10): Child {
    const child = startFixture('ledgerWriter.ts', [dir, name, String(count), String(clockOffsetMs), String(pauseEvery)]);
    children.push(child);
    return child;
  }

  async function startTogether(...writers: Child[]): Promise<void> {
    await Promise.all(writers.map((w) => w.waitFor('ready')));
    for (const w of writers) w.proc.stdin.write('go\n');
  }

  it('two processes appending 500 records each at once end with exactly 1,000', async () => {
    const a = writer('A', 500);
    const b = writer('B', 500);
    await startTogether(a, b);
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    assert.equal(ea.code, 0, ea.stderr);
    assert.equal(eb.code, 0, eb.stderr);

    const snap = await new SpendLedger(dir).read();
    assert.equal(snap.records.length, 1000);
    assert.equal(snap.skippedLines, 0);
    assert.equal(snap.duplicateLines, 0);
    assert.equal(new Set(snap.records.map((r) => r.id)).size, 1000);
    for (const name of ['A', 'B']) {
      const seqs = snap.records.filter((r) => r.requestId!.startsWith(`${name}:`)).map((r) => Number(r.requestId!.slice(2)));
      assert.deepEqual(seqs, Array.from({ length: 500 }, (_, i) => i), `${name}'s records all present, in its order`);
    }
    // The writers really overlapped: file order switches between them.
    const order = snap.records.map((r) => r.requestId![0]);
    const switches = order.filter((w, i) => i > 0 && w !== order[i - 1]).length;
    assert.ok(switches >= 2, `expected interleaved writes, got ${switches} switches`);
  });

  it('a process killed in the middle of a line leaves a readable ledger that never counts the partial line', async () => {
    const torn = startFixture('tornWriter.ts', [dir, '5']);
    children.push(torn);
    await torn.waitFor('tearing');
    torn.proc.kill('SIGKILL');
    const exit = await torn.exited;
    assert.equal(exit.signal, 'SIGKILL');

    const ledger = new SpendLedger(dir);
    const snap = await ledger.read();
    assert.deepEqual(snap.records.map((r) => r.requestId), ['good:0', 'good:1', 'good:2', 'good:3', 'good:4']);
    assert.ok(!snap.records.some((r) => r.id === 'torn'));
    const segment = fs.readdirSync(dir).find((f) => f.startsWith('events-'))!;
    assert.ok(fs.readFileSync(path.join(dir, segment), 'utf8').includes('{"id":"torn"'), 'the partial line is in the file');

    // Appending after the wreck works, and the new record is not swallowed by the torn line.
    ledger.append({
      workspace: 'ws', route: 'cloud', command: 'refactor', model: 'gpt-5.4-mini',
      inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0,
      costMicros: 1, requestId: 'after-crash', source: 'reported',
    });
    const again = await ledger.read();
    assert.equal(again.records.length, 6);
    assert.equal(again.records[5].requestId, 'after-crash');
    assert.equal(again.skippedLines, 1, 'the torn line, now terminated, is skipped');
  });

  it('a process killed at a random point while appending loses at most the record in flight', async () => {
    const child = writer('K', 100_000, 0, 0);
    await startTogether(child);
    await child.waitFor('appended 300');
    child.proc.kill('SIGKILL');
    await child.exited;
    const reported = Math.max(...[...child.output().matchAll(/appended (\d+)/g)].map((m) => Number(m[1])));

    const snap = await new SpendLedger(dir).read();
    assert.ok(snap.records.length >= reported && snap.records.length <= reported + 1,
      `read ${snap.records.length} records, the child reported ${reported}`);
    assert.ok(snap.skippedLines <= 1);
    const seqs = snap.records.map((r) => Number(r.requestId!.slice(2)));
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i), 'no gaps, no duplicates');
  });

  it('appends racing repeated roll-ups lose nothing and count nothing twice', async () => {
    // The writers' clocks are 40 days behind (a skewed clock is the only way a live writer reaches
    // a day old enough to roll up), so the roll-ups claim the very files they are appending to.
    const a = writer('A', 300, -40 * DAY, 2);
    const b = writer('B', 300, -40 * DAY, 2);
    const roller = new SpendLedger(dir, { keepDays: 35, claimRetentionMs: 60 * 60_000 });
    await startTogether(a, b);

    let rollUps = 0;
    let running = true;
    const exits = Promise.all([a.exited, b.exited]).finally(() => (running = false));
    while (running && rollUps < 500) {
      const outcome = await roller.rollUp();
      assert.notEqual(outcome.kind, 'lostLock');
      if (outcome.kind === 'done') rollUps++;
      const snap = await roller.read();
      const count = snap.records.length + snap.rollups.reduce((n, x) => n + x.count, 0);
      assert.ok(count <= 600, `never more than was written (read ${count})`);
    }
    for (const e of await exits) assert.equal(e.code, 0, e.stderr);
    assert.ok(rollUps >= 2, `roll-ups ran during the writes (${rollUps})`);

    // Once the writers are gone, a roll-up with no retention window folds the last tails, and the
    // next one deletes every claimed file (they no longer change).
    const later = new SpendLedger(dir, { keepDays: 35, claimRetentionMs: 0 });
    await later.rollUp();
    await later.rollUp();
    const snap = await later.read();
    const count = snap.records.length + snap.rollups.reduce((n, x) => n + x.count, 0);
    const cost = snap.records.reduce((n, r) => n + r.costMicros!, 0) + snap.rollups.reduce((n, x) => n + x.costMicros, 0);
    assert.equal(count, 600);
    assert.equal(cost, 2 * (300 * 301) / 2, 'every record folded exactly once');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('claimed-') || f.startsWith('events-')), []);
  });
  it('a reset while two processes append leaves a clean ledger: each writer keeps an unbroken run of its latest records', async () => {
    const a = writer('A', 400, 0, 1);
    const b = writer('B', 400, 0, 1);
    const ledger = new SpendLedger(dir);
    await startTogether(a, b);
    await Promise.all([a.waitFor('appended 100'), b.waitFor('appended 100')]);
    const outcome = await ledger.clear();
    assert.equal(outcome.kind, 'done');
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    assert.equal(ea.code, 0, ea.stderr);
    assert.equal(eb.code, 0, eb.stderr);

    const snap = await ledger.read();
    assert.equal(snap.skippedLines, 0, 'no torn or mixed line');
    assert.equal(snap.duplicateLines, 0);
    assert.deepEqual(snap.rollups, []);
    for (const name of ['A', 'B']) {
      const seqs = snap.records.filter((r) => r.requestId!.startsWith(`${name}:`)).map((r) => Number(r.requestId!.slice(2)));
      assert.ok(seqs.length > 0 && seqs.length < 400, `${name}: the reset removed its early records only (${seqs.length} left)`);
      const first = seqs[0];
      assert.deepEqual(seqs, Array.from({ length: 400 - first }, (_, i) => first + i), `${name}: everything after the reset, no gaps`);
      assert.ok(first >= 100, `${name}: records reported before the reset are gone (first kept: ${first})`);
    }
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('cleared-')), [], 'renamed files were deleted');
  });
});

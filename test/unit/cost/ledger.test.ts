import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodeLine, type NewSpendRecord, SpendLedger } from '../../../src/core/cost/ledger';
import type { DayAggregate, SpendRecord } from '../../../src/core/cost/spendRecord';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 4, 20, 12, 0, 0);

function record(overrides: Partial<NewSpendRecord> = {}): NewSpendRecord {
  return {
    workspace: 'ws',
    route: 'cloud',
    command: 'refactor',
    model: 'gpt-5.4-mini',
    inputTokens: 1000,
    cachedInputTokens: 200,
    outputTokens: 300,
    reasoningTokens: 50,
    costMicros: 2000,
    requestId: 'req_1',
    source: 'reported',
    ...overrides,
  };
}

/** A record as the ledger would store it, for writing damaged files by hand. */
function stored(overrides: Partial<SpendRecord> = {}): SpendRecord {
  return { ...record(), id: 'id', time: NOW, ...overrides };
}

function totals(records: readonly SpendRecord[], rollups: readonly DayAggregate[]) {
  return {
    count: records.length + rollups.reduce((n, a) => n + a.count, 0),
    costMicros: records.reduce((n, r) => n + (r.costMicros ?? 0), 0) + rollups.reduce((n, a) => n + a.costMicros, 0),
    unknown: records.filter((r) => r.costMicros === null).length + rollups.reduce((n, a) => n + a.unknownCostCount, 0),
  };
}

describe('SpendLedger (one process)', () => {
  let dir: string;
  let now: number;
  const clock = { now: () => now };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-ledger-'));
    now = NOW;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips records and fills in id and time; a new instance (restart) reads the same', async () => {
    const ledger = new SpendLedger(dir, { clock });
    const a = ledger.append(record());
    now += 1000;
    const b = ledger.append(record({ costMicros: null, requestId: undefined, source: 'estimated', model: 'mystery' }));
    assert.equal(a.time, NOW);
    assert.equal(b.time, NOW + 1000);
    assert.notEqual(a.id, b.id);
    assert.ok(!('requestId' in b), 'undefined optional fields are not stored');

    const snap = await new SpendLedger(dir, { clock }).read();
    assert.deepEqual(snap.records, [a, b]);
    assert.equal(snap.skippedLines, 0);
    assert.equal(snap.duplicateLines, 0);
    assert.equal(snap.consistent, true);
  });

  it('rejects a malformed record instead of writing it', () => {
    const ledger = new SpendLedger(dir, { clock });
    assert.throws(() => ledger.append(record({ inputTokens: -1 })), TypeError);
    assert.throws(() => ledger.append(record({ costMicros: 1.5 })), TypeError);
    assert.equal(fs.existsSync(ledger.currentSegmentPath()), false);
  });

  it('reads an empty or missing directory as an empty ledger', async () => {
    const snap = await new SpendLedger(path.join(dir, 'never-created'), { clock }).read();
    assert.deepEqual(snap.records, []);
    assert.deepEqual(snap.rollups, []);
  });

  it('skips a torn line and still counts the record appended right after it', async () => {
    const ledger = new SpendLedger(dir, { clock });
    const first = ledger.append(record({ requestId: 'before' }));
    // What a process killed mid-write leaves: the start of a line, no newline.
    fs.appendFileSync(ledger.currentSegmentPath(), encodeLine(stored({ id: 'torn' })).slice(0, 60));
    const after = ledger.append(record({ requestId: 'after' }));

    const snap = await ledger.read();
    assert.deepEqual(snap.records.map((r) => r.requestId), ['before', 'after']);
    assert.deepEqual(snap.records, [first, after]);
    assert.equal(snap.skippedLines, 1);
  });

  it('does not count a final line that lacks its newline, even with a valid checksum', async () => {
    const ledger = new SpendLedger(dir, { clock });
    ledger.append(record({ requestId: 'complete' }));
    const whole = encodeLine(stored({ id: 'unterminated' }));
    fs.appendFileSync(ledger.currentSegmentPath(), whole.slice(0, -1));
    assert.deepEqual((await ledger.read()).records.map((r) => r.id).includes('unterminated'), false);
    // The next append's leading newline completes it: every byte of the record had been written.
    ledger.append(record({ requestId: 'next' }));
    assert.deepEqual((await ledger.read()).records.map((r) => r.requestId), ['complete', 'req_1', 'next']);
  });

  it('skips lines whose checksum does not match or whose JSON is not a record', async () => {
    const ledger = new SpendLedger(dir, { clock });
    ledger.append(record({ requestId: 'kept' }));
    const file = ledger.currentSegmentPath();
    const tampered = encodeLine(stored({ id: 'x' })).replace('"costMicros":2000', '"costMicros":1');
    const notRecord = `\n{"hello":1}\t0000000000000000\n`;
    fs.appendFileSync(file, tampered + notRecord + '\ngarbage without tab\n');
    const snap = await ledger.read();
    assert.deepEqual(snap.records.map((r) => r.requestId), ['kept']);
    assert.equal(snap.skippedLines, 3);
  });

  it('counts a record once when its id was written twice (a retried append)', async () => {
    const ledger = new SpendLedger(dir, { clock });
    ledger.append(record({ id: 'same' }));
    ledger.append(record({ id: 'same', costMicros: 999 }));
    const snap = await ledger.read();
    assert.equal(snap.records.length, 1);
    assert.equal(snap.records[0].costMicros, 2000, 'the first copy wins');
    assert.equal(snap.duplicateLines, 1);
  });

  it('writes one file per UTC day and reads only days from sinceMs on', async () => {
    const ledger = new SpendLedger(dir, { clock });
    for (let d = 3; d >= 0; d--) {
      now = NOW - d * DAY;
      ledger.append(record({ requestId: `day-${d}` }));
    }
    assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith('events-')).length, 4);
    const snap = await ledger.read({ sinceMs: NOW - 1 * DAY });
    assert.deepEqual(snap.records.map((r) => r.requestId), ['day-1', 'day-0']);
  });

  describe('roll-up', () => {
    function fill(ledger: SpendLedger, days: number): number {
      let appended = 0;
      for (let d = days; d >= 0; d--) {
        now = NOW - d * DAY;
        for (let i = 0; i < 3; i++) {
          ledger.append(record({ costMicros: i === 2 ? null : 1000 + d, source: i === 1 ? 'estimated' : 'reported' }));
          appended++;
        }
      }
      now = NOW;
      return appended;
    }

    it('folds days older than keepDays into per-day aggregates without changing any total', async () => {
      const ledger = new SpendLedger(dir, { clock, keepDays: 35 });
      const appended = fill(ledger, 45);
      const before = await ledger.read();
      assert.equal(before.records.length, appended);

      const outcome = await ledger.rollUp();
      assert.equal(outcome.kind, 'done');
      if (outcome.kind === 'done') {
        assert.equal(outcome.claimedFiles, 10, 'days 36..45 are older than the cutoff');
        assert.equal(outcome.foldedRecords, 30);
      }
      const after = await ledger.read();
      assert.deepEqual(totals(after.records, after.rollups), totals(before.records, []));
      assert.equal(after.records.length, 36 * 3);
      assert.ok(after.records.every((r) => r.time >= NOW - 35 * DAY));
      assert.equal(after.rollups.length, 10);
      const oldest = after.rollups[0];
      assert.deepEqual(
        { day: oldest.day, count: oldest.count, costMicros: oldest.costMicros, unknown: oldest.unknownCostCount, estimated: oldest.estimatedCount },
        { day: '2026-04-05', count: 3, costMicros: 2 * 1045, unknown: 1, estimated: 1 },
      );
      assert.equal(oldest.inputTokens, 3000);

      // A second roll-up finds nothing new and changes nothing.
      const again = await ledger.rollUp();
      assert.deepEqual(again.kind === 'done' && again.foldedRecords, 0);
      const third = await ledger.read();
      assert.deepEqual(totals(third.records, third.rollups), totals(before.records, []));
    });

    it('deletes claimed files only after they stopped changing for claimRetentionMs', async () => {
      const ledger = new SpendLedger(dir, { clock, keepDays: 35, claimRetentionMs: 60_000 });
      const appended = fill(ledger, 40);
      await ledger.rollUp();
      const claimed = () => fs.readdirSync(dir).filter((f) => f.startsWith('claimed-'));
      assert.equal(claimed().length, 5);
      now += 59_000;
      await ledger.rollUp();
      assert.equal(claimed().length, 5, 'still inside the retention window');
      now += 2_000;
      const outcome = await ledger.rollUp();
      assert.deepEqual(outcome.kind === 'done' && outcome.deletedFiles, 5);
      assert.equal(claimed().length, 0);
      const snap = await ledger.read();
      assert.equal(totals(snap.records, snap.rollups).count, appended);
    });

    it('counts, then folds, a record written into a file after the roll-up claimed it', async () => {
      const ledger = new SpendLedger(dir, { clock, keepDays: 35 });
      const appended = fill(ledger, 40);
      await ledger.rollUp();
      // A writer that opened the day file just before the rename writes into the claimed file.
      const claimedFile = fs.readdirSync(dir).find((f) => f.startsWith('claimed-'))!;
      const late = stored({ costMicros: 7, id: 'late', time: NOW - 40 * DAY });
      fs.appendFileSync(path.join(dir, claimedFile), encodeLine(late));

      const read1 = await ledger.read();
      assert.ok(read1.records.some((r) => r.id === 'late'), 'the tail past the folded bytes is counted');
      assert.equal(totals(read1.records, read1.rollups).count, appended + 1);

      const outcome = await ledger.rollUp();
      assert.deepEqual(outcome.kind === 'done' && outcome.foldedRecords, 1);
      const read2 = await ledger.read();
      assert.ok(!read2.records.some((r) => r.id === 'late'));
      assert.deepEqual(totals(read2.records, read2.rollups), totals(read1.records, read1.rollups));
    });

    it('recovers from a roll-up that crashed between claiming a file and committing', async () => {
      const ledger = new SpendLedger(dir, { clock, keepDays: 35 });
      const appended = fill(ledger, 37);
      // The crash: a day file renamed to a claimed name, rollup.json never written.
      const oldest = fs.readdirSync(dir).find((f) => f.startsWith('events-'))!;
      const day = oldest.slice('events-'.length, 'events-'.length + 10);
      fs.renameSync(path.join(dir, oldest), path.join(dir, `claimed-${day}-0b3e3a4c-1111-4222-8333-944455556666.jsonl`));

      const read1 = await ledger.read();
      assert.equal(read1.records.length, appended, 'an uncommitted claim is still counted as records');
      await ledger.rollUp();
      const read2 = await ledger.read();
      assert.deepEqual(totals(read2.records, read2.rollups), totals(read1.records, []));
      assert.equal(read2.rollups.reduce((n, a) => n + a.count, 0), 6, 'the adopted file and the other old day');
    });

    it('removes temp files a crashed roll-up left behind', async () => {
      const ledger = new SpendLedger(dir, { clock });
      fill(ledger, 1);
      fs.writeFileSync(path.join(dir, 'rollup.json.dead.tmp'), '{"partial');
      await ledger.rollUp();
      assert.equal(fs.existsSync(path.join(dir, 'rollup.json.dead.tmp')), false);
    });

    it('is busy while another process holds a fresh lock, and breaks a stale one', async () => {
      const ledger = new SpendLedger(dir, { clock, lockStaleMs: 60_000 });
      fill(ledger, 40);
      const lock = path.join(dir, 'rollup.lock');
      fs.mkdirSync(lock);
      assert.deepEqual(await ledger.rollUp(), { kind: 'busy' });
      assert.ok(fs.readdirSync(dir).every((f) => !f.startsWith('claimed-')), 'nothing touched while busy');

      const old = new Date(Date.now() - 120_000);
      fs.utimesSync(lock, old, old);
      const outcome = await ledger.rollUp();
      assert.equal(outcome.kind, 'done');
      assert.equal(fs.existsSync(lock), false, 'the lock is released afterwards');
    });

    it('breaks a fresh roll-up lock at once when the window that took it has died', async () => {
      const ledger = new SpendLedger(dir, { clock, lockStaleMs: 60_000 });
      fill(ledger, 40);
      const lock = path.join(dir, 'rollup.lock');
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'owner'), `${spawnSync(process.execPath, ['-e', '']).pid}:crashed`);
      assert.equal((await ledger.rollUp()).kind, 'done');
      assert.equal(fs.existsSync(lock), false);
    });

    it('refuses to roll up over an unreadable rollup.json, and says so on read', async () => {
      const ledger = new SpendLedger(dir, { clock });
      const appended = fill(ledger, 40);
      fs.writeFileSync(path.join(dir, 'rollup.json'), '{not json');
      const outcome = await ledger.rollUp();
      assert.equal(outcome.kind, 'rollupUnreadable');
      const snap = await ledger.read();
      assert.equal(snap.rollupUnreadable, true);
      assert.equal(snap.records.length, appended, 'no day file was claimed');
    });

    it('keeps local records apart from cloud ones in the aggregates', async () => {
      const ledger = new SpendLedger(dir, { clock });
      now = NOW - 50 * DAY;
      ledger.append(record({ route: 'local', command: 'inline', model: 'qwen2.5-coder', costMicros: 0, localEvent: 'shown', latencyMs: 120 }));
      ledger.append(record({ route: 'local', command: 'inline', model: 'qwen2.5-coder', costMicros: 0, localEvent: 'accepted' }));
      ledger.append(record());
      now = NOW;
      await ledger.rollUp();
      const snap = await ledger.read();
      assert.deepEqual(
        snap.rollups.map((a) => [a.route, a.localEvent ?? '-', a.count]).sort(),
        [['cloud', '-', 1], ['local', 'accepted', 1], ['local', 'shown', 1]],
      );
    });
  });
  describe('clear (reset)', () => {
    it('removes records and roll-ups; later appends are counted from zero', async () => {
      const ledger = new SpendLedger(dir, { clock });
      now = NOW - 50 * DAY;
      ledger.append(record({ requestId: 'old' }));
      now = NOW;
      await ledger.rollUp();
      ledger.append(record({ requestId: 'today' }));
      const before = await ledger.read();
      assert.equal(before.records.length, 1);
      assert.equal(before.rollups.length, 1);

      const outcome = await ledger.clear();
      assert.equal(outcome.kind, 'done');
      const after = await new SpendLedger(dir, { clock }).read();
      assert.deepEqual(after.records, []);
      assert.deepEqual(after.rollups, []);
      assert.equal(after.consistent, true);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f !== 'rollup.json'), [], 'no day, claimed or renamed file is left');

      const fresh = ledger.append(record({ requestId: 'after' }));
      assert.deepEqual((await ledger.read()).records, [fresh]);
    });

    it('repairs an unreadable rollup.json', async () => {
      const ledger = new SpendLedger(dir, { clock });
      ledger.append(record());
      fs.writeFileSync(path.join(dir, 'rollup.json'), '{not json');
      assert.equal((await ledger.read()).rollupUnreadable, true);
      await ledger.clear();
      const snap = await ledger.read();
      assert.equal(snap.rollupUnreadable, false);
      assert.equal(snap.records.length, 0);
    });

    it('waits for a roll-up lock held elsewhere, and gives up with "busy" rather than racing it', async () => {
      const ledger = new SpendLedger(dir, { clock });
      ledger.append(record());
      fs.mkdirSync(path.join(dir, 'rollup.lock'));
      fs.writeFileSync(path.join(dir, 'rollup.lock', 'owner'), 'someone-else');
      assert.deepEqual(await ledger.clear({ lockWaitMs: 200 }), { kind: 'busy' });
      assert.equal((await ledger.read()).records.length, 1, 'nothing was removed');
      fs.rmSync(path.join(dir, 'rollup.lock'), { recursive: true });
      assert.equal((await ledger.clear()).kind, 'done');
      assert.equal((await ledger.read()).records.length, 0);
    });

    it('every reset moves the roll-up generation on, so a read racing it retries instead of mixing states', async () => {
      const ledger = new SpendLedger(dir, { clock });
      ledger.append(record());
      const gen = () => JSON.parse(fs.readFileSync(path.join(dir, 'rollup.json'), 'utf8')).generation as number;
      await ledger.clear();
      const first = gen();
      await ledger.clear();
      assert.equal(gen(), first + 1);
    });

    it('a later roll-up removes files a crashed reset renamed away but never deleted', async () => {
      const ledger = new SpendLedger(dir, { clock });
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'cleared-0000-events-2026-05-20.jsonl'), encodeLine(stored({ id: 'gone' })));
      assert.equal((await ledger.read()).records.length, 0, 'never counted');
      await ledger.rollUp();
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('cleared-')), []);
    });
  });
});

// Budget reservations in one process: the lock they share with other windows (the concurrent-process
// cases are in budgetConcurrency.test.ts).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BudgetReservations, type ReserveRequest } from '../../../src/core/cost/budgetReservations';
import { SpendLedger } from '../../../src/core/cost/ledger';

/** A ledger that runs `onRead` at the start of its next read (inside the reservation lock). */
class HookedLedger extends SpendLedger {
  onRead: (() => void) | undefined;
  override read(options: { sinceMs?: number } = {}): ReturnType<SpendLedger['read']> {
    const hook = this.onRead;
    this.onRead = undefined;
    hook?.();
    return super.read(options);
  }
}

const request = (ceilingMicros: number): ReserveRequest => ({
  ceilingMicros,
  priceKnown: true,
  budget: { dailyUsd: 0.01, warnAtFraction: 0.8, hardStop: true },
  ttlMs: 60_000,
});

describe('BudgetReservations (lock)', () => {
  let dir: string;
  let ledger: HookedLedger;
  let lockDir: string;
  const reservationFiles = () => fs.readdirSync(path.join(ledger.dir, 'reservations')).filter((n) => n.endsWith('.json'));
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-reserve-'));
    ledger = new HookedLedger(path.join(dir, 'ledger'));
    lockDir = path.join(ledger.dir, 'reservations', 'lock');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reservations made at once count against each other: a $0.01 cap admits three 3,000-micro ceilings', async () => {
    const reservations = new BudgetReservations(ledger);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => reservations.reserve(request(3_000))));
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['refused', 'refused', 'refused', 'reserved', 'reserved', 'reserved']);
    assert.equal(reservationFiles().length, 3);
    assert.equal(fs.existsSync(lockDir), false, 'the lock is released');
  });

  it('breaks a lock left by a window that died, at once', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    fs.mkdirSync(lockDir, { recursive: true });
    fs.writeFileSync(path.join(lockDir, 'owner'), `${dead}:crashed`);
    const reservations = new BudgetReservations(ledger, { lockWaitMs: 100, lockStaleMs: 60_000 });
    assert.equal((await reservations.reserve(request(3_000))).kind, 'reserved');
  });

  it('is busy, and reserves nothing, while a live window holds the lock past lockWaitMs', async () => {
    fs.mkdirSync(lockDir, { recursive: true });
    fs.writeFileSync(path.join(lockDir, 'owner'), `${process.ppid}:busy`);
    const reservations = new BudgetReservations(ledger, { lockWaitMs: 100, lockStaleMs: 60_000 });
    assert.deepEqual(await reservations.reserve(request(3_000)), { kind: 'busy' });
    assert.deepEqual(reservationFiles(), []);
    assert.equal(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8'), `${process.ppid}:busy`, 'the other lock is left alone');
  });

  it('reserves nothing when its lock was broken during the check (another window now decides)', async () => {
    const reservations = new BudgetReservations(ledger);
    ledger.onRead = () => {
      // Another window judged this check's lock stale, broke it and took its own.
      fs.rmSync(lockDir, { recursive: true });
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'owner'), `${process.ppid}:other`);
    };
    assert.deepEqual(await reservations.reserve(request(3_000)), { kind: 'busy' });
    assert.deepEqual(reservationFiles(), []);
    assert.equal(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8'), `${process.ppid}:other`, 'the new holder keeps its lock');
  });
});

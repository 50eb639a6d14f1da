// Budget reservations: the hard stop under concurrency. Every VS Code window shares one ledger, so
// "spent + this request's ceiling <= cap" checked against the ledger alone lets N windows that
// check at the same moment all pass and together overspend by up to N-1 ceilings. Before a send,
// the caller therefore RESERVES the request's ceiling: under a lock shared by every process (a
// mkdir lock in the ledger directory, fileLock.ts), the budget is checked against recorded spend
// PLUS every live reservation, and on success a reservation file is written before the lock is
// released.
//
// A reservation ends in one of three ways: settled (the spend record with the reported usage is
// appended, then the file is removed: for a moment both count, which errs on the safe side),
// released (nothing was charged: refused, cancelled before sending, no connection), or expired
// (its process died, or it outlived `ttlMs`): expired files are removed by the next reserver.
//
// Without caps there is nothing to protect, so no lock is taken and no file written; the
// reservation still carries its ceiling so a send whose usage never came back is charged at it.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BudgetSettings } from '../shared/budgetPolicy';
import { systemWallClock, type WallClock } from '../shared/clock';
import { checkBudget, type BudgetDecision } from './budget';
import { acquireFileLock, processIsAlive } from './fileLock';
import type { NewSpendRecord, SpendLedger } from './ledger';
import { summarize } from './spendSummary';

export interface ReserveRequest {
  /** The request's pre-flight ceiling (micro-dollars); 0 when the price is unknown. */
  ceilingMicros: number;
  priceKnown: boolean;
  budget: Readonly<BudgetSettings>;
  /** How long the request may run at most; the reservation expires after this even if its process lives. */
  ttlMs: number;
}

export type ReserveOutcome =
  | { kind: 'reserved'; reservation: Reservation; decision: BudgetDecision }
  | { kind: 'refused'; decision: Extract<BudgetDecision, { kind: 'refuse' }> }
  /** Another process held the lock the whole wait; nothing was reserved. */
  | { kind: 'busy' };

export interface Reservation {
  readonly id: string;
  readonly ceilingMicros: number;
  /** Appends the spend record, then ends the reservation. Never throws; returns the write error, if any. */
  settle(record: NewSpendRecord): Promise<Error | undefined>;
  /** Ends the reservation without a charge. Never throws. */
  release(): Promise<void>;
}

export interface ReservationOptions {
  clock?: WallClock;
  /** This process's id (written into the reservation, checked by others). */
  pid?: number;
  /** Whether a process id still runs; by default `process.kill(pid, 0)`. */
  isAlive?: (pid: number) => boolean;
  /** How long to wait for another process's lock (default 10 s). */
  lockWaitMs?: number;
  /** A lock older than this, or whose owner died, is broken (default 10 s). */
  lockStaleMs?: number;
}

interface ReservationFile {
  id: string;
  pid: number;
  micros: number;
  time: number;
  expiresAt: number;
}

const LOCK = 'lock';
/** Days of ledger records read for the check: the month so far, plus margin for time zones. */
const LOOKBACK_MS = 32 * 86_400_000;

export class BudgetReservations {
  readonly dir: string;
  private readonly clock: WallClock;
  private readonly pid: number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly lockWaitMs: number;
  private readonly lockStaleMs: number;

  constructor(private readonly ledger: SpendLedger, options: ReservationOptions = {}) {
    this.dir = path.join(ledger.dir, 'reservations');
    this.clock = options.clock ?? systemWallClock;
    this.pid = options.pid ?? process.pid;
    this.isAlive = options.isAlive ?? processIsAlive;
    this.lockWaitMs = options.lockWaitMs ?? 10_000;
    this.lockStaleMs = options.lockStaleMs ?? 10_000;
  }

  async reserve(req: ReserveRequest): Promise<ReserveOutcome> {
    const ceiling = req.priceKnown ? Math.max(0, Math.ceil(req.ceilingMicros)) : 0;
    const hasCap = isCap(req.budget.dailyUsd) || isCap(req.budget.monthlyUsd);
    if (!hasCap) {
      const now = this.clock.now();
      const { records } = await this.ledger.read({ sinceMs: now - LOOKBACK_MS });
      const decision = checkBudget(summarize(records, now), ceiling, req.priceKnown, req.budget);
      if (decision.kind === 'refuse') return { kind: 'refused', decision };
      return { kind: 'reserved', reservation: this.handle(randomUUID(), ceiling, undefined), decision };
    }
    const lock = await acquireFileLock(path.join(this.dir, LOCK), {
      waitMs: this.lockWaitMs,
      staleMs: this.lockStaleMs,
      pid: this.pid,
      isAlive: this.isAlive,
    });
    if (lock === undefined) return { kind: 'busy' };
    try {
      const now = this.clock.now();
      const outstanding = await this.liveReservationsMicros(now);
      const { records } = await this.ledger.read({ sinceMs: now - LOOKBACK_MS });
      const summary = summarize(records, now);
      // Reservations are spending that has not been recorded yet: today's and this month's.
      summary.today.costMicros += outstanding;
      summary.thisMonth.costMicros += outstanding;
      const decision = checkBudget(summary, ceiling, req.priceKnown, req.budget);
      if (decision.kind === 'refuse') return { kind: 'refused', decision };
      // A check that outlasted lockStaleMs may have lost the lock to another window, which then
      // checked without counting this request: writing now could overspend, so nothing is reserved.
      if (!(await lock.stillHeld())) return { kind: 'busy' };
      const id = randomUUID();
      const file = path.join(this.dir, `${id}.json`);
      const content: ReservationFile = { id, pid: this.pid, micros: ceiling, time: now, expiresAt: now + req.ttlMs };
      const temp = `${file}.tmp`;
      await fs.promises.writeFile(temp, JSON.stringify(content));
      await fs.promises.rename(temp, file);
      return { kind: 'reserved', reservation: this.handle(id, ceiling, file), decision };
    } finally {
      await lock.release();
    }
  }

  /** Sum of the ceilings of live reservations; expired ones are removed. Call under the lock. */
  private async liveReservationsMicros(now: number): Promise<number> {
    let total = 0;
    for (const name of await fs.promises.readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      let r: ReservationFile | undefined;
      try {
        r = JSON.parse(await fs.promises.readFile(file, 'utf8')) as ReservationFile;
      } catch {
        continue; // vanished (settled meanwhile) or unreadable: not counted
      }
      const expired = typeof r.micros !== 'number' || now > r.expiresAt || (r.pid !== this.pid && !this.isAlive(r.pid));
      if (expired) await fs.promises.rm(file, { force: true });
      else total += r.micros;
    }
    return total;
  }

  private handle(id: string, ceilingMicros: number, file: string | undefined): Reservation {
    let ended = false;
    const end = async () => {
      if (ended || file === undefined) return;
      ended = true;
      await fs.promises.rm(file, { force: true }).catch(() => undefined);
    };
    return {
      id,
      ceilingMicros,
      settle: async (record) => {
        let error: Error | undefined;
        try {
          this.ledger.append(record);
        } catch (e) {
          error = e instanceof Error ? e : new Error(String(e));
        }
        // Only once the record is in the ledger (or could not be written: then the reservation
        // stays until it expires, so the money still counts against the cap).
        if (error === undefined) await end();
        return error;
      },
      release: end,
    };
  }
}

function isCap(v: number | undefined): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

// The spend ledger: append-only JSON-lines files in one directory, shared by every VS Code window.
//
// Appends take no lock. Each record is ONE write() of a whole line on an O_APPEND descriptor, which
// the kernel places at the end of the file as a unit, so two windows never interleave or overwrite
// each other. Each line is "\n<json>\t<checksum>\n": a process killed mid-write leaves a torn line
// whose checksum fails (skipped, never counted), and the leading "\n" of the next append ends that
// torn line so it cannot swallow the good record written after it. Ids make a retried write harmless.
//
// Records go to a file per UTC day of the writer's clock (events-YYYY-MM-DD.jsonl). Days older than
// `keepDays` are rolled up into per-day aggregates (rollup.json), under a mkdir lock, without ever
// rewriting a file an appender may still write to:
//   1. the roll-up RENAMES the old day file to claimed-<day>-<uuid>.jsonl (new appends, which only a
//      skewed clock would send to that day, create a fresh file);
//   2. it folds the claimed file's complete lines into the aggregates and commits rollup.json
//      (temp + rename) listing the file and how many bytes were folded;
//   3. readers skip those bytes, but still count anything appended after them (a writer that opened
//      the file just before the rename), and a later roll-up folds that tail;
//   4. the claimed file is deleted only once it has not changed for `claimRetentionMs`, and before
//      the commit that forgets it, so a crash in between never counts it twice.
// Readers compare rollup.json's generation before and after reading (and retry if a file vanished),
// so a read racing a roll-up sees either the old or the new state, never a mix.
// The window left open: a writer that opened a day file before its rename and then stalled for
// longer than `claimRetentionMs` before its write() would write into a deleted file. Only a clock
// `keepDays` off sends a live writer to such a day at all, so this is accepted, not locked against
// (a lock on every append would make a crashed window stall all the others).

import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acquireFileLock, type FileLock } from './fileLock';
import { type DayAggregate, isDayAggregate, isSpendRecord, type SpendRecord } from './spendRecord';
import { systemWallClock, type WallClock } from '../shared/clock';
import { dayKey } from './wallClock';

/** What a caller supplies; id and time are filled in when absent. */
export type NewSpendRecord = Omit<SpendRecord, 'id' | 'time'> & { id?: string; time?: number };

export interface LedgerOptions {
  clock?: WallClock;
  /** Days kept as individual records before roll-up (default 35: the current month plus margin). */
  keepDays?: number;
  /**
   * A roll-up lock older than this is taken to belong to a crashed process (default 60 s); one
   * whose owner process is gone is broken at once.
   */
  lockStaleMs?: number;
  /** How long a claimed file must stay unchanged before it is deleted (default 10 min). */
  claimRetentionMs?: number;
}

export interface LedgerSnapshot {
  records: SpendRecord[];
  rollups: DayAggregate[];
  /** Torn, corrupt or unrecognised lines: present in the files, never counted. */
  skippedLines: number;
  /** Second copies of an id already read. */
  duplicateLines: number;
  /** False when roll-ups kept changing under the read (retries ran out); the data is best effort. */
  consistent: boolean;
  /** rollup.json exists but could not be parsed; its aggregates are missing from this snapshot. */
  rollupUnreadable: boolean;
}

export type ClearOutcome =
  | { kind: 'done'; removedFiles: number }
  /** A roll-up in another window held the lock the whole time; nothing was removed. */
  | { kind: 'busy' }
  | { kind: 'lostLock' };

export type RollUpOutcome =
  | { kind: 'done'; claimedFiles: number; foldedRecords: number; deletedFiles: number }
  | { kind: 'busy' }
  | { kind: 'lostLock' }
  | { kind: 'rollupUnreadable'; detail: string };

interface ConsumedFile {
  file: string;
  /** Bytes from the start already folded into `days` (always just after a newline). */
  bytes: number;
  /** The file's size when last looked at. */
  size: number;
  /** Clock time the file was claimed or last found to have changed. */
  at: number;
}

interface RollupState {
  version: 1;
  generation: number;
  days: DayAggregate[];
  consumed: ConsumedFile[];
}

const DAY_MS = 86_400_000;
const ROLLUP_FILE = 'rollup.json';
const LOCK_DIR = 'rollup.lock';
const EVENTS = /^events-(\d{4}-\d{2}-\d{2})\.jsonl$/;
const CLAIMED = /^claimed-(\d{4}-\d{2}-\d{2})-[0-9a-f-]+\.jsonl$/;
/** Files a reset has taken out of the ledger; no reader counts them, and they are deleted. */
const CLEARED_PREFIX = 'cleared-';
const READ_ATTEMPTS = 5;
/** How long appendLater collects records before one write. */
const BATCH_DELAY_MS = 500;

export class SpendLedger {
  private readonly clock: WallClock;
  private readonly keepDays: number;
  private readonly lockStaleMs: number;
  private readonly claimRetentionMs: number;
  private readonly pending: Array<{ file: string; line: string }> = [];
  private pendingErrors: (e: Error) => void = () => undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly dir: string, options: LedgerOptions = {}) {
    this.clock = options.clock ?? systemWallClock;
    this.keepDays = options.keepDays ?? 35;
    this.lockStaleMs = options.lockStaleMs ?? 60_000;
    this.claimRetentionMs = options.claimRetentionMs ?? 10 * 60_000;
  }

  /** The file the next append goes to. */
  currentSegmentPath(): string {
    return path.join(this.dir, `events-${dayKey(this.clock.now())}.jsonl`);
  }

  /**
   * Appends one record and returns it as stored. Synchronous on purpose: it is one small write, and
   * a record written before the caller moves on cannot be lost to a window closing.
   */
  append(input: NewSpendRecord): SpendRecord {
    const record = this.complete(input);
    const line = Buffer.from(encodeLine(record), 'utf8');
    const file = this.currentSegmentPath();
    fs.mkdirSync(this.dir, { recursive: true });
    // A short write (disk full) leaves a torn line; writing the whole line again is safe because the
    // leading newline isolates the torn piece and its checksum fails.
    for (let attempt = 0; ; attempt++) {
      const fd = fs.openSync(file, 'a');
      let written: number;
      try {
        written = fs.writeSync(fd, line);
      } finally {
        fs.closeSync(fd);
      }
      if (written === line.length) return record;
      if (attempt >= 2) throw new Error(`spend ledger: short write to ${file} (${written} of ${line.length} bytes)`);
    }
  }

  /**
   * Queues one record and returns it as it will be stored; a timer writes the queue in one write()
   * per day file, off the caller's path (a completion shown while typing must not wait on the
   * disk). `flushSync` on shutdown writes what is still queued. Failures go to `onError`.
   */
  appendLater(input: NewSpendRecord, onError: (e: Error) => void = () => undefined): SpendRecord {
    const record = this.complete(input);
    this.pending.push({ file: this.currentSegmentPath(), line: encodeLine(record) });
    this.pendingErrors = onError;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush().catch((e: unknown) => this.pendingErrors(e instanceof Error ? e : new Error(String(e))));
    }, BATCH_DELAY_MS);
    return record;
  }

  /** Writes queued records now, asynchronously. */
  async flush(): Promise<void> {
    for (const [file, text] of this.takePending()) {
      await fs.promises.mkdir(this.dir, { recursive: true });
      const line = Buffer.from(text, 'utf8');
      const handle = await fs.promises.open(file, 'a');
      try {
        const { bytesWritten } = await handle.write(line);
        if (bytesWritten !== line.length) throw new Error(`spend ledger: short write to ${file} (${bytesWritten} of ${line.length} bytes)`);
      } finally {
        await handle.close();
      }
    }
  }

  /** Writes queued records before the process goes away (deactivation). */
  flushSync(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const [file, text] of this.takePending()) {
      fs.mkdirSync(this.dir, { recursive: true });
      fs.appendFileSync(file, text);
    }
  }

  private takePending(): Map<string, string> {
    const byFile = new Map<string, string>();
    for (const p of this.pending.splice(0)) byFile.set(p.file, (byFile.get(p.file) ?? '') + p.line);
    return byFile;
  }

  private complete(input: NewSpendRecord): SpendRecord {
    const record = { ...input, id: input.id ?? randomUUID(), time: input.time ?? this.clock.now() };
    for (const key of Object.keys(record) as Array<keyof SpendRecord>) {
      if (record[key] === undefined) delete record[key];
    }
    if (!isSpendRecord(record)) throw new TypeError(`not a valid spend record: ${JSON.stringify(input)}`);
    return record;
  }

  /** Records whose file day is on or after `sinceMs`'s UTC day (all when absent), plus every roll-up. */
  async read(options: { sinceMs?: number } = {}): Promise<LedgerSnapshot> {
    const sinceDay = options.sinceMs === undefined ? undefined : dayKey(options.sinceMs);
    let snapshot: LedgerSnapshot | undefined;
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const before = await this.loadState();
      const result = await this.readOnce(before.state, sinceDay);
      const after = await this.loadState();
      snapshot = {
        ...result.snapshot,
        rollups: before.state.days,
        rollupUnreadable: before.unreadable !== undefined,
        consistent: true,
      };
      if (!result.vanished && after.state.generation === before.state.generation) return snapshot;
    }
    return { ...snapshot!, consistent: false };
  }

  /** Folds days older than `keepDays` into per-day aggregates. Safe to call from any window. */
  async rollUp(): Promise<RollUpOutcome> {
    const lock = await this.acquireLock(0);
    if (lock === undefined) return { kind: 'busy' };
    try {
      const loaded = await this.loadState();
      if (loaded.unreadable !== undefined) return { kind: 'rollupUnreadable', detail: loaded.unreadable };
      const state = loaded.state;
      const now = this.clock.now();
      const cutoffDay = dayKey(now - this.keepDays * DAY_MS);
      const folder = new Folder(state.days);
      let deletedFiles = 0;

      await this.removeTempFiles();

      // Tails appended to already-claimed files, and deletion of files that stopped changing.
      const keptConsumed: ConsumedFile[] = [];
      for (const entry of state.consumed) {
        const size = await fileSize(path.join(this.dir, entry.file));
        if (size === undefined) continue;
        if (size !== entry.size) {
          keptConsumed.push({ ...(await this.foldFile(entry.file, entry.bytes, folder)), at: now });
        } else if (now - entry.at >= this.claimRetentionMs) {
          // Deleted BEFORE the commit that forgets it: a crash here leaves an entry for a missing
          // file (harmless), never an unlisted file whose records would be counted again. Bytes past
          // `bytes` can only be an unterminated torn line, which no reader counts either.
          await fs.promises.rm(path.join(this.dir, entry.file), { force: true });
          deletedFiles++;
        } else {
          keptConsumed.push(entry);
        }
      }

      // Claim old day files; adopt claimed files a crashed roll-up never committed.
      const listed = new Set(state.consumed.map((c) => c.file));
      const toFold: string[] = [];
      for (const name of await this.listFiles()) {
        const events = EVENTS.exec(name);
        if (events && events[1] < cutoffDay) {
          const claimed = `claimed-${events[1]}-${randomUUID()}.jsonl`;
          try {
            await fs.promises.rename(path.join(this.dir, name), path.join(this.dir, claimed));
            toFold.push(claimed);
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        } else if (CLAIMED.test(name) && !listed.has(name)) {
          toFold.push(name);
        }
      }
      for (const file of toFold) {
        keptConsumed.push({ ...(await this.foldFile(file, 0, folder)), at: now });
      }

      if (!(await lock.stillHeld())) return { kind: 'lostLock' };
      await this.writeState({
        version: 1,
        generation: state.generation + 1,
        days: folder.aggregates(),
        consumed: keptConsumed,
      });
      return { kind: 'done', claimedFiles: toFold.length, foldedRecords: folder.folded, deletedFiles };
    } finally {
      await lock.release();
    }
  }

  /**
   * Removes every record and roll-up (the user's "reset"). Safe with other windows appending: under
   * the roll-up lock, each day and claimed file is RENAMED out of the ledger (appends after that
   * create fresh files), the roll-up state is replaced by an empty one with a new generation (so a
   * read racing the reset retries), then the renamed files are deleted. A record whose writer
   * opened its file just before the rename lands in a removed file: it happened during the reset
   * and counts as before it. `lockWaitMs` bounds the wait for a roll-up running in another window.
   */
  async clear(options: { lockWaitMs?: number } = {}): Promise<ClearOutcome> {
    const lock = await this.acquireLock(options.lockWaitMs ?? 5_000);
    if (lock === undefined) return { kind: 'busy' };
    try {
      const loaded = await this.loadState();
      const tag = randomUUID();
      const removed: string[] = [];
      for (const name of await this.listFiles()) {
        if (name.startsWith(CLEARED_PREFIX)) {
          removed.push(name);
        } else if (EVENTS.test(name) || CLAIMED.test(name)) {
          const target = `${CLEARED_PREFIX}${tag}-${name}`;
          try {
            await fs.promises.rename(path.join(this.dir, name), path.join(this.dir, target));
            removed.push(target);
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }
      }
      if (!(await lock.stillHeld())) return { kind: 'lostLock' };
      // An unreadable rollup.json is replaced too: a reset is how a user gets out of that state.
      await this.writeState({ version: 1, generation: loaded.state.generation + 1, days: [], consumed: [] });
      for (const name of removed) await fs.promises.rm(path.join(this.dir, name), { force: true });
      return { kind: 'done', removedFiles: removed.length };
    } finally {
      await lock.release();
    }
  }

  private async readOnce(
    state: RollupState,
    sinceDay: string | undefined,
  ): Promise<{ snapshot: Omit<LedgerSnapshot, 'rollups' | 'consistent' | 'rollupUnreadable'>; vanished: boolean }> {
    const consumedBytes = new Map(state.consumed.map((c) => [c.file, c.bytes]));
    const parser = new LineParser();
    for (const name of await this.listFiles()) {
      const day = EVENTS.exec(name)?.[1] ?? (CLAIMED.test(name) ? name.slice('claimed-'.length, 'claimed-'.length + 10) : undefined);
      if (day === undefined || (sinceDay !== undefined && day < sinceDay)) continue;
      let content: Buffer;
      try {
        content = await fs.promises.readFile(path.join(this.dir, name));
      } catch (e) {
        if (isNotFound(e)) return { snapshot: parser.result(), vanished: true };
        throw e;
      }
      parser.parse(content.subarray(consumedBytes.get(name) ?? 0));
    }
    return { snapshot: parser.result(), vanished: false };
  }

  /** Folds the complete lines of `file` from `offset`; says how far it folded and the size it saw. */
  private async foldFile(file: string, offset: number, folder: Folder): Promise<{ file: string; bytes: number; size: number }> {
    const content = await fs.promises.readFile(path.join(this.dir, file));
    const parser = new LineParser();
    const end = offset + parser.parse(content.subarray(offset));
    for (const record of parser.result().records) folder.add(record);
    return { file, bytes: end, size: content.length };
  }

  private async listFiles(): Promise<string[]> {
    try {
      return (await fs.promises.readdir(this.dir)).sort();
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
  }

  private async loadState(): Promise<{ state: RollupState; unreadable?: string }> {
    const empty: RollupState = { version: 1, generation: 0, days: [], consumed: [] };
    let text: string;
    try {
      text = await fs.promises.readFile(path.join(this.dir, ROLLUP_FILE), 'utf8');
    } catch (e) {
      if (isNotFound(e)) return { state: empty };
      throw e;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (isRollupState(parsed)) return { state: parsed };
      return { state: empty, unreadable: `${ROLLUP_FILE} has an unexpected shape` };
    } catch (e) {
      return { state: empty, unreadable: `${ROLLUP_FILE}: ${(e as Error).message}` };
    }
  }

  private async writeState(state: RollupState): Promise<void> {
    const target = path.join(this.dir, ROLLUP_FILE);
    const temp = path.join(this.dir, `${ROLLUP_FILE}.${randomUUID()}.tmp`);
    const handle = await fs.promises.open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(state));
      // Durable before it becomes visible: a power cut must not leave an empty rollup.json.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, target);
  }

  private async removeTempFiles(): Promise<void> {
    // Only the lock holder writes temp files, so any found now were left by a crashed roll-up.
    for (const name of await this.listFiles()) {
      // Files a reset renamed away but did not get to delete (it crashed) go as well.
      if ((name.startsWith(`${ROLLUP_FILE}.`) && name.endsWith('.tmp')) || name.startsWith(CLEARED_PREFIX)) {
        await fs.promises.rm(path.join(this.dir, name), { force: true });
      }
    }
  }

  /** The roll-up lock, which roll-ups and resets share; `waitMs` 0 tries once. */
  private acquireLock(waitMs: number): Promise<FileLock | undefined> {
    return acquireFileLock(path.join(this.dir, LOCK_DIR), { waitMs, staleMs: this.lockStaleMs });
  }
}

/** One ledger line for `record` (exported for tests that build damaged ledgers by hand). */
export function encodeLine(record: SpendRecord): string {
  const json = JSON.stringify(record);
  return `\n${json}\t${checksum(json)}\n`;
}

function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, 16);
}

/** Parses ledger bytes; keeps the first record per id. */
class LineParser {
  private readonly records: SpendRecord[] = [];
  private readonly ids = new Set<string>();
  private skipped = 0;
  private duplicates = 0;

  /**
   * Parses the newline-terminated lines of `bytes` and returns how many bytes that covered. An
   * unterminated last line is either still being written or torn by a crash: it is not a record
   * (yet), and stays outside the returned length.
   */
  parse(bytes: Buffer): number {
    const end = bytes.lastIndexOf(0x0a) + 1;
    for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
      if (line === '') continue;
      const tab = line.lastIndexOf('\t');
      const json = tab < 0 ? '' : line.slice(0, tab);
      let value: unknown;
      try {
        value = tab >= 0 && line.slice(tab + 1) === checksum(json) ? JSON.parse(json) : undefined;
      } catch {
        value = undefined;
      }
      if (!isSpendRecord(value)) {
        this.skipped++;
      } else if (this.ids.has(value.id)) {
        this.duplicates++;
      } else {
        this.ids.add(value.id);
        this.records.push(value);
      }
    }
    return end;
  }

  result(): { records: SpendRecord[]; skippedLines: number; duplicateLines: number } {
    return { records: [...this.records], skippedLines: this.skipped, duplicateLines: this.duplicates };
  }
}

/** Accumulates records into per-day aggregates, starting from the existing ones. */
class Folder {
  private readonly byKey = new Map<string, DayAggregate>();
  private readonly ids = new Set<string>();
  folded = 0;

  constructor(existing: readonly DayAggregate[]) {
    for (const a of existing) this.byKey.set(aggregateKey(a), { ...a });
  }

  add(r: SpendRecord): void {
    if (this.ids.has(r.id)) return;
    this.ids.add(r.id);
    this.folded++;
    const base: DayAggregate = {
      day: dayKey(r.time),
      workspace: r.workspace,
      route: r.route,
      command: r.command,
      model: r.model,
      count: 0,
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
      costMicros: 0,
      unknownCostCount: 0,
      estimatedCount: 0,
    };
    if (r.localEvent !== undefined) base.localEvent = r.localEvent;
    const key = aggregateKey(base);
    const a = this.byKey.get(key) ?? base;
    a.count++;
    a.inputTokens += r.inputTokens;
    a.cachedInputTokens += r.cachedInputTokens;
    a.outputTokens += r.outputTokens;
    a.reasoningTokens += r.reasoningTokens;
    if (r.costMicros === null) a.unknownCostCount++;
    else a.costMicros += r.costMicros;
    if (r.source === 'estimated') a.estimatedCount++;
    this.byKey.set(key, a);
  }

  aggregates(): DayAggregate[] {
    return [...this.byKey.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  }
}

function aggregateKey(a: DayAggregate): string {
  return JSON.stringify([a.day, a.workspace, a.route, a.command, a.model, a.localEvent ?? '']);
}

function isRollupState(v: unknown): v is RollupState {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    s.version === 1 &&
    typeof s.generation === 'number' &&
    Array.isArray(s.days) && s.days.every(isDayAggregate) &&
    Array.isArray(s.consumed) &&
    s.consumed.every((c: unknown) => {
      const e = c as Record<string, unknown> | null;
      return (
        e !== null && typeof e === 'object' && typeof e.file === 'string' &&
        typeof e.bytes === 'number' && typeof e.size === 'number' && typeof e.at === 'number'
      );
    })
  );
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await fs.promises.stat(file)).size;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

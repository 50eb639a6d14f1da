// A lock shared by every process on this machine: a directory that only one `mkdir` can create.
//
// The holder writes an owner file into it ("<pid>:<uuid>"). A lock is broken (renamed away, which is
// atomic: of two breakers only one succeeds, then deleted) when its owner process is dead, at once,
// or when it is older than `staleMs` by the file system's clock, whatever its owner: a crashed
// process must not stall every other window for ever. The lock is made in two steps (mkdir, then
// the owner file), so one without an owner file yet is judged by age only. A live holder whose work
// outlasts `staleMs` can lose the lock to a breaker; `stillHeld` is how it checks before a commit,
// and `release` never removes a lock that is no longer its own.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Clock, sleep, systemClock } from '../shared/clock';

export interface FileLockOptions {
  /** How long to keep trying while another live owner holds the lock; 0 tries once (default 0). */
  waitMs?: number;
  /** A lock older than this is taken to belong to a crashed process and broken. */
  staleMs: number;
  /** Ends the wait early (then no lock is taken). */
  signal?: AbortSignal;
  /** This process's id, written into the owner file (default `process.pid`). */
  pid?: number;
  /** Whether a process id still runs (default `process.kill(pid, 0)`). */
  isAlive?: (pid: number) => boolean;
  /** Monotonic time for the wait (default the system clock). Lock ages are always real time. */
  clock?: Clock;
}

export interface FileLock {
  /** False once another process has broken the lock (it judged it stale). */
  stillHeld(): Promise<boolean>;
  /** Removes the lock if it is still this holder's. Safe to call more than once. */
  release(): Promise<void>;
}

const OWNER = 'owner';
const NEVER = new AbortController().signal;

/** Takes the lock at `lockDir` (its parent is created), or returns undefined once `waitMs` has passed. */
export async function acquireFileLock(lockDir: string, options: FileLockOptions): Promise<FileLock | undefined> {
  const clock = options.clock ?? systemClock;
  const pid = options.pid ?? process.pid;
  const isAlive = options.isAlive ?? processIsAlive;
  const signal = options.signal ?? NEVER;
  const deadline = clock.now() + (options.waitMs ?? 0);
  const token = `${pid}:${randomUUID()}`;
  await fs.promises.mkdir(path.dirname(lockDir), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lockDir, token)) return handle(lockDir, token);
    // A broken lock is retried at once: the next mkdir either wins or meets a fresh owner.
    if (await breakIfStale(lockDir, pid, isAlive, options.staleMs)) {
      if (await tryCreate(lockDir, token)) return handle(lockDir, token);
    }
    const left = deadline - clock.now();
    if (left <= 0 || signal.aborted) return undefined;
    // Short, jittered waits, so contenders that collided once do not collide again in step.
    const backoff = 2 + Math.random() * Math.min(20, 2 + attempt);
    if (!(await sleep(clock, Math.min(left, backoff), signal))) return undefined;
  }
}

async function tryCreate(lockDir: string, token: string): Promise<boolean> {
  try {
    await fs.promises.mkdir(lockDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  await fs.promises.writeFile(path.join(lockDir, OWNER), token);
  return true;
}

/** Breaks the lock if its owner died or it is older than `staleMs`; true when it is gone now. */
async function breakIfStale(lockDir: string, pid: number, isAlive: (pid: number) => boolean, staleMs: number): Promise<boolean> {
  const stat = await fs.promises.stat(lockDir).catch(() => undefined);
  if (stat === undefined) return true;
  const owner = await readOwner(lockDir);
  const ownerPid = owner === undefined ? NaN : Number(owner.split(':')[0]);
  const ownerDead = Number.isInteger(ownerPid) && ownerPid > 0 && ownerPid !== pid && !isAlive(ownerPid);
  // Ages are judged by real time, the file system's clock, never an injected one.
  if (!ownerDead && Date.now() - stat.mtimeMs < staleMs) return false;
  const stale = `${lockDir}.stale-${randomUUID()}`;
  try {
    await fs.promises.rename(lockDir, stale);
  } catch (e) {
    // ENOENT: someone else broke it first. Anything else (Windows refuses to rename a directory
    // another process has open): try again on the next round.
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
  // A leftover .stale- directory is no lock; failing to delete it changes nothing.
  await fs.promises.rm(stale, { recursive: true, force: true }).catch(() => undefined);
  return true;
}

function handle(lockDir: string, token: string): FileLock {
  const stillHeld = async () => (await readOwner(lockDir)) === token;
  return {
    stillHeld,
    release: async () => {
      if (await stillHeld()) await fs.promises.rm(lockDir, { recursive: true, force: true });
    },
  };
}

function readOwner(lockDir: string): Promise<string | undefined> {
  return fs.promises.readFile(path.join(lockDir, OWNER), 'utf8').catch(() => undefined);
}

/** Whether a process id still runs (EPERM: it runs, under another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireFileLock, type FileLock } from '../../../src/core/cost/fileLock';

/** The id of a process that has already exited. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ['-e', '']);
  assert.ok(run.pid > 0);
  return run.pid;
}

/** A lock another process holds, written as fileLock writes one. */
function foreignLock(lockDir: string, owner: string | undefined, ageMs = 0): void {
  fs.mkdirSync(lockDir, { recursive: true });
  if (owner !== undefined) fs.writeFileSync(path.join(lockDir, 'owner'), owner);
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    fs.utimesSync(lockDir, then, then);
  }
}

const settledWithin = <T>(p: Promise<T>, ms: number): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe('fileLock (cross-process mkdir lock)', () => {
  let dir: string;
  let lockDir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-lock-'));
    lockDir = path.join(dir, 'nested', 'the.lock');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the parent directory, writes an owner file with the pid, and removes the lock on release', async () => {
    const lock = await acquireFileLock(lockDir, { staleMs: 60_000 });
    assert.ok(lock);
    assert.match(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8'), new RegExp(`^${process.pid}:`));
    assert.equal(await lock.stillHeld(), true);
    await lock.release();
    assert.equal(fs.existsSync(lockDir), false);
    await lock.release(); // twice is harmless
  });

  it('two contenders in one process: the second waits and gets the lock as soon as the first releases it', async () => {
    const first = await acquireFileLock(lockDir, { staleMs: 60_000 });
    assert.ok(first);
    const second = acquireFileLock(lockDir, { staleMs: 60_000, waitMs: 5_000 });
    assert.equal(await settledWithin(second, 150), false, 'the second contender waits');
    await first.release();
    const started = Date.now();
    const got = await second;
    assert.ok(got, 'the second contender gets the lock');
    assert.ok(Date.now() - started < 1_000, 'promptly after the release');
    assert.equal(await first.stillHeld(), false);
    assert.equal(await got.stillHeld(), true);
    await got.release();
  });

  it('never lets two holders in at once', async () => {
    let inside = 0;
    let most = 0;
    const worker = async () => {
      for (let i = 0; i < 5; i++) {
        const lock = await acquireFileLock(lockDir, { staleMs: 60_000, waitMs: 10_000 });
        assert.ok(lock, 'every contender gets its turn within the wait');
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 1));
        inside--;
        await lock.release();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.equal(most, 1);
    assert.equal(fs.existsSync(lockDir), false);
  });

  it("breaks a fresh lock at once when its owner process is dead", async () => {
    foreignLock(lockDir, `${deadPid()}:crashed`);
    const started = Date.now();
    const lock = await acquireFileLock(lockDir, { staleMs: 60_000 });
    assert.ok(lock, 'a dead owner does not hold the lock, however young it is');
    assert.ok(Date.now() - started < 1_000);
    assert.doesNotMatch(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8'), /crashed/);
    assert.deepEqual(fs.readdirSync(path.dirname(lockDir)), ['the.lock'], 'the broken lock is gone, no .stale- left');
    await lock.release();
  });

  it('breaks a lock older than staleMs even when its owner is unknown or alive', async () => {
    foreignLock(lockDir, undefined, 120_000);
    const lock = await acquireFileLock(lockDir, { staleMs: 60_000 });
    assert.ok(lock, 'a lock with no owner file is judged by age');
    await lock.release();

    foreignLock(lockDir, `${process.ppid}:hung`, 120_000);
    const again = await acquireFileLock(lockDir, { staleMs: 60_000 });
    assert.ok(again, 'an old lock of a live process is broken too');
    await again.release();
  });

  it('respects a fresh lock of a live process until the deadline, and leaves it alone', async () => {
    const owner = `${process.ppid}:alive`;
    foreignLock(lockDir, owner);
    assert.equal(await acquireFileLock(lockDir, { staleMs: 60_000 }), undefined, 'waitMs 0 tries once');
    const started = Date.now();
    assert.equal(await acquireFileLock(lockDir, { staleMs: 60_000, waitMs: 300 }), undefined);
    const waited = Date.now() - started;
    assert.ok(waited >= 290 && waited < 2_000, `waited ${waited} ms`);
    assert.equal(fs.readFileSync(path.join(lockDir, 'owner'), 'utf8'), owner);

    // A lock without an owner file yet (its maker is between mkdir and write) is respected too.
    fs.rmSync(path.join(lockDir, 'owner'));
    assert.equal(await acquireFileLock(lockDir, { staleMs: 60_000, waitMs: 50 }), undefined);
  });

  it('gets a foreign lock once its owner releases it during the wait', async () => {
    foreignLock(lockDir, `${process.ppid}:alive`);
    setTimeout(() => fs.rmSync(lockDir, { recursive: true, force: true }), 100);
    const lock = await acquireFileLock(lockDir, { staleMs: 60_000, waitMs: 5_000 });
    assert.ok(lock);
    await lock.release();
  });

  it('never judges a lock of its own pid dead', async () => {
    const first = await acquireFileLock(lockDir, { staleMs: 60_000, isAlive: () => false });
    assert.ok(first);
    assert.equal(await acquireFileLock(lockDir, { staleMs: 60_000, waitMs: 50, isAlive: () => false }), undefined);
    await first.release();
  });

  it('a holder whose lock was broken knows it, and its release leaves the new holder alone', async () => {
    const victim = (await acquireFileLock(lockDir, { staleMs: 60_000, pid: 4_000_001 })) as FileLock;
    assert.ok(victim);
    const breaker = await acquireFileLock(lockDir, { staleMs: 60_000, isAlive: (pid) => pid !== 4_000_001 });
    assert.ok(breaker, 'the victim\'s pid is reported dead, so its lock is broken');
    assert.equal(await victim.stillHeld(), false);
    await victim.release();
    assert.equal(await breaker.stillHeld(), true, 'the old holder did not remove the new lock');
    await breaker.release();
  });

  it('an aborted signal ends the wait without the lock', async () => {
    foreignLock(lockDir, `${process.ppid}:alive`);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    const started = Date.now();
    assert.equal(await acquireFileLock(lockDir, { staleMs: 60_000, waitMs: 10_000, signal: abort.signal }), undefined);
    assert.ok(Date.now() - started < 1_000);
  });
});

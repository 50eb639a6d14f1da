// Tells when a ledger directory changed (an append in any window, a roll-up, a reset), debounced
// per directory. fs.watch can miss events or be unavailable (some network file systems), so a slow
// poll backs it up; the poll also moves "today" on at midnight.
import * as fs from 'node:fs';
import type * as vscode from 'vscode';

export interface WatchedDir {
  dir: string;
  /** Quiet time after the last change before `onChange` runs. */
  delayMs: number;
}

export class LedgerWatcher implements vscode.Disposable {
  private readonly watchers: fs.FSWatcher[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly poll: NodeJS.Timeout;

  constructor(dirs: readonly WatchedDir[], private readonly onChange: () => void, log: (line: string) => void, pollMs = 60_000) {
    for (const { dir, delayMs } of dirs) {
      try {
        // The directory must exist to be watched; the ledger creates it on first append anyway.
        fs.mkdirSync(dir, { recursive: true });
        const w = fs.watch(dir, { persistent: false }, () => this.schedule(dir, delayMs));
        w.on('error', (e) => log(`Stopped watching ${dir}: ${e.message}; the spend meter refreshes every ${pollMs / 1000} s.`));
        this.watchers.push(w);
      } catch (e) {
        log(`Cannot watch ${dir}: ${(e as Error).message}; the spend meter refreshes every ${pollMs / 1000} s.`);
      }
    }
    this.poll = setInterval(onChange, pollMs);
  }

  private schedule(dir: string, delayMs: number): void {
    clearTimeout(this.timers.get(dir));
    this.timers.set(dir, setTimeout(() => {
      this.timers.delete(dir);
      this.onChange();
    }, delayMs));
  }

  dispose(): void {
    for (const w of this.watchers) w.close();
    for (const t of this.timers.values()) clearTimeout(t);
    clearInterval(this.poll);
  }
}

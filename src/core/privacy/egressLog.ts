// The record of what left the machine: one JSON line per cloud send, appended, never rewritten.
// It holds sizes, hashes and rule ids so a user can audit (and match against a provider's logs)
// what was sent, and never a secret value or the payload itself.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface EgressEntry {
  /** ISO 8601, UTC. */
  time: string;
  /** Workspace folder name (or path) the send came from. */
  workspace: string;
  /** Workspace-relative path of the file the selection or prompt came from, if any. */
  filePath?: string;
  /** What sent it: 'refactor', 'inlineFallback', … */
  feature: string;
  bytes: number;
  /** SHA-256 (hex) of the payload actually sent. */
  sha256: string;
  redactionCount: number;
  /** Distinct rule ids that caused redactions; never the values. */
  redactionRules: string[];
  model: string;
  /** Host of the endpoint (e.g. api.openai.com), not the full URL. */
  endpointHost: string;
  /** Cost in millionths of a USD, when known (a cancelled stream may never report usage). */
  costMicros?: number;
}

export type EgressInput = Omit<EgressEntry, 'time'> & { time?: string };

/** Where lines go; a file in the extension's global storage in production, memory in tests. */
export interface LineStore {
  /** Appends `line` plus a newline. */
  appendLine(line: string): Promise<void>;
  /** Everything stored, '' when nothing is. */
  readAll(): Promise<string>;
}

export interface Clock {
  now(): Date;
}

export interface EgressReadResult {
  entries: EgressEntry[];
  /** Lines that did not parse or lacked fields (a torn last line after a crash, a hand edit). */
  skipped: number;
}

export class EgressLog {
  constructor(
    private readonly store: LineStore,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async append(entry: EgressInput): Promise<EgressEntry> {
    const record = this.toRecord(entry);
    await this.store.appendLine(JSON.stringify(record));
    return record;
  }

  /** Several records in one write (the local side's batched sends): one append, lines in order. */
  async appendMany(entries: readonly EgressInput[]): Promise<EgressEntry[]> {
    if (entries.length === 0) return [];
    const records = entries.map((e) => this.toRecord(e));
    await this.store.appendLine(records.map((r) => JSON.stringify(r)).join('\n'));
    return records;
  }

  private toRecord(entry: EgressInput): EgressEntry {
    // Build the record field by field: a caller's stray property (the payload, say) never lands here.
    const record: EgressEntry = {
      time: entry.time ?? this.clock.now().toISOString(),
      workspace: entry.workspace,
      ...(entry.filePath !== undefined ? { filePath: entry.filePath } : {}),
      feature: entry.feature,
      bytes: entry.bytes,
      sha256: entry.sha256,
      redactionCount: entry.redactionCount,
      redactionRules: [...new Set(entry.redactionRules)].sort(),
      model: entry.model,
      endpointHost: entry.endpointHost,
      ...(entry.costMicros !== undefined ? { costMicros: entry.costMicros } : {}),
    };
    return record;
  }

  async read(): Promise<EgressReadResult> {
    const entries: EgressEntry[] = [];
    let skipped = 0;
    for (const line of (await this.store.readAll()).split('\n')) {
      if (line.trim() === '') continue;
      const entry = parseEntry(line);
      if (entry) entries.push(entry);
      else skipped++;
    }
    return { entries, skipped };
  }
}

function parseEntry(line: string): EgressEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string';
  const num = (k: string) => typeof o[k] === 'number' && Number.isFinite(o[k]);
  const ok =
    str('time') && str('workspace') && str('feature') && str('sha256') && str('model') && str('endpointHost') &&
    num('bytes') && num('redactionCount') &&
    Array.isArray(o.redactionRules) && o.redactionRules.every((r) => typeof r === 'string') &&
    (o.filePath === undefined || str('filePath')) &&
    (o.costMicros === undefined || num('costMicros'));
  return ok ? (o as unknown as EgressEntry) : undefined;
}

/** The egress log's size before it rotates: years of normal use, and still quick to read. */
export const EGRESS_MAX_BYTES = 5 * 1024 * 1024;

export interface FileLineStoreOptions {
  /** When an append would grow the file past this, it is renamed to `<file>.1` (replacing the older one) first. */
  maxBytes?: number;
  /** `readAll` reads at most this many bytes from the END of the file (the newest lines). Default maxBytes. */
  readBytes?: number;
}

/**
 * A LineStore over one file, bounded: it rotates at `maxBytes` (one older file kept) and is read
 * from its end, so neither the disk nor a read grows without limit. If the process died
 * mid-append, the file ends without a newline; the first append of a new store starts a fresh
 * line so the torn one does not swallow it.
 */
export function fileLineStore(filePath: string, options: FileLineStoreOptions = {}): LineStore {
  const maxBytes = options.maxBytes ?? EGRESS_MAX_BYTES;
  const readBytes = options.readBytes ?? maxBytes;
  let checkedTail = false;
  return {
    async appendLine(line: string) {
      let prefix = '';
      if (!checkedTail) {
        prefix = (await endsWithoutNewline(filePath)) ? '\n' : '';
        checkedTail = true;
      }
      await fs.mkdir(path.dirname(filePath), { recursive: true });
      const size = await fileSize(filePath);
      if (size > 0 && size + Buffer.byteLength(line) + 2 > maxBytes) {
        // Another window may have rotated it a moment ago: then there is nothing left to rename.
        await fs.rename(filePath, `${filePath}.1`).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err; });
        prefix = '';
      }
      await fs.appendFile(filePath, `${prefix}${line}\n`, 'utf8');
    },
    async readAll() {
      return readTail(filePath, readBytes);
    },
  };
}

async function fileSize(filePath: string): Promise<number> {
  try {
    return (await fs.stat(filePath)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** The last `limit` bytes of the file, from the first whole line in them; '' when there is no file. */
async function readTail(filePath: string, limit: number): Promise<string> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(filePath, 'r');
    const { size } = await handle.stat();
    const start = Math.max(0, size - limit);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    const text = buf.toString('utf8');
    // Started mid-line (and maybe mid-character): drop up to the first newline.
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  } finally {
    await handle?.close();
  }
}

async function endsWithoutNewline(filePath: string): Promise<boolean> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(filePath, 'r');
    const { size } = await handle.stat();
    if (size === 0) return false;
    const buf = Buffer.alloc(1);
    await handle.read(buf, 0, 1, size - 1);
    return buf[0] !== 0x0a;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  } finally {
    await handle?.close();
  }
}

/** In memory, for tests and the CLI's dry runs. */
export function memoryLineStore(initial = ''): LineStore & { text(): string } {
  let text = initial;
  return {
    async appendLine(line: string) {
      text += `${line}\n`;
    },
    async readAll() {
      return text;
    },
    text: () => text,
  };
}

// Egress records for the local side when its endpoint is another machine. Inline completions send
// on nearly every pause, so records are queued and written in batches off the typing path: the
// request itself only hashes its body (microseconds) and pushes to an array; the file append
// happens later on a timer, and a failed write is reported, never thrown at the request.
import { createHash } from 'node:crypto';
import type { EgressInput, EgressLog } from './egressLog';

/** What one request to a remote local endpoint carried, without the payload. */
export interface LocalSendRecord {
  workspace: string;
  filePath?: string;
  /** 'inlineLocal', 'refactorLocal', … */
  feature: string;
  model: string;
  host: string;
  /** The exact request body as sent. Hashed and measured here, never stored. */
  body: string | Uint8Array;
}

export class LocalEgressRecorder {
  private queue: EgressInput[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: EgressLog,
    private readonly opts: { delayMs?: number; now?: () => Date; onError?: (e: unknown) => void } = {},
  ) {}

  record(r: LocalSendRecord): void {
    const bytes = typeof r.body === 'string' ? Buffer.byteLength(r.body, 'utf8') : r.body.byteLength;
    const sha256 = createHash('sha256').update(r.body).digest('hex');
    this.queue.push({
      time: (this.opts.now?.() ?? new Date()).toISOString(),
      workspace: r.workspace,
      ...(r.filePath !== undefined ? { filePath: r.filePath } : {}),
      feature: r.feature,
      bytes,
      sha256,
      // Local endpoints get the prompt as the engine built it: redaction is the cloud path's.
      redactionCount: 0,
      redactionRules: [],
      model: r.model,
      endpointHost: r.host,
    });
    this.timer ??= setTimeout(() => void this.flush(), this.opts.delayMs ?? 250);
  }

  /** Writes whatever is queued; resolves when it (and any earlier write) is on disk. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    // Writes are chained so batches land in order.
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.log.appendMany(batch);
      } catch (e) {
        this.opts.onError?.(e);
      }
    });
    return this.writing;
  }

  get pending(): number {
    return this.queue.length;
  }
}

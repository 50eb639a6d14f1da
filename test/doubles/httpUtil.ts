// Shared plumbing for the loopback doubles. Plain node:http and nothing else: these files are also
// bundled into the VS Code extension host for integration tests and run inside benchmarks.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** When a streamed token is written. Same meaning for both doubles. */
export interface TokenSchedule {
  /** Delay before the first token (after any model load). */
  firstTokenMs: number;
  /** Delay between later tokens. */
  perTokenMs: number;
  /** Extra delay reported as load_duration, once per model unless keep-alive expired (Ollama only). */
  loadMs?: number;
}

/** Roughly how BPE tokenizers cut source code: leading whitespace glued to a short run of text. */
export function defaultTokenize(text: string): string[] {
  return text.match(/\s*\S{1,4}|\s+/g) ?? [];
}

export interface TruncatedOutput {
  tokens: string[];
  /** 'stop': the text ended or a stop string was reached; 'length': the token cap was reached. */
  finish: 'stop' | 'length';
}

/**
 * Applies the two ways a real server ends generation early: a stop string (the output ends just
 * before it, the stop string itself is not sent) and a token cap. Whichever comes first wins, as in
 * a server that generates token by token (Ollama's runner checks the stop strings on each new
 * token and the cap before the next one). A cap of zero or less means no cap (Ollama's -1/-2, and
 * 0 is "unset" in both llama.cpp and Ollama's runner).
 */
export function truncateOutput(
  text: string,
  tokenize: (text: string) => string[],
  opts: { stop?: string[]; maxTokens?: number },
): TruncatedOutput {
  let end = text.length;
  for (const s of opts.stop ?? []) {
    if (s === '') continue;
    const at = text.indexOf(s);
    if (at >= 0 && at < end) end = at;
  }
  const all = tokenize(text);
  const tokens: string[] = [];
  let pos = 0;
  for (const tok of all) {
    if (opts.maxTokens !== undefined && opts.maxTokens > 0 && tokens.length >= opts.maxTokens) {
      return { tokens, finish: 'length' };
    }
    if (pos + tok.length > end) {
      const head = tok.slice(0, end - pos);
      if (head !== '') tokens.push(head);
      return { tokens, finish: 'stop' };
    }
    tokens.push(tok);
    pos += tok.length;
  }
  // A reply that ends exactly at the cap still reports 'length': the runner checks the cap before
  // sampling the end-of-sequence token that would have followed.
  const capped = opts.maxTokens !== undefined && opts.maxTokens > 0 && tokens.length >= opts.maxTokens;
  return { tokens, finish: capped ? 'length' : 'stop' };
}

/** FNV-1a, for deterministic replies, digests and ids without pulling in crypto. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The default reply of both doubles: a short, code-like continuation that depends only on the
 * prompt, with newlines in it so stop sequences and single-line cut-offs have something to act on.
 */
export function deterministicReply(prompt: string): string {
  const idents = prompt.match(/[A-Za-z_][A-Za-z0-9_]*/g);
  const name = idents && idents.length > 0 ? idents[idents.length - 1] : 'value';
  const tag = fnv1a(prompt).toString(16).padStart(8, '0').slice(0, 6);
  return `${name}_${tag} = compute(${name});\n  return ${name}_${tag};\n}\n`;
}

/**
 * Timers that can all be cancelled at once, so close() leaves nothing behind. A zero delay uses
 * setImmediate: setTimeout(0) costs about a millisecond per token, which slows benchmarks.
 */
export class Timers {
  private readonly live = new Set<{ cancel(): void }>();

  after(ms: number, fn: () => void): { cancel(): void } {
    let handle: { cancel(): void };
    if (ms <= 0) {
      const im = setImmediate(() => { this.live.delete(handle); fn(); });
      handle = { cancel: () => { clearImmediate(im); this.live.delete(handle); } };
    } else {
      const t = setTimeout(() => { this.live.delete(handle); fn(); }, ms);
      handle = { cancel: () => { clearTimeout(t); this.live.delete(handle); } };
    }
    this.live.add(handle);
    return handle;
  }

  get pending(): number {
    return this.live.size;
  }

  cancelAll(): void {
    for (const h of [...this.live]) h.cancel();
  }
}

export type ParsedBody = { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'invalid'; raw: string; error: string };

export function readBody(req: http.IncomingMessage): Promise<ParsedBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => resolve({ kind: 'invalid', raw: '', error: 'request aborted' }));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (raw.trim() === '') return resolve({ kind: 'empty' });
      try {
        resolve({ kind: 'json', value: JSON.parse(raw) });
      } catch (e) {
        resolve({ kind: 'invalid', raw, error: (e as Error).message });
      }
    });
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = 'application/json; charset=utf-8'): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: http.ServerResponse, status: number, text: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Calls onGone when the client goes away before the response was finished: 'close' fires on a
 * ServerResponse both after a normal end and when the socket dies, and only writableFinished tells
 * them apart. `cutByServer` lets a fault that destroys the socket on purpose not count as a client
 * disconnect.
 */
export function onClientGone(res: http.ServerResponse, cutByServer: () => boolean, onGone: () => void): void {
  res.on('close', () => {
    if (!res.writableFinished && !cutByServer()) onGone();
  });
}

export interface LoopbackServer {
  server: http.Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1, on `port` (default 0: any free port); close() also ends keep-alive and
 * streaming sockets. A fixed port lets a test stop a server and start another where the first was,
 * as a real server does when it is restarted.
 */
export async function listenLoopback(handler: http.RequestListener, port = 0): Promise<LoopbackServer> {
  const server = http.createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

/** Bounded polling, for "the server noticed" assertions that race the client by design. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline) throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

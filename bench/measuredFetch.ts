// A fetch for the backend that time-stamps what crosses the process boundary, so the engine's
// overhead is measured from outside the engine: when a /api/generate request leaves (fetch called)
// and when each chunk of the streamed answer arrives (before ollama-js parses it). It also counts
// the generate connections open at once, which is what the server sees as concurrent requests.
export interface StreamChunk {
  at: number;
  text: string;
}

export interface GenerateCall {
  calledAt: number;
  body: { prompt?: string; suffix?: string };
  chunks: StreamChunk[];
  closedAt?: number;
}

export class FetchMeter {
  readonly calls: GenerateCall[] = [];
  open = 0;
  maxOpen = 0;

  readonly fetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.endsWith('/api/generate')) return fetch(input, init);
    const call: GenerateCall = { calledAt: performance.now(), body: parseBody(init?.body), chunks: [] };
    if (!call.body.prompt) return fetch(input, init); // warm-up and load requests are not completions
    this.calls.push(call);
    this.open++;
    this.maxOpen = Math.max(this.maxOpen, this.open);
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      call.closedAt = performance.now();
      this.open--;
    };
    init?.signal?.addEventListener('abort', close, { once: true });
    let res: Response;
    try {
      res = await fetch(input, init);
    } catch (e) {
      close();
      throw e;
    }
    if (!res.body) {
      close();
      return res;
    }
    const decoder = new TextDecoder();
    const body = res.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        call.chunks.push({ at: performance.now(), text: decoder.decode(chunk, { stream: true }) });
        ctl.enqueue(chunk);
      },
      flush() {
        close();
      },
    }));
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

function parseBody(body: unknown): { prompt?: string; suffix?: string } {
  if (typeof body !== 'string') return {};
  try {
    return JSON.parse(body) as { prompt?: string; suffix?: string };
  } catch {
    return {};
  }
}

/**
 * When the chunk carrying the last token the engine needed arrived: the first chunk after which
 * `enough(text so far)` holds, or the chunk with `done`. Undefined if neither arrived.
 */
export function neededChunkAt(call: GenerateCall, enough: (text: string) => boolean): number | undefined {
  let pending = '';
  let text = '';
  for (const chunk of call.chunks) {
    pending += chunk.text;
    let nl: number;
    let done = false;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim() === '') continue;
      const obj = JSON.parse(line) as { response?: string; done?: boolean };
      text += obj.response ?? '';
      if (obj.done) done = true;
    }
    if (done || enough(text)) return chunk.at;
  }
  return undefined;
}

// The local backend as privacy sees it. When tandem.local.endpoint is another machine, every
// completion request is egress: this wrapper refuses it in local-only mode unless the user allowed
// that host (localSendDecision), and otherwise records each request body that leaves (size and
// SHA-256, never the text) in the egress log through a batched recorder. The router and the status
// bar take the same decision earlier; this is the second lock, at the last point before the wire.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createLocalBackend } from '../backends/createLocalBackend';
import { backendFailure } from '../shared/backendFailure';
import { BackendError, type CompletionBackend, type FimRequest, type FimResult, type ModelHealth, type WarmUpResult } from '../shared/modelBackend';
import { localDestination, localSendDecision, type LocalDestination } from '../privacy/localDestination';
import type { LocalEgressRecorder } from '../privacy/localEgressRecorder';
import type { PrivacyMode, TandemSettings } from '../settings';

export interface LocalEgressOptions {
  /** The current privacy mode and user-allowed hosts (read per request: they change without a rebuild). */
  policy: () => { mode: PrivacyMode; allowedRemoteHosts: readonly string[] };
  recorder?: LocalEgressRecorder;
  workspace?: () => string;
  /** The workspace-relative path for a request's documentKey (a URI), for the egress record. */
  filePathOf?: (documentKey: string) => string | undefined;
  fetch?: typeof fetch;
  /** Bearer token; pass it only where localTokenFor allows it. */
  token?: string;
}

interface SendContext {
  filePath?: string;
  feature: string;
}

export class LocalEgressBackend implements CompletionBackend {
  /** Which completion a fetch belongs to: it carries across the awaits inside the client libraries. */
  private readonly sending = new AsyncLocalStorage<SendContext>();
  readonly inner: CompletionBackend;

  constructor(private readonly s: TandemSettings, private readonly opts: LocalEgressOptions) {
    const base = opts.fetch ?? fetch;
    const recording: typeof fetch = (input, init) => {
      const ctx = this.sending.getStore();
      const body = init?.body;
      if (ctx && body !== undefined && body !== null) this.record(ctx, body, this.destination());
      return base(input, init);
    };
    this.inner = createLocalBackend(s, { fetch: recording, token: opts.token });
  }

  /** Where this backend's endpoint is, with the user's allowed hosts as of now. */
  destination(): LocalDestination {
    return localDestination(this.s.local.endpoint, this.opts.policy().allowedRemoteHosts);
  }

  complete(req: FimRequest, signal: AbortSignal): Promise<FimResult> {
    const decision = localSendDecision(this.opts.policy().mode, this.destination());
    if (!decision.ok) return Promise.reject(new BackendError(backendFailure('refused', decision.explain)));
    if (!decision.egress) return this.inner.complete(req, signal);
    const filePath = req.documentKey !== undefined ? this.opts.filePathOf?.(req.documentKey) ?? req.documentKey : undefined;
    return this.sending.run({ feature: 'inlineLocal', ...(filePath !== undefined ? { filePath } : {}) }, () => this.inner.complete(req, signal));
  }

  /** Health checks and warm-up carry no code (model name and version only), so they are not egress records. */
  checkHealth(signal?: AbortSignal): Promise<ModelHealth> {
    return this.inner.checkHealth(signal);
  }

  /** Loads and measures the model (Ollama only), unless privacy refuses this endpoint altogether. */
  async warmUp(signal?: AbortSignal): Promise<WarmUpResult> {
    const decision = localSendDecision(this.opts.policy().mode, this.destination());
    if (!decision.ok) throw new BackendError(backendFailure('refused', decision.explain));
    if (!this.inner.warmUp) return { loadMs: 0 };
    return this.inner.warmUp(signal);
  }

  private record(ctx: SendContext, body: unknown, dest: LocalDestination): void {
    if (dest.kind !== 'remote' || !this.opts.recorder) return;
    this.opts.recorder.record({
      workspace: this.opts.workspace?.() ?? '',
      ...(ctx.filePath !== undefined ? { filePath: ctx.filePath } : {}),
      feature: ctx.feature,
      model: this.s.local.model,
      host: dest.host,
      body: typeof body === 'string' || body instanceof Uint8Array ? body : String(body),
    });
  }
}

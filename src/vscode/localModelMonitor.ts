// Keeps the local model's state (LocalState) current: a health check at start and on settings
// changes, a re-check while it is not ready (so a server that comes back is noticed without a
// reload), warm-up, and what completions report. Status bar and log read the same value.
import * as vscode from 'vscode';
import type { CompletionBackend, ModelHealth } from '../core/shared/modelBackend';
import { createLocalBackend } from '../core/backends/createLocalBackend';
import type { CompletionOutcome } from '../core/completion/completionOutcome';
import type { LocalState } from '../core/status/localState';
import type { TandemSettings } from '../core/settings';

/** While the server is not ready, look again this often. */
const RECHECK_MS = 15_000;

export class LocalModelMonitor implements vscode.Disposable {
  private current: LocalState;
  private backendInstance: CompletionBackend;
  private recheck: NodeJS.Timeout | undefined;
  private readonly emitter = new vscode.EventEmitter<LocalState>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly settings: () => TandemSettings, private readonly log: vscode.LogOutputChannel) {
    this.backendInstance = createLocalBackend(settings());
    this.current = initialState(settings());
  }

  get state(): LocalState {
    return this.current;
  }

  /** The backend the engine should use now (replaced when the endpoint, model or provider changes). */
  get backend(): CompletionBackend {
    return this.backendInstance;
  }

  update(patch: Partial<LocalState>): void {
    this.current = { ...this.current, ...patch };
    this.emitter.fire(this.current);
  }

  /** Settings changed: a new backend when what it talks to changed, then a fresh check. */
  settingsChanged(previous: TandemSettings, next: TandemSettings): void {
    const changed = next.local.provider !== previous.local.provider || next.local.endpoint !== previous.local.endpoint
      || next.local.model !== previous.local.model || next.local.keepAlive !== previous.local.keepAlive;
    if (changed) {
      this.backendInstance = createLocalBackend(next);
      this.update({ ...initialState(next), busy: false });
      void this.check();
    } else {
      this.update({ inlineEnabled: next.inline.enabled, privacyMode: next.privacy.mode, cloudFallback: next.inline.cloudFallback });
    }
  }

  async check(): Promise<ModelHealth> {
    clearTimeout(this.recheck);
    this.recheck = undefined;
    const checked = this.backendInstance;
    const s = this.settings();
    const health: ModelHealth = await checked.checkHealth().catch((e) => ({ kind: 'error' as const, detail: String(e?.message ?? e) }));
    if (checked !== this.backendInstance) return health; // settings changed meanwhile; a newer check runs
    const previous = this.current.health.kind;
    this.update({ health });
    if (previous !== health.kind) {
      this.log.info(`Local model ${s.local.model} at ${s.local.endpoint}: ${health.kind}${'detail' in health ? ` (${health.detail})` : ''}`);
    }
    if (health.kind !== 'ready') {
      this.recheck = setTimeout(() => void this.check(), RECHECK_MS);
    } else if (s.local.warmUp && checked.warmUp) {
      checked.warmUp().then(
        ({ loadMs }) => { if (checked === this.backendInstance) this.update({ coldStartMs: loadMs }); },
        (e) => this.log.debug(`Warm-up failed: ${e?.message ?? e}`),
      );
    }
    return health;
  }

  /** What a completion told us about the server, without waiting for the next check. */
  noteOutcome(outcome: CompletionOutcome): void {
    if (outcome.kind === 'shown') {
      if (this.current.health.kind !== 'ready') void this.check();
      const t = outcome.timings;
      if (outcome.source === 'model' && t) {
        this.update({
          last: { totalMs: t.totalMs, firstTokenMs: t.firstTokenMs ?? t.totalMs, server: t.server ?? {}, at: Date.now() },
          ...(t.server?.loadMs !== undefined ? { coldStartMs: t.server.loadMs } : {}),
        });
      }
      return;
    }
    const s = this.settings();
    const health = healthFromSkip(outcome, s);
    // The status bar carries this; a popup per failed request would be a storm.
    if (health && health.kind !== this.current.health.kind) {
      this.update({ health });
      this.log.info(`Local model ${s.local.model}: ${health.kind} (${'detail' in health ? health.detail : ''})`);
      this.recheck ??= setTimeout(() => void this.check(), RECHECK_MS);
    }
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.emitter.dispose();
  }
}

function initialState(s: TandemSettings): LocalState {
  return {
    health: { kind: 'checking' },
    busy: false,
    provider: s.local.provider,
    endpoint: s.local.endpoint,
    model: s.local.model,
    inlineEnabled: s.inline.enabled,
    privacyMode: s.privacy.mode,
    cloudFallback: s.inline.cloudFallback,
  };
}

function healthFromSkip(o: Extract<CompletionOutcome, { kind: 'skipped' }>, s: TandemSettings): ModelHealth | undefined {
  switch (o.reason) {
    case 'backendDown': return { kind: 'offline', detail: o.detail ?? 'not reachable' };
    case 'modelMissing': return { kind: 'modelMissing', model: s.local.model, detail: o.detail ?? '' };
    case 'noFim': return { kind: 'noFim', model: s.local.model, detail: o.detail ?? '' };
    // The server answers but fails completions (malformed stream, cut connection, 5xx): its health
    // endpoints may look fine, so only completions can tell.
    case 'error': return { kind: 'error', detail: o.detail ?? 'the local model server failed a completion' };
    default: return undefined;
  }
}

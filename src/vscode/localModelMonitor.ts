// Keeps the local model's state (LocalState) current: a health check at start and on settings
// changes, a re-check while it is not ready (so a server that comes back is noticed without a
// reload), warm-up, and what completions report. Status bar and log read the same value.
import * as vscode from 'vscode';
import type { CompletionBackend, ModelHealth } from '../core/shared/modelBackend';
import type { CompletionOutcome } from '../core/completion/completionOutcome';
import type { LocalState } from '../core/status/localState';
import { localDestination, localSendDecision } from '../core/privacy/localDestination';
import type { LocalEgressRecorder } from '../core/privacy/localEgressRecorder';
import { LocalEgressBackend } from '../core/routing/localEgressBackend';
import type { SettingsSnapshot } from '../core/settings';

export interface LocalModelMonitorDeps {
  /** The cached local server token (LocalTokenStore.current). */
  token: () => string | undefined;
  /** Egress records for a remote endpoint. */
  recorder: LocalEgressRecorder;
  workspace: () => string;
  filePathOf: (documentKey: string) => string | undefined;
}

/** While the server is not ready, look again this often. */
const RECHECK_MS = 15_000;

export class LocalModelMonitor implements vscode.Disposable {
  private current: LocalState;
  private backendInstance: LocalEgressBackend;
  private tokenSent = false;
  private recheck: NodeJS.Timeout | undefined;
  private readonly emitter = new vscode.EventEmitter<LocalState>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly settings: () => SettingsSnapshot, private readonly log: vscode.LogOutputChannel,
    private readonly deps: LocalModelMonitorDeps) {
    this.backendInstance = this.build(settings());
    this.current = this.initialState(settings());
  }

  /** The backend with the token this endpoint may receive and the privacy lock around it. */
  private build(s: SettingsSnapshot): LocalEgressBackend {
    // Only the endpoint from the user's own settings (or the default) gets the token.
    const token = s.policy.localTokenAllowed ? this.deps.token() : undefined;
    this.tokenSent = token !== undefined;
    return new LocalEgressBackend(s, {
      policy: () => ({ mode: this.settings().privacy.mode, allowedRemoteHosts: this.settings().local.allowedRemoteHosts }),
      recorder: this.deps.recorder,
      workspace: this.deps.workspace,
      filePathOf: this.deps.filePathOf,
      token,
    });
  }

  /** The token was set or cleared: a backend that carries it (or not), and a fresh check. */
  tokenChanged(): void {
    this.backendInstance = this.build(this.settings());
    this.update({ ...this.initialState(this.settings()), busy: false });
    void this.check();
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
  settingsChanged(previous: SettingsSnapshot, next: SettingsSnapshot): void {
    const changed = next.local.provider !== previous.local.provider || next.local.endpoint !== previous.local.endpoint
      || next.local.model !== previous.local.model || next.local.keepAlive !== previous.local.keepAlive;
    if (changed) {
      this.backendInstance = this.build(next);
      this.update({ ...this.initialState(next), busy: false });
      void this.check();
    } else {
      this.update({ inlineEnabled: next.inline.enabled, privacyMode: next.privacy.mode, cloudFallback: next.inline.cloudFallback, remote: remoteOf(next) });
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
        ({ loadMs, probe }) => { if (checked === this.backendInstance) this.update({ coldStartMs: loadMs, ...(probe ? { probe } : {}) }); },
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
    const health = healthFromSkip(outcome, s, this.tokenSent);
    // The status bar carries this; a popup per failed request would be a storm.
    if (health && health.kind !== this.current.health.kind) {
      this.update({ health });
      this.log.info(`Local model ${s.local.model}: ${health.kind} (${'detail' in health ? health.detail : ''})`);
      this.recheck ??= setTimeout(() => void this.check(), RECHECK_MS);
    }
  }

  private initialState(s: SettingsSnapshot): LocalState {
    return baseState(s, this.tokenSent);
  }

  dispose(): void {
    clearTimeout(this.recheck);
    this.emitter.dispose();
  }
}

function remoteOf(s: SettingsSnapshot): LocalState['remote'] {
  const dest = localDestination(s.local.endpoint, s.local.allowedRemoteHosts);
  return dest.kind === 'remote' ? { host: dest.host, blocked: !localSendDecision(s.privacy.mode, dest).ok } : undefined;
}

function baseState(s: SettingsSnapshot, tokenSet: boolean): LocalState {
  return {
    remote: remoteOf(s),
    tokenSet,
    health: { kind: 'checking' },
    busy: false,
    provider: s.local.provider,
    endpoint: s.local.endpoint,
    model: s.local.model,
    inlineEnabled: s.inline.enabled,
    privacyMode: s.privacy.mode,
    cloudFallback: s.inline.cloudFallback,
    // What the previous server reported says nothing about a new one.
    last: undefined,
    coldStartMs: undefined,
    probe: undefined,
  };
}

function healthFromSkip(o: Extract<CompletionOutcome, { kind: 'skipped' }>, s: SettingsSnapshot, tokenSent: boolean): ModelHealth | undefined {
  switch (o.reason) {
    case 'backendDown': return { kind: 'offline', detail: o.detail ?? 'not reachable' };
    case 'modelMissing': return { kind: 'modelMissing', model: s.local.model, detail: o.detail ?? '' };
    case 'noFim': return { kind: 'noFim', model: s.local.model, detail: o.detail ?? '' };
    case 'unauthorized': return { kind: 'unauthorized', status: /\(403\)/.test(o.detail ?? '') ? 403 : 401, tokenSent, detail: o.detail ?? '' };
    // The server answers but fails completions (malformed stream, cut connection, 5xx): its health
    // endpoints may look fine, so only completions can tell.
    case 'error': return { kind: 'error', detail: o.detail ?? 'the local model server failed a completion' };
    default: return undefined;
  }
}

// Decides which problems deserve a message and makes sure each distinct problem gets at most one
// popup per window. The status bar carries the ongoing state of the local model (down, model
// missing, no FIM): those are never popups, however often they recur. When the user explicitly
// asked for a completion and got none, a transient status bar message says why (it goes away by
// itself). A server that keeps answering with nonsense, which no status explains, gets one popup.

export type ProblemSeverity = 'info' | 'warning' | 'error';

export interface Problem {
  /** Identifies a distinct problem: the same key is shown at most once per window. */
  key: string;
  severity: ProblemSeverity;
  message: string;
  /** Command ids offered as buttons, with their labels. */
  actions?: ReadonlyArray<{ label: string; command: string; args?: unknown[] }>;
  /** 'toast': a notification, at most once per key per window; 'statusMessage': a transient status bar line, never deduplicated. */
  channel?: 'toast' | 'statusMessage';
}

export interface ProblemCounts {
  reported: number;
  shown: number;
  suppressed: number;
}

export class ProblemNotifier {
  private readonly shownKeys = new Set<string>();
  private readonly counts: ProblemCounts = { reported: 0, shown: 0, suppressed: 0 };

  constructor(private readonly show: (p: Problem) => void, private readonly flash: (p: Problem) => void = () => {}) {}

  /** Reports a problem; returns true when it was shown as a popup (first time this window). */
  report(p: Problem): boolean {
    if (p.channel === 'statusMessage') {
      this.flash(p);
      return false;
    }
    this.counts.reported++;
    if (this.shownKeys.has(p.key)) {
      this.counts.suppressed++;
      return false;
    }
    this.shownKeys.add(p.key);
    this.counts.shown++;
    this.show(p);
    return true;
  }

  hasShown(key: string): boolean {
    return this.shownKeys.has(key);
  }

  get stats(): ProblemCounts {
    return { ...this.counts };
  }
}

/** What a skipped inline completion should raise, if anything. */
export interface InlineFailure {
  reason: string;
  detail?: string;
  trigger: 'automatic' | 'invoke';
  model: string;
  endpoint: string;
  provider: 'ollama' | 'openai-compatible';
  /** Failures in a row so far (the circuit breaker's count), including this one. */
  consecutiveFailures?: number;
}

const CHECK_SETUP = { label: 'Check Setup', command: 'tandem.checkSetup' };
const SHOW_LOG = { label: 'Show Log', command: 'tandem.showLog' };

/** Failures in a row before a misbehaving server is worth a popup while the user is just typing. */
export const ERROR_POPUP_AFTER = 3;

/**
 * The problem a failed inline completion raises, or undefined when the status bar says enough. A
 * down server, a missing model or one without FIM: the status bar while typing, plus a transient
 * status message when the user asked explicitly. A server that fails completions in other ways
 * (malformed stream, cut connection, 5xx): one popup per window, once it is clearly not a one-off
 * (or at once when the user asked).
 */
export function problemForInlineFailure(f: InlineFailure): Problem | undefined {
  const detail = f.detail ? ` ${f.detail}` : '';
  const explicitOnly = (p: Omit<Problem, 'channel' | 'severity'>): Problem | undefined =>
    (f.trigger === 'invoke' ? { ...p, severity: 'warning', channel: 'statusMessage' } : undefined);
  switch (f.reason) {
    case 'backendDown':
      return explicitOnly({
        key: `local.offline:${f.endpoint}`,
        message: `Tandem: no completion, the local model server at ${f.endpoint} is not reachable.${f.provider === 'ollama' ? ' Start it with `ollama serve`.' : ''}`,
      });
    case 'modelMissing':
      return explicitOnly({
        key: `local.modelMissing:${f.model}`,
        message: `Tandem: no completion, ${f.model} is not on the server.${f.provider === 'ollama' ? ` Pull it with \`ollama pull ${f.model}\`.` : ''}`,
      });
    case 'noFim':
      return explicitOnly({
        key: `local.noFim:${f.model}`,
        message: `Tandem: no completion, ${f.model} cannot fill in the middle. Choose a FIM model in tandem.local.model.`,
      });
    case 'unauthorized':
      // The status bar says "token needed/rejected" while typing; an explicit trigger gets a
      // transient line. Never a popup per keystroke (the circuit breaker also holds requests back).
      return explicitOnly({
        key: `local.unauthorized:${f.endpoint}`,
        message: `Tandem: no completion. ${f.detail ?? `The local model server at ${f.endpoint} refused the request (401/403).`}`,
      });
    case 'error':
      if (f.trigger !== 'invoke' && (f.consecutiveFailures ?? ERROR_POPUP_AFTER) < ERROR_POPUP_AFTER) return undefined;
      return {
        key: `local.error:${f.endpoint}`, severity: 'error', channel: 'toast', actions: [SHOW_LOG, CHECK_SETUP],
        message: `Tandem: the local model server keeps failing completions.${detail} Further failures show in the status bar and the log.`,
      };
    default:
      return undefined;
  }
}

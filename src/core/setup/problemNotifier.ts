// Decides which problems deserve a message (a toast) and makes sure each distinct problem gets at
// most one per window. The status bar carries the ongoing state; a toast is for something the user
// can act on, once. A dead local server while typing is never a toast (it is what the status bar is
// for, and a popup per keystroke is the storm this exists to prevent); the same server failing a
// completion the user asked for explicitly is worth saying, once.

export type ProblemSeverity = 'info' | 'warning' | 'error';

export interface Problem {
  /** Identifies a distinct problem: the same key is shown at most once per window. */
  key: string;
  severity: ProblemSeverity;
  message: string;
  /** Command ids offered as buttons, with their labels. */
  actions?: ReadonlyArray<{ label: string; command: string; args?: unknown[] }>;
}

export interface ProblemCounts {
  reported: number;
  shown: number;
  suppressed: number;
}

export class ProblemNotifier {
  private readonly shownKeys = new Set<string>();
  private readonly counts: ProblemCounts = { reported: 0, shown: 0, suppressed: 0 };

  constructor(private readonly show: (p: Problem) => void) {}

  /** Reports a problem; returns true when it was shown (first time this window). */
  report(p: Problem): boolean {
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
}

const CHECK_SETUP = { label: 'Check Setup', command: 'tandem.checkSetup' };
const SHOW_LOG = { label: 'Show Log', command: 'tandem.showLog' };

/**
 * The problem a failed inline completion raises, or undefined when the status bar says enough:
 * a server that is down, a model that is missing or cannot fill in the middle are shown there
 * while typing, and as one message only when the user explicitly asked for a completion. A server
 * that answers with nonsense (malformed stream, 5xx) is not something the status can explain, so it
 * gets one message per window.
 */
export function problemForInlineFailure(f: InlineFailure): Problem | undefined {
  const detail = f.detail ? ` ${f.detail}` : '';
  switch (f.reason) {
    case 'backendDown':
      if (f.trigger !== 'invoke') return undefined;
      return {
        key: `local.offline:${f.endpoint}`, severity: 'warning', actions: [CHECK_SETUP, SHOW_LOG],
        message: `Tandem: the local model server at ${f.endpoint} is not reachable, so there is no completion.${f.provider === 'ollama' ? ' Start it with `ollama serve`.' : ''}`,
      };
    case 'modelMissing':
      if (f.trigger !== 'invoke') return undefined;
      return {
        key: `local.modelMissing:${f.model}`, severity: 'warning', actions: [CHECK_SETUP],
        message: `Tandem: the model ${f.model} is not on the server.${f.provider === 'ollama' ? ` Pull it with \`ollama pull ${f.model}\`.` : ''}`,
      };
    case 'noFim':
      if (f.trigger !== 'invoke') return undefined;
      return {
        key: `local.noFim:${f.model}`, severity: 'warning', actions: [CHECK_SETUP],
        message: `Tandem: ${f.model} cannot fill in the middle, so it cannot complete code. Choose a FIM model in tandem.local.model (e.g. qwen2.5-coder:1.5b-base).`,
      };
    case 'error':
      return {
        key: `local.error:${f.endpoint}`, severity: 'error', actions: [SHOW_LOG, CHECK_SETUP],
        message: `Tandem: the local model server failed a completion.${detail} Further failures show in the status bar and the log.`,
      };
    default:
      return undefined;
  }
}

// What the privacy status bar item says: the mode, and where a refactor and an inline completion
// in the active file would go, and why. The "where" is the router's own decision (decideRoute), so
// the item, its tooltip and the log line can never disagree with what a request actually does.
import type { ModelHealth } from '../shared/modelBackend';
import { decideRoute, localHealthFor, type RouteDecision } from '../routing/routeDecision';
import type { PrivacyMode } from '../settings';
import type { PathExclusion } from '../privacy/pathExclusion';

export interface PrivacyStatusInput {
  mode: PrivacyMode;
  trusted: boolean;
  hasApiKey: boolean;
  /** apiKeyAllowedFor(effective base URL, user-level base URL, default). */
  endpointAllowed: boolean;
  /** Host the cloud requests would go to (for the tooltip). */
  cloudHost: string;
  cloudModel: string;
  cloudFallback: boolean;
  inlineInExcludedFiles: boolean;
  localHealth: ModelHealth | { kind: 'checking' } | undefined;
  /** The active editor's file, workspace-relative; undefined when no file editor is active. */
  activeFile?: { path: string; exclusion: PathExclusion };
}

export interface PrivacyStatusView {
  /** Status bar text with a codicon, e.g. "$(shield) local only". */
  text: string;
  /** One sentence for screen readers. */
  accessibleLabel: string;
  /** First line is the summary; the rest are details (plain text). */
  tooltip: string[];
  severity: 'ok' | 'warning';
  /** The router's decisions for the active file (or an ordinary file when none is active). */
  refactor: RouteDecision;
  inline: RouteDecision;
}

export function describePrivacy(i: PrivacyStatusInput): PrivacyStatusView {
  const excluded = i.activeFile?.exclusion ?? { excluded: false as const };
  const base = {
    mode: i.mode, trusted: i.trusted, excluded, hasApiKey: i.hasApiKey, endpointAllowed: i.endpointAllowed,
    cloudFallback: i.cloudFallback, inlineInExcludedFiles: i.inlineInExcludedFiles,
    // The budget is checked per request, with that request's estimate; the status does not guess.
    budget: { kind: 'ok' as const },
  };
  const refactor = decideRoute({ ...base, kind: 'refactor', explicitInvoke: true, localHealth: localHealthFor('refactor', i.localHealth) });
  const inline = decideRoute({ ...base, kind: 'inline', explicitInvoke: false, localHealth: localHealthFor('inline', i.localHealth) });

  let text: string;
  let summary: string;
  let severity: PrivacyStatusView['severity'] = 'ok';
  if (i.mode === 'localOnly') {
    text = '$(shield) local only';
    summary = 'Privacy mode: local only. Nothing leaves this machine; refactors run on the local model.';
  } else if (!i.trusted) {
    text = '$(workspace-untrusted) restricted';
    summary = 'This workspace is not trusted, so nothing is sent to the cloud from it, and its settings cannot redirect traffic.';
    severity = 'warning';
  } else {
    text = '$(cloud) hybrid';
    summary = `Privacy mode: hybrid. Inline completions stay on the local model; refactors go to ${i.cloudModel} at ${i.cloudHost || 'the cloud'}.`;
  }
  if (excluded.excluded) {
    text += ' $(eye-closed) excluded';
    severity = 'warning';
  }

  const where = i.activeFile ? ` (${i.activeFile.path})` : '';
  const tooltip = [
    summary,
    ...(excluded.excluded && i.activeFile ? [`This file is excluded (${excluded.rule}): it never informs any prompt, local or cloud.`] : []),
    `Refactor here${where}: ${refactorWord(refactor)}. ${refactor.explain}`,
    `Inline completion here${where}: ${routeWord(inline)}. ${inline.explain}`,
    i.trusted ? 'Workspace: trusted.' : 'Workspace: not trusted (cloud requests are off; workspace values of the base URL, endpoint, prices and budgets are ignored).',
    i.hasApiKey ? 'OpenAI API key: set.' : 'OpenAI API key: not set (Tandem: Set OpenAI API Key).',
  ];
  return {
    text,
    accessibleLabel: `Tandem privacy: ${text.replace(/\$\([^)]*\)\s*/g, '')}. ${summary}`,
    tooltip,
    severity,
    refactor,
    inline,
  };
}

/** One line for the log: the same decisions the tooltip shows. */
export function privacyLogLine(view: PrivacyStatusView, activePath: string | undefined): string {
  return `privacy: ${view.text.replace(/\$\([^)]*\)\s*/g, '')}${activePath ? ` [${activePath}]` : ''}; refactor → ${view.refactor.kind} (${view.refactor.reason}); inline → ${view.inline.kind} (${view.inline.reason})`;
}

/**
 * A refactor the cloud cannot take is not quietly given to the local model in hybrid mode (the
 * refactor service offers it as a choice), so the tooltip says so.
 */
function refactorWord(d: RouteDecision): string {
  return d.kind === 'local' && d.reason !== 'localOnlyMode' ? 'not in the cloud; the local model if you choose it' : routeWord(d);
}

function routeWord(d: RouteDecision): string {
  return d.kind === 'cloud' ? 'cloud' : d.kind === 'local' ? 'local model' : 'refused';
}

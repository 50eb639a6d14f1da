// Whether inline completions may be asked for here and now: snoozed for a while, turned off for a
// language, or off altogether, and then whatever the router refuses for the local side. Plain state
// and pure decisions; the VS Code side keeps the snooze in memory (per window) and the languages in
// `tandem.inline.disabledLanguages`.
import type { LocalDestination } from '../privacy/localDestination';
import { decideRoute, type RouteReason } from '../routing/routeDecision';
import type { PrivacyMode } from '../settings';

export interface InlineControlState {
  enabled: boolean;
  disabledLanguages: readonly string[];
  /** Clock time (ms since epoch) until which automatic completions are snoozed; 0 when not. */
  snoozedUntil: number;
}

export type InlineGate =
  | { ok: true }
  | { ok: false; reason: 'disabled' | 'language' | 'snoozed'; until?: number };

/**
 * An explicit trigger (the keybinding, the menu) still completes while snoozed: a snooze quiets
 * the automatic ghost text, it does not take the feature away. Turned off or off for the language
 * means off, for both.
 */
export function inlineGate(s: InlineControlState, languageId: string, trigger: 'automatic' | 'invoke', now: number): InlineGate {
  if (!s.enabled) return { ok: false, reason: 'disabled' };
  if (s.disabledLanguages.includes(languageId)) return { ok: false, reason: 'language' };
  if (trigger === 'automatic' && now < s.snoozedUntil) return { ok: false, reason: 'snoozed', until: s.snoozedUntil };
  return { ok: true };
}

/** What the provider knows about one request, besides the user's controls. */
export interface InlineRequestFacts {
  languageId: string;
  trigger: 'automatic' | 'invoke';
  /** Clock time (ms since epoch). */
  now: number;
  /** The document's URI scheme: output panes and the SCM input are not code. */
  scheme: string;
  mode: PrivacyMode;
  trusted: boolean;
  excluded: { excluded: boolean; rule?: string };
  /** `tandem.inline.enableInExcludedFiles`. */
  enableInExcludedFiles: boolean;
  /** Where `tandem.local.endpoint` is (localDestination). */
  localDestination: LocalDestination;
}

export type InlineAllowed = { ok: true } | { ok: false; reason: 'disabled' | 'language' | 'snoozed' | 'scheme' | RouteReason };

/**
 * Whether the local engine may complete this request: the user's controls first, then the router's
 * own rules for the local side (excluded files, a local endpoint on another machine in local-only
 * mode, an excluded file that would go to one), so no privacy rule is written twice. The local
 * model's health is left to the engine's circuit breaker, which is how a recovery is noticed; cloud
 * help is the cloud pipeline's to decide.
 */
export function inlineAllowed(s: InlineControlState, f: InlineRequestFacts): InlineAllowed {
  const gate = inlineGate(s, f.languageId, f.trigger, f.now);
  if (!gate.ok) return { ok: false, reason: gate.reason };
  if (f.scheme === 'output' || f.scheme === 'vscode-scm') return { ok: false, reason: 'scheme' };
  const route = decideRoute({
    kind: 'inline', mode: f.mode, trusted: f.trusted, excluded: f.excluded, localHealth: 'ready',
    cloudFallback: false, explicitInvoke: f.trigger === 'invoke', inlineInExcludedFiles: f.enableInExcludedFiles,
    budget: { kind: 'ok' }, hasApiKey: false, endpointAllowed: false, localDestination: f.localDestination,
  });
  return route.kind === 'refuse' ? { ok: false, reason: route.reason } : { ok: true };
}

export function snoozeUntil(now: number, minutes: number): number {
  return now + Math.max(0, minutes) * 60_000;
}

/** The language list with `languageId` added (disable) or removed (enable), without duplicates. */
export function withLanguage(list: readonly string[], languageId: string, disabled: boolean): string[] {
  const rest = list.filter((l) => l !== languageId);
  return disabled ? [...rest, languageId] : rest;
}

export interface MenuEntry {
  id: 'snooze5' | 'snooze15' | 'snooze60' | 'resume' | 'disableLanguage' | 'enableLanguage' | 'enable' | 'disable'
    | 'trigger' | 'checkSetup' | 'showLog';
  label: string;
  description?: string;
}

/** The status bar menu, in order, for the current state and the active editor's language. */
export function statusMenuEntries(s: InlineControlState, languageId: string | undefined, now: number): MenuEntry[] {
  const entries: MenuEntry[] = [];
  const snoozed = now < s.snoozedUntil;
  if (s.enabled) {
    if (languageId) entries.push({ id: 'trigger', label: '$(sparkle) Trigger Completion Here', description: 'Alt+\\' });
    if (snoozed) {
      const mins = Math.max(1, Math.ceil((s.snoozedUntil - now) / 60_000));
      entries.push({ id: 'resume', label: '$(bell) Resume Inline Completions', description: `snoozed, ${mins} min left` });
    }
    entries.push(
      { id: 'snooze5', label: '$(bell-slash) Snooze for 5 Minutes' },
      { id: 'snooze15', label: '$(bell-slash) Snooze for 15 Minutes' },
      { id: 'snooze60', label: '$(bell-slash) Snooze for 60 Minutes' },
    );
    if (languageId) {
      entries.push(s.disabledLanguages.includes(languageId)
        ? { id: 'enableLanguage', label: `$(check) Enable for ${languageId}` }
        : { id: 'disableLanguage', label: `$(circle-slash) Disable for ${languageId}` });
    }
    entries.push({ id: 'disable', label: '$(circle-slash) Disable Inline Completions' });
  } else {
    entries.push({ id: 'enable', label: '$(check) Enable Inline Completions' });
  }
  entries.push(
    { id: 'checkSetup', label: '$(checklist) Check Setup…' },
    { id: 'showLog', label: '$(output) Show Log' },
  );
  return entries;
}

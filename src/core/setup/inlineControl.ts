// Whether inline completions may be asked for here and now: snoozed for a while, turned off for a
// language, or off altogether. Plain state and pure decisions; the VS Code side keeps the snooze in
// memory (per window) and the languages in `tandem.inline.disabledLanguages`.

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

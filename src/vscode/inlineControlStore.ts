// The snooze of automatic inline completions (per window, in memory: a snooze should not outlive
// the window that asked for it) and the per-language switch (`tandem.inline.disabledLanguages`,
// user settings). Decisions are core's (inlineControl.ts); this keeps the state and says when it
// changed, also when a snooze runs out.
import * as vscode from 'vscode';
import { snoozeUntil, withLanguage, type InlineControlState } from '../core/setup/inlineControl';
import type { TandemSettings } from '../core/settings';
import type { Configuration } from './configuration';

export class InlineControlStore implements vscode.Disposable {
  private until = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly configuration: Configuration) {}

  get snoozedUntil(): number {
    return this.until;
  }

  state(settings: TandemSettings): InlineControlState {
    return { enabled: settings.inline.enabled, disabledLanguages: settings.inline.disabledLanguages, snoozedUntil: this.until };
  }

  snooze(minutes: number): void {
    this.until = snoozeUntil(Date.now(), minutes);
    clearTimeout(this.timer);
    // The status bar must stop saying "snoozed" when it is over, without anyone typing.
    this.timer = setTimeout(() => this.resume(), this.until - Date.now() + 50);
    this.emitter.fire();
  }

  resume(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.until === 0) return;
    this.until = 0;
    this.emitter.fire();
  }

  async setLanguageDisabled(settings: TandemSettings, languageId: string, disabled: boolean): Promise<void> {
    await this.configuration.update('inline.disabledLanguages',
      withLanguage(settings.inline.disabledLanguages, languageId, disabled), vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.emitter.dispose();
  }
}

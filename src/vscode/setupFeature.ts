// First run and control: "Tandem: Check Setup" (the doctor's report with a fix per problem), the
// status bar menu (snooze, per-language switch, manual trigger, Check Setup, log), the manual
// trigger command behind Alt+\, and Show Log. The walkthrough in the manifest links to these.
import * as vscode from 'vscode';
import { runDoctor, type DoctorReport } from '../core/setup/doctor';
import { statusMenuEntries, type MenuEntry } from '../core/setup/inlineControl';
import { APPLY_FIX_COMMAND, DoctorPanel } from './doctorPanel';
import type { Services } from './services';

export function registerSetupFeature(services: Services): void {
  const { context, log, inlineControl } = services;
  const panel = new DoctorPanel();
  let lastReport: DoctorReport | undefined;

  const checkSetup = async (): Promise<DoctorReport> => {
    panel.showChecking();
    const settings = services.settings();
    const report = await runDoctor({
      settings,
      localBackend: services.local.backend,
      apiKey: () => services.apiKey.get(),
      userLevelBaseUrl: settings.policy.userBaseUrl,
      budget: settings.policy.budget,
    });
    lastReport = report;
    for (const c of report.checks) {
      const line = `Check Setup: ${c.id} ${c.status}: ${c.detail}`;
      if (c.status === 'fail') log.warn(line);
      else log.info(line);
    }
    panel.show(report);
    // The status bar should agree with what the report just found.
    void services.local.check();
    return report;
  };

  const applyFix = async (id: string, how: 'run' | 'copy' = 'run'): Promise<boolean> => {
    const fix = lastReport?.checks.find((c) => c.id === id)?.fix;
    if (!fix) return false;
    if (fix.shellCommand) {
      if (how === 'copy') {
        await vscode.env.clipboard.writeText(fix.shellCommand);
        void vscode.window.setStatusBarMessage(`Copied: ${fix.shellCommand}`, 3000);
        return true;
      }
      const terminal = vscode.window.terminals.find((t) => t.name === 'Tandem Setup') ?? vscode.window.createTerminal('Tandem Setup');
      terminal.show();
      terminal.sendText(fix.shellCommand, true);
      return true;
    }
    if (fix.command) {
      await vscode.commands.executeCommand(fix.command, ...(fix.args ?? []));
      return true;
    }
    return false;
  };

  const trigger = async (): Promise<void> => {
    if (!vscode.window.activeTextEditor) {
      void vscode.window.setStatusBarMessage('Tandem: open a file to complete in', 3000);
      return;
    }
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
  };

  const runEntry = async (id: MenuEntry['id'], languageId: string | undefined): Promise<void> => {
    const settings = services.settings();
    switch (id) {
      case 'trigger': return trigger();
      case 'snooze5': return inlineControl.snooze(5);
      case 'snooze15': return inlineControl.snooze(15);
      case 'snooze60': return inlineControl.snooze(60);
      case 'resume': return inlineControl.resume();
      case 'disableLanguage': if (languageId) await inlineControl.setLanguageDisabled(settings, languageId, true); return;
      case 'enableLanguage': if (languageId) await inlineControl.setLanguageDisabled(settings, languageId, false); return;
      case 'enable':
      case 'disable':
        await services.configuration.update('inline.enabled', id === 'enable', vscode.ConfigurationTarget.Global);
        return;
      case 'checkSetup': await checkSetup(); return;
      case 'showLog': log.show(true); return;
    }
  };

  context.subscriptions.push(
    panel,
    vscode.commands.registerCommand('tandem.checkSetup', checkSetup),
    vscode.commands.registerCommand(APPLY_FIX_COMMAND, applyFix),
    vscode.commands.registerCommand('tandem.showLog', () => log.show(true)),
    vscode.commands.registerCommand('tandem.inline.trigger', trigger),
    vscode.commands.registerCommand('tandem.inline.snooze', async (minutes?: number) => {
      let m = typeof minutes === 'number' ? minutes : undefined;
      if (m === undefined) {
        const picked = await vscode.window.showQuickPick(['5', '15', '60'].map((label) => ({ label: `${label} minutes`, m: Number(label) })),
          { title: 'Snooze Tandem inline completions for' });
        m = picked?.m;
      }
      if (m !== undefined) inlineControl.snooze(m);
    }),
    vscode.commands.registerCommand('tandem.inline.resume', () => inlineControl.resume()),
    vscode.commands.registerCommand('tandem.inline.toggleLanguage', async (languageId?: string) => {
      const lang = typeof languageId === 'string' ? languageId : vscode.window.activeTextEditor?.document.languageId;
      if (!lang) return;
      const s = services.settings();
      await inlineControl.setLanguageDisabled(s, lang, !s.inline.disabledLanguages.includes(lang));
    }),
    vscode.commands.registerCommand('tandem.statusMenu', async () => {
      const languageId = vscode.window.activeTextEditor?.document.languageId;
      const entries = statusMenuEntries(inlineControl.state(services.settings()), languageId, Date.now());
      const picked = await vscode.window.showQuickPick(entries.map((e) => ({ label: e.label, description: e.description, id: e.id })),
        { title: 'Tandem', placeHolder: 'Inline completions: snooze, languages, trigger, setup' });
      if (picked) await runEntry(picked.id, languageId);
    }),
  );
}

// The status bar item for the local model: ready, busy, cold, offline, model missing, no FIM.
// A down server shows here and only here: never as a popup.
import * as vscode from 'vscode';
import { describeLocalState, type LocalState } from '../core/status/localState';

export class LocalModelStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('tandem.localModel', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Tandem: Local Model';
    // A menu rather than one action: snooze, per-language switch, trigger, Check Setup, log.
    this.item.command = 'tandem.statusMenu';
    this.item.show();
  }

  update(state: LocalState): void {
    const d = describeLocalState(state);
    this.item.text = `${d.icon} ${d.text}`;
    this.item.tooltip = new vscode.MarkdownString(d.tooltip.map((l) => l.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&')).join('\n\n'));
    this.item.accessibilityInformation = { label: `Tandem local model: ${d.text}. ${d.tooltip[0] ?? ''}` };
    this.item.backgroundColor = d.severity === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : d.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}

// The status bar cost meter: one item, its words and colour from core's costMeterView.
import * as vscode from 'vscode';
import { type MeterView, SHOW_SPEND_COMMAND } from '../core/cost/costMeter';

export const COST_METER_ID = 'tandem.costMeter';

export class CostMeter implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    // Between the local-model item (100) and the privacy mode (99), with Tandem's other items. Not
    // above 100: VS Code's editor items (Ln/Col, Spaces, ...) sit at 100.1-100.5, and the leftmost
    // right-hand items are the first a long status message pushes out of view.
    this.item = vscode.window.createStatusBarItem(COST_METER_ID, vscode.StatusBarAlignment.Right, 99.5);
    this.item.name = 'Tandem: Cloud Spend';
    this.item.command = SHOW_SPEND_COMMAND;
    this.item.text = '$(cloud) …';
    this.item.show();
  }

  update(view: MeterView): void {
    this.item.text = view.text;
    this.item.accessibilityInformation = { label: view.ariaLabel, role: 'button' };
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    // Only the spend view's command may run from the tooltip's link.
    tooltip.isTrusted = { enabledCommands: [SHOW_SPEND_COMMAND] };
    this.item.tooltip = tooltip;
    this.item.backgroundColor = view.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : view.level === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}

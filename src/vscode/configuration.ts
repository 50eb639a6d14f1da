// The only place that reads or writes Tandem's configuration in VS Code. Settings are read once per
// configuration change (or trust grant), validated and frozen by core's readSettingsSnapshot, which
// also computes the effective cloud policy: the user's and the workspace's values are read
// separately, so a cloned repository's .vscode/settings.json may tighten privacy and budgets but
// never loosen them. Everything else asks this object for the current snapshot.
import * as vscode from 'vscode';
import { readSettingsSnapshot, type SettingsSnapshot } from '../core/settings';

export class Configuration implements vscode.Disposable {
  private current: SettingsSnapshot;
  private readonly emitter = new vscode.EventEmitter<SettingsSnapshot>();
  private readonly subscriptions: vscode.Disposable[];
  /** Fires after `snapshot` already returns the new values. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log?: (line: string) => void) {
    this.current = this.read();
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('tandem')) this.rebuild(); }),
      // Granting trust makes the workspace's restricted settings count from now on; VS Code does not
      // always report that as a configuration change.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.rebuild()),
    ];
  }

  get snapshot(): SettingsSnapshot {
    return this.current;
  }

  /** Writes one tandem.* setting (key without the prefix) at the given level. */
  async update(key: string, value: unknown, target: vscode.ConfigurationTarget): Promise<void> {
    await vscode.workspace.getConfiguration('tandem').update(key, value, target);
  }

  /** What one level itself sets for `key` (for commands that must undo a value at that level). */
  valueAt(key: string, level: 'user' | 'workspace'): unknown {
    const i = vscode.workspace.getConfiguration('tandem').inspect(key);
    return level === 'user' ? i?.globalValue : i?.workspaceValue;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.emitter.dispose();
  }

  private rebuild(): void {
    this.current = this.read();
    this.emitter.fire(this.current);
  }

  private read(): SettingsSnapshot {
    const cfg = vscode.workspace.getConfiguration('tandem');
    const snapshot = readSettingsSnapshot({
      user: (key) => cfg.inspect(key)?.globalValue,
      workspace: (key) => {
        const i = cfg.inspect(key);
        return i?.workspaceFolderValue ?? i?.workspaceValue;
      },
      trusted: vscode.workspace.isTrusted,
    });
    if (snapshot.ignoredWorkspaceKeys.length > 0) {
      this.log?.(`Workspace settings that would loosen your own were ignored: ${snapshot.ignoredWorkspaceKeys.map((k) => `tandem.${k}`).join(', ')}`);
    }
    return snapshot;
  }
}

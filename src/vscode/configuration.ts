// The only place that reads Tandem's raw configuration from VS Code. In an untrusted workspace VS
// Code itself drops workspace values of the manifest's restrictedConfigurations, so a cloned
// repository cannot point traffic elsewhere; what is read here is already the effective value.
import * as vscode from 'vscode';
import { readSettings, type TandemSettings } from '../core/settings';

export function currentSettings(scope?: vscode.ConfigurationScope): TandemSettings {
  const cfg = vscode.workspace.getConfiguration('tandem', scope);
  return readSettings((key) => cfg.get(key));
}

/** The value the user set in their own (global) settings, ignoring workspace and folder values. */
export function userLevelValue<T>(key: string): T | undefined {
  return vscode.workspace.getConfiguration('tandem').inspect<T>(key)?.globalValue;
}

/** Fires `listener` with fresh settings whenever any tandem.* setting changes. */
export function onSettingsChanged(listener: (s: TandemSettings) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('tandem')) listener(currentSettings());
  });
}

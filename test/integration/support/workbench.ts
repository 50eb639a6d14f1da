// Small steps a person takes in the workbench, shared by the suites.
import * as vscode from 'vscode';
import { notificationToasts, query, statusBarItems } from './driver';

/** Sets a tandem.* setting at user level (what a person does in Settings); undefined removes it. */
export async function setUserSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('tandem').update(key, value, vscode.ConfigurationTarget.Global);
}

export function workspaceFile(relative: string): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) throw new Error('no workspace folder open');
  return vscode.Uri.joinPath(root, ...relative.split('/'));
}

export async function openFileAt(relative: string, line: number, character: number): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(relative));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const pos = new vscode.Position(line, character);
  editor.selection = new vscode.Selection(pos, pos);
  return editor;
}

/** Types like a person: one character at a time through the `type` command (which also triggers inline suggestions). */
export async function typeText(editor: vscode.TextEditor, text: string, delayMs = 30): Promise<void> {
  for (const ch of text) {
    await vscode.commands.executeCommand('type', { text: ch });
    await new Promise((r) => setTimeout(r, delayMs));
  }
  void editor;
}

/**
 * The ghost text currently rendered in the editor, as the DOM shows it: the first line is a run of
 * syntax-highlighted spans after the cursor, further lines are view lines of their own (in a view zone).
 */
export async function ghostText(): Promise<string> {
  const inline = await query('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text-decoration-preview');
  // VS Code 1.139 renders the lines after the first in a view zone (.suggest-preview-text).
  const lines = await query('.monaco-editor .ghost-text .view-line, .monaco-editor .view-zones .suggest-preview-text .view-line');
  return [inline.map((n) => n.text).join(''), ...lines.map((n) => n.text)].join('\n').replace(/\u00a0/g, ' ');
}

/** The text of Tandem's local-model status bar item plus its accessible label. */
export async function tandemStatusText(): Promise<string> {
  const items = await statusBarItems();
  return items.map((i) => `${i.text} ${i.aria}`).join(' | ');
}


/**
 * Counts the notifications Tandem raises while `during` runs (a popup storm shows as more than
 * one). Read from the notification center, which lists every notification a person would have
 * seen (see notificationToasts); the center is cleared first so only these are counted.
 */
export async function countToasts<T>(during: () => Promise<T>, which: RegExp = /Tandem/): Promise<{ result: T; maxAtOnce: number; messages: string[] }> {
  await vscode.commands.executeCommand('notifications.clearAll');
  const result = await during();
  // A notification raised by the last request may take a moment to arrive.
  await new Promise((r) => setTimeout(r, 1500));
  const messages = (await notificationToasts(true)).map((n) => n.aria || n.text).filter((m) => which.test(m));
  return { result, maxAtOnce: messages.length, messages };
}

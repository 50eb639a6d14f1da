// Steps and looks shared by the privacy suites (trusted and untrusted workspaces).
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { query, statusBarItems } from './driver';
import { workspaceFile } from './workbench';

/** The line a refactor double adds to whatever selection it was sent. */
export const ADDED_LINE = '// refactored by the test double';

/** The user message of a chat request (OpenAI or Ollama /api/chat). */
function userMessage(body: any): string {
  const messages: Array<{ role: string; content: string }> = Array.isArray(body?.messages) ? body.messages : [];
  return messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
}

/** The selection as the model was sent it, cut out of the refactor prompt's fenced block. */
export function sentSelection(body: any): string | undefined {
  const m = /The selection to rewrite:\n(`{3,})[^\n]*\n([\s\S]*?)\n?\1(?:\n|$)/.exec(userMessage(body));
  return m ? m[2] : undefined;
}

/** A "model" that returns the selection it was sent (placeholders and all) plus one line. */
export function echoRefactor(body: any): string {
  return `\`\`\`\n${(sentSelection(body) ?? '').replace(/\n$/, '')}\n${ADDED_LINE}\n\`\`\``;
}

/**
 * A fake OpenAI project key of the real shape (sk-proj-…T3BlbkFJ…), made at run time so no
 * token-shaped literal sits in the repository.
 */
export function fakeOpenAiKey(): string {
  const b64url = (n: number) => randomBytes(n).toString('base64url').slice(0, n);
  return 'sk' + '-proj-' + b64url(74) + 'T3BlbkFJ' + b64url(74);
}

/** Tandem's privacy status bar item as rendered: text and accessible label. */
export async function privacyStatus(): Promise<string> {
  const items = await statusBarItems();
  return items.filter((i) => /tandem\.privacy/.test(i.id)).map((i) => `${i.text} ${i.aria}`).join(' | ');
}

/** Selects whole lines [from, to) of an open editor (0-based). */
export function selectLines(editor: vscode.TextEditor, from: number, to: number): void {
  editor.selection = new vscode.Selection(new vscode.Position(from, 0), new vscode.Position(to, 0));
}

/** Writes a file into the open workspace through the workspace file system (so VS Code notices it). */
export async function writeWorkspaceFile(relative: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceFile(relative);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

export interface RefactorSummary {
  kind: string;
  reason?: string;
  message?: string;
  costMicros?: number | null;
  route?: 'cloud' | 'local';
}

export function refactor(instruction: string): Thenable<RefactorSummary> {
  return vscode.commands.executeCommand<RefactorSummary>('tandem.refactorSelection', { instruction });
}

/**
 * Notices as a person sees them in the notification center. With the smoke-test driver on (which
 * the harness needs) VS Code shows no toasts at all, so the center is where notices can be seen.
 */
export async function notificationsText(): Promise<string> {
  await vscode.commands.executeCommand('notifications.showList');
  const items = await query('.notifications-center .notification-list-item');
  return items.map((i) => `${i.text} ${i.aria}`).join(' | ');
}

export async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await vscode.commands.executeCommand('notifications.hideList');
}

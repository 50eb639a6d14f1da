// The refactor result as a preview, not an edit: a diff editor between the document as it is and a
// virtual document holding the proposed text (served on the `tandem-preview:` scheme), with Accept
// and Reject buttons in the editor title while the context key is set. Accepting is one
// WorkspaceEdit over the original range (one undo step), refused when the text under the selection
// changed since the request (core's isStale). One preview at a time: a new one replaces the last.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isStale, type TextRange } from '../core/refactor/refactorSession';

export const PREVIEW_SCHEME = 'tandem-preview';
export const PREVIEW_OPEN_KEY = 'tandem.refactorPreviewOpen';

export interface PreviewProposal {
  document: vscode.TextDocument;
  range: TextRange;
  /** The selected text when the request was made (what the reply replaces). */
  selectionThen: string;
  documentVersion: number;
  newText: string;
  instruction: string;
}

interface OpenPreview extends PreviewProposal {
  uri: vscode.Uri;
}

export type AcceptResult =
  | { applied: true }
  | { applied: false; reason: 'noPreview' | 'stale' | 'editFailed'; proposal?: PreviewProposal };

export class RefactorPreview implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private current: OpenPreview | undefined;
  private seq = 0;
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this),
      // Closing the diff tab is a reject: the buttons go with it.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        const cur = this.current;
        if (cur && e.closed.some((t) => isPreviewTab(t, cur.uri))) void this.discard();
      }),
    );
  }

  get isOpen(): boolean {
    return this.current !== undefined;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Whether a proposal no longer fits the document (the text under its range changed). */
  static isStale(p: PreviewProposal): boolean {
    const doc = p.document;
    const now = doc.getText(new vscode.Range(doc.positionAt(p.range.start), doc.positionAt(p.range.end)));
    return isStale(p.documentVersion, doc.version, now, p.selectionThen);
  }

  /** Opens the diff and resolves once it is on screen. */
  async show(p: PreviewProposal): Promise<void> {
    await this.discard();
    const id = ++this.seq;
    // The document's own path keeps the file name (and so the language) in the virtual copy.
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: p.document.uri.path || `/${p.document.fileName}`, query: `preview=${id}` });
    const text = p.document.getText();
    const proposed = text.slice(0, p.range.start) + p.newText + text.slice(p.range.end);
    this.contents.set(uri.toString(), proposed);
    this.current = { ...p, uri };
    await vscode.commands.executeCommand('setContext', PREVIEW_OPEN_KEY, true);
    const name = path.basename(p.document.uri.path) || 'selection';
    await vscode.commands.executeCommand('vscode.diff', p.document.uri, uri, `${name} ↔ Tandem refactor (preview)`, {
      preview: false,
      selection: new vscode.Range(p.document.positionAt(p.range.start), p.document.positionAt(p.range.start)),
    });
  }

  /** Applies the open preview as one undoable edit, unless it went stale. Closes the preview either way. */
  async accept(): Promise<AcceptResult> {
    const p = this.current;
    if (!p) return { applied: false, reason: 'noPreview' };
    if (RefactorPreview.isStale(p)) {
      await this.discard();
      return { applied: false, reason: 'stale', proposal: p };
    }
    const doc = p.document;
    const range = new vscode.Range(doc.positionAt(p.range.start), doc.positionAt(p.range.end));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, range, p.newText);
    await this.discard();
    const ok = await vscode.workspace.applyEdit(edit);
    if (!ok) return { applied: false, reason: 'editFailed', proposal: p };
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    if (editor) {
      const end = doc.positionAt(p.range.start + p.newText.length);
      editor.selection = new vscode.Selection(range.start, end);
    }
    return { applied: true };
  }

  /** Closes the preview without touching the document. */
  async reject(): Promise<boolean> {
    const had = this.current !== undefined;
    await this.discard();
    return had;
  }

  private async discard(): Promise<void> {
    const p = this.current;
    if (!p) return;
    this.current = undefined;
    await vscode.commands.executeCommand('setContext', PREVIEW_OPEN_KEY, false);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => isPreviewTab(t, p.uri));
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs, true);
    this.contents.delete(p.uri.toString());
    // Show the real document again where the diff was, so the user lands on their code.
    if (tabs.length > 0 && !p.document.isClosed) {
      await vscode.window.showTextDocument(p.document, { preview: false, preserveFocus: false });
    }
  }

  dispose(): void {
    this.current = undefined;
    this.contents.clear();
    for (const d of this.disposables) d.dispose();
  }
}

function isPreviewTab(tab: vscode.Tab, uri: vscode.Uri): boolean {
  const input = tab.input;
  return input instanceof vscode.TabInputTextDiff && input.modified.toString() === uri.toString();
}

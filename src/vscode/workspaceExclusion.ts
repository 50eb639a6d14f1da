// Which files never inform any prompt: the defaults, `tandem.privacy.exclude` and the workspace's
// .tandemignore, rebuilt when either changes. Decisions are core's (pathExclusion.ts); this only
// feeds it the workspace's files and maps URIs to workspace-relative paths.
import * as vscode from 'vscode';
import { createPathExcluder, type PathExcluder, type PathExclusion } from '../core/privacy/pathExclusion';

export class WorkspaceExclusion implements vscode.Disposable {
  private excluder: PathExcluder = createPathExcluder();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly reloaded = new vscode.EventEmitter<void>();
  /** Fires after the rules were rebuilt (settings or a .tandemignore changed). */
  readonly onDidReload = this.reloaded.event;

  constructor(private readonly globs: () => readonly string[]) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.tandemignore');
    this.disposables.push(watcher, this.reloaded,
      watcher.onDidChange(() => void this.reload()),
      watcher.onDidCreate(() => void this.reload()),
      watcher.onDidDelete(() => void this.reload()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reload()));
  }

  /** Reads .tandemignore files of the workspace folders; call after settings change too. */
  async reload(): Promise<void> {
    const texts: string[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      try {
        const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.tandemignore'));
        texts.push(new TextDecoder().decode(bytes));
      } catch {
        // No .tandemignore in this folder.
      }
    }
    this.excluder = createPathExcluder({ globs: this.globs(), tandemignoreText: texts.join('\n') });
    this.reloaded.fire();
  }

  /** Path relative to its workspace folder, with forward slashes; the full path outside any folder. */
  relativePath(uri: vscode.Uri): string {
    return vscode.workspace.asRelativePath(uri, false).replace(/\\/g, '/');
  }

  check(uri: vscode.Uri): PathExclusion {
    return this.excluder.isExcludedPath(this.relativePath(uri));
  }

  isExcludedRelative(relativePath: string): PathExclusion {
    return this.excluder.isExcludedPath(relativePath);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

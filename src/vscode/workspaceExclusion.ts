// Which files never inform any prompt: the defaults, `tandem.privacy.exclude` and the workspace's
// .tandemignore, rebuilt when either changes. Decisions are core's (pathExclusion.ts); this only
// feeds it the workspace's files and maps URIs to workspace-relative paths.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createPathExcluder, type PathExcluder, type PathExclusion } from '../core/privacy/pathExclusion';
import { createWorkspaceExcluder, type ExclusionFolder, type WorkspaceExcluder } from '../core/privacy/workspaceExcluder';

export class WorkspaceExclusion implements vscode.Disposable {
  private excluder: PathExcluder = createPathExcluder();
  private byFolder: WorkspaceExcluder = createWorkspaceExcluder({ folders: [] });
  /** One excluder per folder, for callers that only have a folder-relative path. */
  private folderExcluders: PathExcluder[] = [];
  private folderRoots: string[] = [];
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
    const folders: ExclusionFolder[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      let tandemignoreText: string | undefined;
      try {
        tandemignoreText = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.tandemignore')));
      } catch {
        // No .tandemignore in this folder.
      }
      folders.push({ root: folder.uri.fsPath, ...(tandemignoreText !== undefined ? { tandemignoreText } : {}) });
    }
    const globs = this.globs();
    this.byFolder = createWorkspaceExcluder({ folders, globs, realPath: resolveRealPath });
    this.folderRoots = folders.map((f) => f.root);
    this.folderExcluders = folders.map((f) => createPathExcluder({ globs, tandemignoreText: f.tandemignoreText ?? '' }));
    this.excluder = this.folderExcluders[0] ?? createPathExcluder({ globs });
    this.reloaded.fire();
  }

  /** Path relative to its workspace folder, with forward slashes; the full path outside any folder. */
  relativePath(uri: vscode.Uri): string {
    return vscode.workspace.asRelativePath(uri, false).replace(/\\/g, '/');
  }

  /** Decided on the file's own folder and on its real path (symlinks resolved). */
  check(uri: vscode.Uri): PathExclusion {
    if (uri.scheme !== 'file') return this.excluder.isExcludedPath(this.relativePath(uri));
    return this.byFolder.isExcluded(uri.fsPath);
  }

  /**
   * A folder-relative path without its folder (multi-root): excluded when any folder's rules
   * exclude it, so no folder's `!` can re-open what another excludes.
   */
  isExcludedRelative(relativePath: string): PathExclusion {
    // Where the path exists in a folder, its real path is checked too (a symlink to .env).
    for (const root of this.folderRoots) {
      const absolute = join(root, relativePath);
      if (resolveRealPath(absolute) !== undefined) {
        const r = this.byFolder.isExcluded(absolute);
        if (r.excluded) return r;
      }
    }
    for (const e of this.folderExcluders) {
      const r = e.isExcludedPath(relativePath);
      if (r.excluded) return r;
    }
    return this.excluder.isExcludedPath(relativePath);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function resolveRealPath(p: string): string | undefined {
  try {
    return realpathSync.native(p);
  } catch {
    return undefined; // not on disk (yet): the shown path decides
  }
}

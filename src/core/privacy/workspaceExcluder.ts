// Exclusion for a whole (possibly multi-root) workspace, decided on absolute paths. Two things the
// per-folder PathExcluder cannot see on its own (issue 11, items 5 and 6):
// - a symlink: `safe.txt -> .env` or a linked directory shows one path and holds another file's
//   content; both the path shown and the real path are checked, and either one excludes;
// - several folders: each folder's .tandemignore governs only files of that folder, so a `!`
//   negation in one folder cannot re-open another folder's exclusion (nor, as before, the defaults).
import * as path from 'node:path';
import { createPathExcluder, type PathExcluder, type PathExclusion } from './pathExclusion';

export interface ExclusionFolder {
  /** Absolute path of the workspace folder. */
  root: string;
  /** Content of `<root>/.tandemignore`, if the file exists. */
  tandemignoreText?: string;
}

export interface WorkspaceExcluderOptions {
  folders: readonly ExclusionFolder[];
  /** `tandem.privacy.exclude`, applied in every folder. */
  globs?: readonly string[];
  /** The file's real path with every symlink resolved; undefined when it cannot be resolved. */
  realPath?: (absolutePath: string) => string | undefined;
}

export interface WorkspaceExcluder {
  isExcluded(absolutePath: string): PathExclusion;
}

export function createWorkspaceExcluder(options: WorkspaceExcluderOptions): WorkspaceExcluder {
  const folders = options.folders
    .map((f) => ({ root: normalize(f.root), excluder: createPathExcluder({ globs: options.globs ?? [], tandemignoreText: f.tandemignoreText ?? '' }) }))
    .sort((a, b) => b.root.length - a.root.length); // the innermost folder owns a nested path
  const outside: PathExcluder = createPathExcluder({ globs: options.globs ?? [] });

  const check = (absolute: string): PathExclusion => {
    const p = normalize(absolute);
    const owner = folders.find((f) => p === f.root || p.startsWith(f.root.endsWith('/') ? f.root : `${f.root}/`));
    if (!owner) return outside.isExcludedPath(p);
    return owner.excluder.isExcludedPath(path.posix.relative(owner.root, p));
  };

  return {
    isExcluded(absolutePath: string): PathExclusion {
      const shown = check(absolutePath);
      if (shown.excluded) return shown;
      const real = options.realPath?.(absolutePath);
      if (real === undefined || normalize(real) === normalize(absolutePath)) return shown;
      const target = check(real);
      return target.excluded ? { excluded: true, rule: `${target.rule} (symlink to ${real})` } : shown;
    },
  };
}

/** Forward slashes, no trailing slash; drive letters kept. */
function normalize(p: string): string {
  const s = path.posix.normalize(p.replace(/\\/g, '/'));
  return s.length > 1 ? s.replace(/\/+$/, '') : s;
}

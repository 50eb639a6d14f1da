// picomatch ships no type declarations and @types/picomatch is not a dependency, so this file is the
// one typed doorway to it. The posix build is used on purpose: paths reach us already normalised to
// forward slashes, and the default build would switch to backslash semantics on Windows.

interface PicomatchOptions {
  dot?: boolean;
  nocase?: boolean;
  basename?: boolean;
}
type PicomatchFactory = (glob: string | string[], options?: PicomatchOptions) => (path: string) => boolean;

const picomatch = require('picomatch/posix') as PicomatchFactory;

export interface GlobMatcherOptions {
  /** Match slash-free patterns against the last path segment (VS Code users expect `*.secret` to match anywhere). */
  matchBasename: boolean;
}

/** A predicate for one glob; dotfiles match and case is ignored (Windows and macOS file systems). */
export function createGlobMatcher(glob: string, options: GlobMatcherOptions): (path: string) => boolean {
  return picomatch(glob, { dot: true, nocase: true, basename: options.matchBasename });
}

// Which files may never inform a prompt. Three sources, each able to exclude on its own:
// built-in defaults (a floor: nothing can re-include them), the `tandem.privacy.exclude` globs from
// settings, and a `.tandemignore` at the workspace root in gitignore syntax (its `!negations` only
// undo its own lines, because a file committed to a cloned repository must not be able to re-open
// someone's `.env`).
import ignore from 'ignore';
import * as path from 'node:path';
import { createGlobMatcher } from './globMatcher';

export type PathExclusion = { excluded: true; rule: string } | { excluded: false };

/**
 * Built-in exclusions in gitignore syntax. The first group is the list the privacy issue asks for
 * (plus `*.env`); the rest are the same kinds of file under other common names.
 */
export const DEFAULT_EXCLUDE_RULES: ReadonlyArray<{ pattern: string; why: string }> = [
  // Before '.env*' because the last matching rule is the one reported, and '.env' matches both.
  { pattern: '*.env', why: 'dotenv files named like prod.env' },
  { pattern: '.env*', why: 'dotenv files (.env, .env.local, .env.production, direnv .envrc)' },
  { pattern: '*.pem', why: 'PEM private keys and certificates' },
  { pattern: '*.key', why: 'private keys' },
  { pattern: 'id_rsa*', why: 'SSH keys' },
  { pattern: '*.p12', why: 'PKCS#12 key stores' },
  { pattern: '*.pfx', why: 'PKCS#12 key stores (Windows name)' },
  { pattern: 'secrets/', why: 'secrets directories' },
  { pattern: '.npmrc', why: 'npm credentials (_authToken)' },
  { pattern: '.pypirc', why: 'PyPI credentials' },
  { pattern: '.aws/', why: 'AWS CLI credentials' },
  { pattern: '.ssh/', why: 'SSH keys and config' },
  { pattern: '.netrc', why: 'machine passwords' },
  { pattern: '*.kdbx', why: 'KeePass databases' },
  // Same kinds, other names.
  { pattern: 'id_dsa*', why: 'SSH keys' },
  { pattern: 'id_ecdsa*', why: 'SSH keys' },
  { pattern: 'id_ed25519*', why: 'SSH keys' },
  { pattern: '_netrc', why: 'machine passwords (Windows name)' },
  { pattern: '.git-credentials', why: 'git credential store (plain-text tokens)' },
  { pattern: '*.jks', why: 'Java key stores' },
  { pattern: '*.keystore', why: 'Java/Android key stores' },
  // Issue 11, item 7: common credential files the first list missed, and their families.
  { pattern: '*.ppk', why: 'PuTTY private keys' },
  { pattern: 'id_xmss*', why: 'SSH keys' },
  { pattern: 'credentials.json', why: 'OAuth client secrets and service credentials' },
  { pattern: 'service-account*.json', why: 'GCP service-account keys' },
  { pattern: '*.tfvars', why: 'Terraform variables (often passwords and tokens)' },
  { pattern: '*.tfvars.json', why: 'Terraform variables (JSON form)' },
  { pattern: '*.tfstate', why: 'Terraform state (holds every secret it created, in plain text)' },
  { pattern: '*.tfstate.*', why: 'Terraform state backups' },
  { pattern: '.htpasswd', why: 'web server password hashes' },
  // Patterns with a slash are anchored in gitignore syntax; `**/` lets them match at any depth.
  { pattern: '**/.docker/config.json', why: 'Docker registry credentials' },
  { pattern: '**/.kube/config', why: 'Kubernetes cluster credentials' },
  { pattern: '.pgpass', why: 'PostgreSQL passwords' },
  { pattern: '.my.cnf', why: 'MySQL client passwords' },
];

export const DEFAULT_EXCLUDES: readonly string[] = DEFAULT_EXCLUDE_RULES.map((r) => r.pattern);

export interface PathExcluderOptions {
  /** `tandem.privacy.exclude`: VS Code-style globs relative to the workspace root. */
  globs?: readonly string[];
  /** Content of `<workspace root>/.tandemignore`, if the file exists. */
  tandemignoreText?: string;
}

export interface PathExcluder {
  /**
   * `relativePath` is relative to the workspace root; backslashes are accepted. A path that is
   * absolute or climbs out with `..` lies outside the workspace: only the defaults (which name
   * files by their own name, wherever they are) and slash-free settings globs apply to it.
   */
  isExcludedPath(relativePath: string): PathExclusion;
}

export function createPathExcluder(options: PathExcluderOptions = {}): PathExcluder {
  const defaults = ignore().add(DEFAULT_EXCLUDES as string[]);
  const tandemignore = ignore().add(options.tandemignoreText ?? '');
  const globs = (options.globs ?? []).map(compileSettingsGlob).filter((g): g is SettingsGlob => g !== undefined);

  return {
    isExcludedPath(relativePath: string): PathExclusion {
      const p = normalizePath(relativePath);
      if (p.kind === 'root') return { excluded: false };

      const fromDefaults = defaults.test(p.path);
      if (fromDefaults.ignored) return { excluded: true, rule: `default: ${fromDefaults.rule?.pattern ?? '?'}` };

      if (p.kind === 'outside') {
        const base = p.path.slice(p.path.lastIndexOf('/') + 1);
        const hit = globs.find((g) => !g.hasSlash && g.match(base));
        return hit ? { excluded: true, rule: `tandem.privacy.exclude: ${hit.source}` } : { excluded: false };
      }

      // A glob that names a directory excludes everything below it, so test each ancestor too.
      const hit = globs.find((g) => ancestorsAndSelf(p.path).some((candidate) => g.match(candidate)));
      if (hit) return { excluded: true, rule: `tandem.privacy.exclude: ${hit.source}` };

      const fromFile = tandemignore.test(p.path);
      if (fromFile.ignored) return { excluded: true, rule: `.tandemignore: ${fromFile.rule?.pattern ?? '?'}` };
      return { excluded: false };
    },
  };
}

interface SettingsGlob {
  source: string;
  hasSlash: boolean;
  match: (path: string) => boolean;
}

function compileSettingsGlob(source: string): SettingsGlob | undefined {
  let glob = source.trim().replace(/\\/g, '/');
  const anchored = glob.startsWith('/') || glob.startsWith('./');
  glob = glob.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  if (glob === '') return undefined;
  const hasSlash = anchored || glob.includes('/');
  return { source, hasSlash, match: createGlobMatcher(glob, { matchBasename: !hasSlash }) };
}

// 'root' is the workspace folder itself or a bare root: no file, nothing to exclude.
type NormalizedPath = { kind: 'inside' | 'outside'; path: string } | { kind: 'root' };

function normalizePath(raw: string): NormalizedPath {
  let p = raw.replace(/\\/g, '/');
  // Absolute (POSIX, UNC or a drive letter): outside the workspace; strip the root so the
  // default rules, which match at any depth, can still see the segments.
  const absolute = /^(?:[A-Za-z]:)?\//.test(p);
  if (absolute) p = p.replace(/^(?:[A-Za-z]:)?\/+/, '');
  p = path.posix.normalize(p === '' ? '.' : p).replace(/\/+$/, '');
  if (p === '.' || p === '') return { kind: 'root' };
  if (p === '..' || p.startsWith('../')) {
    const rest = p.replace(/^(?:\.\.\/)*\.\.\/?/, '');
    return rest === '' ? { kind: 'root' } : { kind: 'outside', path: rest };
  }
  return { kind: absolute ? 'outside' : 'inside', path: p };
}

function ancestorsAndSelf(p: string): string[] {
  const parts = p.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}
